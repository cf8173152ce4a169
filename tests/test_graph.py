"""The code graph's structure and queries over hand-built module facts: callbacks, reachability, components and
the JSON / DOT shapes; plus one end-to-end run over the real front-ends."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from analyzers import javascript, python
from analyzers.facts import ModuleFacts
from graph_helpers import F, build, call, esm, fn, module
from optimizer.graph import CodeGraph, ProjectFiles, load_tsconfigs


# Graph structure and queries


def callback_module() -> ModuleFacts:
    return module(
        "app.ts",
        functions=[fn("handler"), fn("<arrow@3:5>", "arrow", parent="handler"), fn("save"), fn("audit"), fn("main")],
        calls=[
            call("items.forEach", "handler", line=3),
            call("save", "<arrow@3:5>", line=3),
            call("audit", "save", line=8),
            call("main", None, line=12),
            call("handler", "main", line=10),
        ],
    )


def test_anonymous_callback_calls_are_reachable_from_the_parent():
    g = build(callback_module())
    arrow, handler = F("app.ts", "<arrow@3:5>"), F("app.ts", "handler")
    assert g.callees(arrow) == [F("app.ts", "save")]
    assert g.callees(handler) == []
    assert g.graph.has_edge(handler, arrow, key="defines") and g.graph.has_edge(handler, arrow, key="contains")
    assert g.reachable(handler) == {handler: 0, arrow: 0, F("app.ts", "save"): 1, F("app.ts", "audit"): 2}
    assert g.reachable(handler, max_depth=1) == {handler: 0, arrow: 0, F("app.ts", "save"): 1}
    assert g.reachable("module:app.ts")[F("app.ts", "audit")] == 4  # module -> main -> handler -> save -> audit
    assert g.reachable("function:nowhere::x") == {}


def test_module_defines_and_calls_the_same_function():
    g = build(callback_module())
    main = F("app.ts", "main")
    assert g.graph.has_edge("module:app.ts", main, key="defines")
    assert g.graph.has_edge("module:app.ts", main, key="calls")
    assert g.callers(main) == ["module:app.ts"]


def test_components_group_modules():
    g = build(
        module("web/a.tsx"),
        module("api/b.ts"),
        module("x.ts"),
        components={"web/a.tsx": "frontend", "api/b.ts": "backend"},
    )
    assert set(g.graph.successors("component:frontend")) == {"module:web/a.tsx"}
    assert set(g.graph.successors("component:other")) == {"module:x.ts"}
    assert g.graph.nodes["component:backend"]["kind"] == "tier"
    assert g.graph.nodes["module:api/b.ts"]["component"] == "backend"


def test_to_json_shape():
    m = callback_module()
    m.functions.append(fn("Card", is_component=True))
    m.imports.append(esm("react", "useState"))
    data = build(m).to_json()
    nodes = {n["id"]: n for n in data["nodes"]}
    assert {"id", "kind", "path", "name", "line"} <= set(nodes["module:app.ts"])
    assert nodes[F("app.ts", "Card")]["kind"] == "component"
    assert (
        nodes[F("app.ts", "handler")] | {"kind": "function", "path": "app.ts", "qualname": "handler"}
        == nodes[F("app.ts", "handler")]
    )
    assert nodes["package:react"]["kind"] == "package"
    kinds = {(e["source"], e["target"], e["kind"]) for e in data["edges"]}
    assert ("module:app.ts", F("app.ts", "main"), "calls") in kinds
    assert ("module:app.ts", "package:react", "imports") in kinds
    imports = next(e for e in data["edges"] if e["kind"] == "imports")
    assert imports["names"] == ["useState"]  # lists, so the result is JSON as it is
    assert all(set(e) >= {"source", "target", "kind"} for e in data["edges"])


def test_to_dot_shape():
    m = callback_module()
    m.functions.append(fn('odd"name'))
    dot = build(m).to_dot()
    assert dot.startswith("digraph code {") and dot.rstrip().endswith("}")
    assert '"module:app.ts" -> "function:app.ts::main" [label="calls"' in dot
    assert '"function:app.ts::handler" -> "function:app.ts::<arrow@3:5>" [label="contains"' in dot
    assert '"function:app.ts::odd\\"name"' in dot


def test_graph_is_a_directed_networkx_graph():
    g = build(callback_module())
    assert isinstance(g.graph, nx.DiGraph)
    runtime = nx.subgraph_view(g.graph, filter_edge=lambda u, v, k: k in ("calls", "contains"))
    assert nx.has_path(runtime, "module:app.ts", F("app.ts", "audit"))
    assert not nx.has_path(runtime, F("app.ts", "audit"), "module:app.ts")


# End to end with the real front-ends

PROJECT = {
    "web/tsconfig.json": """{
      // path aliases for the app
      "compilerOptions": {"baseUrl": ".", "paths": {"@/*": ["./src/*"],},},
    }""",
    "web/src/services/imageService.ts": """
import { query } from '../lib/db';
export class ImageService {
  async getImageById(id: string) { return query(id); }
}
export const imageService = new ImageService();
""",
    "web/src/services/index.ts": "export * from './imageService';\n",
    "web/src/lib/db.ts": "export function query(sql: string) { return sql; }\n",
    "web/src/routes.ts": """
import { imageService } from '@/services';
import { UserService } from './user.service.js';
import { UserRepo } from './user.repo';
export async function show(ids: string[]) {
  ids.forEach((id) => { imageService.getImageById(id); });
  const users = new UserService(new UserRepo());
  return users.get(ids[0]);
}
""",
    "web/src/user.service.ts": """
import type { UserRepo } from './user.repo.js';
export class UserService {
  constructor(private readonly repo: UserRepo) {}
  get(id: string) { return this.repo.findById(id); }
}
""",
    "web/src/user.repo.ts": "export class UserRepo {\n  findById(id: string) { return id; }\n}\n",
    "ml/app/__init__.py": "",
    "ml/app/loader.py": """
class ModelLoader:
    def __init__(self):
        pass

    def load(self, x):
        return x
""",
    "ml/app/utils.py": "def helper():\n    return 1\n",
    "ml/app/main.py": """
import app.utils as utils
from .loader import ModelLoader


class Predictor:
    def __init__(self):
        self.model = ModelLoader()

    def predict(self, x):
        utils.helper()
        return self.model.load(x)
""",
}


def test_graph_from_real_front_ends(tmp_path):
    languages = {".ts": "typescript", ".tsx": "tsx"}
    modules = {}
    for rel, text in PROJECT.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
        suffix = Path(rel).suffix
        if suffix == ".py":
            modules[rel] = python.parse(rel, text.encode())
        elif suffix in languages:
            modules[rel] = javascript.parse(rel, text.encode(), languages[suffix])
    assert not any(m.errors for m in modules.values())
    files = ProjectFiles(tmp_path, set(modules), load_tsconfigs(tmp_path, modules))
    g = CodeGraph.build(modules, files)

    show = F("web/src/routes.ts", "show")
    get_image = F("web/src/services/imageService.ts", "ImageService.getImageById")
    reach = g.reachable(show)
    assert reach[get_image] == 1  # through the forEach callback, the barrel and the exported singleton
    assert reach[F("web/src/lib/db.ts", "query")] == 2
    assert reach[F("web/src/user.service.ts", "UserService.get")] == 1  # a local instance
    assert reach[F("web/src/user.repo.ts", "UserRepo.findById")] == 2  # this.repo via the parameter property
    assert g.graph.has_edge("module:web/src/routes.ts", "module:web/src/services/index.ts", key="imports")

    predict = F("ml/app/main.py", "Predictor.predict")
    assert set(g.callees(predict)) == {F("ml/app/utils.py", "helper"), F("ml/app/loader.py", "ModelLoader.load")}
    assert g.callees(F("ml/app/main.py", "Predictor.__init__")) == [F("ml/app/loader.py", "ModelLoader.__init__")]
