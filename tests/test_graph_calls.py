"""Call resolution in the code graph from hand-built module facts: imports and exports, re-exports and barrels,
same-module calls and members, and instances bound through constructors, parameters and singletons."""

from __future__ import annotations

from analyzers.facts import Binding, Export
from graph_helpers import F, build, call, cls, esm, fn, module, py_import
from optimizer.graph import CodeGraph


def target(graph: CodeGraph, path: str, chain: str, function: str | None = None, is_new: bool = False) -> str | None:
    return graph.resolve_call(path, call(chain, function, is_new=is_new))


# Imports and exports


def test_named_namespace_and_default_imports():
    users = module(
        "src/users.ts",
        functions=[fn("getUser"), fn("listUsers"), fn("handler")],
        exports=[Export("getUser", "getUser", "named", 1), Export("default", "handler", "default", 1)],
    )
    app = module(
        "src/app.ts",
        imports=[esm("./users", "getUser", "default:handle"), esm("./users", "*:svc"), esm("react", "useState")],
    )
    g = build(users, app)
    assert target(g, "src/app.ts", "getUser") == F("src/users.ts", "getUser")
    assert target(g, "src/app.ts", "handle") == F("src/users.ts", "handler")
    assert target(g, "src/app.ts", "svc.getUser") == F("src/users.ts", "getUser")
    assert target(g, "src/app.ts", "svc.listUsers") is None  # defined but not exported
    assert target(g, "src/app.ts", "useState") is None
    edge = g.graph.get_edge_data("module:src/app.ts", "module:src/users.ts", key="imports")
    assert edge["names"] == ("getUser", "default", "*")
    assert g.graph.has_edge("module:src/app.ts", "package:react", key="imports")


def test_type_only_imports_make_no_edge_and_lazy_imports_are_marked():
    a = module("a.ts", functions=[fn("run")])
    b = module("b.ts", functions=[fn("go")], exports=[Export("go", "go", "named", 1)])
    c = module("c.ts")
    main = module(
        "main.ts",
        functions=[fn("start")],
        imports=[
            esm("./a", "A", type_only=True),
            esm("./b", "go", kind="dynamic", function="start"),
            esm("./c", "x", kind="dynamic", function="start"),
            esm("./c", "y"),
        ],
    )
    g = build(a, b, c, main)
    assert not g.graph.has_edge("module:main.ts", "module:a.ts")
    assert g.graph.edges["module:main.ts", "module:b.ts", "imports"]["lazy"] is True
    c_edge = g.graph.edges["module:main.ts", "module:c.ts", "imports"]
    assert c_edge["lazy"] is False  # one eager import makes the dependency eager
    assert c_edge["names"] == ("x", "y")


def test_tsconfig_alias_import_resolves_calls():
    db = module("web/src/lib/db.ts", functions=[fn("query")], exports=[Export("query", "query", "named", 1)])
    page = module("web/src/pages/home.tsx", imports=[esm("@/lib/db", "query")])
    g = build(db, page, tsconfigs={"web": {"baseUrl": ".", "paths": {"@/*": ["src/*"]}}})
    assert target(g, "web/src/pages/home.tsx", "query") == F("web/src/lib/db.ts", "query")


def test_barrel_re_export_chain_with_alias_namespace_and_a_cycle():
    get = module("src/users/get.ts", functions=[fn("getUser")], exports=[Export("getUser", "getUser", "named", 1)])
    users_index = module(
        "src/users/index.ts",
        exports=[Export("fetchUser", "getUser", "reexport", 1, "./get"), Export("*", None, "all", 2, "../index")],
        imports=[esm("./get", "getUser:fetchUser"), esm("../index")],
    )
    api = module("src/api.ts", functions=[fn("list")], exports=[Export("list", "list", "named", 1)])
    root_index = module(
        "src/index.ts",
        exports=[Export("*", None, "all", 1, "./users"), Export("api", None, "reexport", 2, "./api")],
        imports=[esm("./users"), esm("./api", "*:api")],
    )
    page = module("src/page.ts", imports=[esm("./index", "fetchUser", "api", "missing")])
    g = build(get, users_index, api, root_index, page)
    assert target(g, "src/page.ts", "fetchUser") == F("src/users/get.ts", "getUser")
    assert target(g, "src/page.ts", "api.list") == F("src/api.ts", "list")
    assert target(g, "src/page.ts", "missing") is None  # index -> users -> index: the cycle ends the search
    assert g.graph.has_edge("module:src/index.ts", "module:src/users/index.ts", key="imports")


def test_commonjs_exports_and_require():
    svc = module(
        "svc.js",
        functions=[fn("a"), fn("b")],
        exports=[Export("a", "a", "named", 1), Export("b", "b", "named", 1)],
    )
    klass = module("foo.js", functions=cls("Foo", "constructor"), exports=[Export("default", "Foo", "default", 1)])
    main = module(
        "main.js",
        imports=[
            esm("./svc", "*:svc", kind="require"),
            esm("./svc", "b", kind="require"),
            esm("./foo", "*:Foo", kind="require"),
        ],
    )
    esm_user = module("esm.ts", imports=[esm("./svc", "default:svc")])
    g = build(svc, klass, main, esm_user)
    assert target(g, "main.js", "svc.a") == F("svc.js", "a")
    assert target(g, "main.js", "b") == F("svc.js", "b")
    assert target(g, "main.js", "Foo", is_new=True) == F("foo.js", "Foo.constructor")
    assert target(g, "esm.ts", "svc.b") == F("svc.js", "b")  # default import of a CommonJS module


def test_default_export_of_a_local_class_and_new_without_constructor():
    svc = module(
        "svc.ts",
        functions=[*cls("Service", "constructor", "run"), fn("Plain", "class")],
        exports=[Export("default", "Service", "default", 1), Export("Plain", "Plain", "named", 1)],
    )
    main = module("main.ts", imports=[esm("./svc", "default:Svc", "Plain")])
    g = build(svc, main)
    assert target(g, "main.ts", "Svc", is_new=True) == F("svc.ts", "Service.constructor")
    assert target(g, "main.ts", "Plain", is_new=True) == F("svc.ts", "Plain")
    assert g.graph.nodes[F("svc.ts", "Plain")]["kind"] == "class"
    assert target(g, "main.ts", "Svc.run") == F("svc.ts", "Service.run")  # static-style access


# Same-module calls and members


def test_local_functions_methods_and_shadowing_parameters():
    m = module(
        "m.ts",
        functions=[
            fn("helper"),
            fn("outer", params=("helper2",)),
            fn("outer.inner", parent="outer"),
            fn("shadow", params=("helper",)),
            *cls("Repo", "find", "findAll"),
            fn("Repo.findAll.legacy", "function", parent="Repo.findAll"),
        ],
    )
    g = build(m)
    assert target(g, "m.ts", "helper", "outer") == F("m.ts", "helper")
    assert target(g, "m.ts", "inner", "outer") == F("m.ts", "outer.inner")
    assert target(g, "m.ts", "inner") is None  # not visible at module level
    assert target(g, "m.ts", "outer.inner") is None  # nor as an attribute of its function
    assert target(g, "m.ts", "helper", "shadow") is None
    assert target(g, "m.ts", "this.find", "Repo.findAll") == F("m.ts", "Repo.find")
    assert target(g, "m.ts", "this.find", "Repo.findAll.legacy") is None  # a JS function has its own `this`
    assert target(g, "m.ts", "this.missing", "Repo.findAll") is None


def test_object_literal_methods():
    api = module(
        "api.ts",
        functions=[fn("api.list", "method"), fn("api.get", "arrow")],
        exports=[Export("api", "api", "named", 1)],
    )
    page = module("page.ts", imports=[esm("./api", "api")])
    g = build(api, page)
    assert target(g, "page.ts", "api.get") == F("api.ts", "api.get")
    assert target(g, "api.ts", "api.list") == F("api.ts", "api.list")
    assert target(g, "page.ts", "api") is None


# Instances


def test_parameter_property_binding_resolves_this_member_calls_across_files():
    repo = module(
        "repo.ts", functions=cls("UserRepo", "findById"), exports=[Export("UserRepo", "UserRepo", "named", 1)]
    )
    service = module(
        "service.ts",
        functions=cls("UserService", "constructor", "get"),
        imports=[esm("./repo", "UserRepo", type_only=True)],
        bindings=[Binding("this.repo", "UserRepo", "param_type", 3, "UserService")],
    )
    g = build(repo, service)
    assert target(g, "service.ts", "this.repo.findById", "UserService.get") == F("repo.ts", "UserRepo.findById")
    assert target(g, "service.ts", "this.repo.missing", "UserService.get") is None


def test_python_self_binding_and_constructor_calls():
    loader = module("app/loader.py", functions=cls("ModelLoader", "__init__", "load"))
    main = module(
        "app/main.py",
        functions=[*cls("Predictor", "__init__", "predict"), fn("main")],
        imports=[py_import("loader", "ModelLoader", level=1)],
        bindings=[
            Binding("self.model", "ModelLoader", "call", 4, "Predictor"),
            Binding("p", "Predictor", "call", 9, "main"),
        ],
    )
    g = build(module("app/__init__.py"), loader, main)
    assert target(g, "app/main.py", "self.model.load", "Predictor.predict") == F("app/loader.py", "ModelLoader.load")
    assert target(g, "app/main.py", "ModelLoader", "Predictor.__init__") == F("app/loader.py", "ModelLoader.__init__")
    assert target(g, "app/main.py", "p.predict", "main") == F("app/main.py", "Predictor.predict")
    assert target(g, "app/main.py", "self.predict", "Predictor.__init__") == F("app/main.py", "Predictor.predict")


def test_module_level_instance_and_exported_singleton():
    image = module(
        "src/services/imageService.ts",
        functions=cls("ImageService", "getImageById"),
        bindings=[Binding("imageService", "ImageService", "new", 9)],
        exports=[Export("imageService", "imageService", "named", 9)],
        calls=[call("imageService.getImageById")],
    )
    route = module(
        "src/routes.ts",
        functions=[fn("show")],
        imports=[esm("./services/imageService", "imageService")],
        calls=[call("imageService.getImageById", "show", line=7)],
    )
    g = build(image, route)
    expected = F("src/services/imageService.ts", "ImageService.getImageById")
    assert target(g, "src/services/imageService.ts", "imageService.getImageById") == expected
    assert g.callees(F("src/routes.ts", "show")) == [expected]
    assert g.graph.edges[F("src/routes.ts", "show"), expected, "calls"]["lines"] == [7]
    assert sorted(g.callers(expected)) == [F("src/routes.ts", "show"), "module:src/services/imageService.ts"]


def test_static_fields_and_python_class_attributes():
    ts = module(
        "registry.ts",
        functions=[*cls("Registry", "lookup"), *cls("Cache", "get")],
        bindings=[
            Binding("Registry.cache", "Cache", "new", 2, "Registry"),
            Binding("this.db", "Cache", "new", 3, "Registry"),
        ],
    )
    pyfile = module(
        "app.py",
        functions=[*cls("Store", "get"), *cls("Service", "run")],
        bindings=[Binding("self.store", "Store", "call", 5, "Service")],
    )
    g = build(ts, pyfile)
    assert target(g, "registry.ts", "Registry.cache.get") == F("registry.ts", "Cache.get")
    assert target(g, "registry.ts", "Registry.db.get") is None  # an instance field is no static one
    assert target(g, "app.py", "Service.store.get") == F("app.py", "Store.get")


def test_local_instances_and_ambiguous_bindings():
    m = module(
        "m.ts",
        functions=[*cls("A", "run"), *cls("B", "run"), fn("handler"), fn("other"), fn("makeA")],
        bindings=[
            Binding("a", "A", "new", 2, "handler"),
            Binding("x", "A", "new", 3),
            Binding("x", "B", "new", 4),
            Binding("made", "makeA", "call", 5, "handler"),
            Binding("alias", "a", "alias", 6, "handler"),
        ],
    )
    g = build(m)
    assert target(g, "m.ts", "a.run", "handler") == F("m.ts", "A.run")
    assert target(g, "m.ts", "alias.run", "handler") == F("m.ts", "A.run")
    assert target(g, "m.ts", "a.run", "other") is None  # the binding is local to handler
    assert target(g, "m.ts", "x.run") is None  # bound to A and to B
    assert target(g, "m.ts", "made.run", "handler") is None  # what makeA returns is unknown
    assert target(g, "m.ts", "made", "handler") is None


def test_python_module_imports_and_same_named_singleton():
    utils = module("app/utils.py", functions=[fn("helper")])
    config = module("config.py", functions=cls("Settings", "load"), bindings=[Binding("config", "Settings", "call", 3)])
    main = module(
        "main.py",
        imports=[
            py_import("app.utils", "app.utils:utils"),
            py_import("app", "utils:u"),
            py_import("app.utils", "app.utils:app"),
            py_import("config", "config"),
        ],
    )
    g = build(module("app/__init__.py"), utils, config, main)
    assert target(g, "main.py", "utils.helper") == F("app/utils.py", "helper")
    assert target(g, "main.py", "u.helper") == F("app/utils.py", "helper")
    assert target(g, "main.py", "app.utils.helper") == F("app/utils.py", "helper")
    assert target(g, "main.py", "config.load") == F("config.py", "Settings.load")


def test_python_namespace_package_import():
    tools = module("ns/tools.py", functions=[fn("run")])
    main = module("main.py", imports=[py_import("ns.tools", "ns.tools:ns")])
    g = build(tools, main)
    assert target(g, "main.py", "ns.tools.run") == F("ns/tools.py", "run")
    assert target(g, "main.py", "ns.other.run") is None


def test_python_elements_of_typed_containers_resolve_to_their_class(tmp_path):
    """A module-level registry of models (``Dict[str, Embedder]``) is how ML services keep them: an element
    read by subscript or ``.get()`` is an instance of the value type; the container itself is not."""
    from optimizer.api import analyze

    files = {
        "app/__init__.py": "",
        "app/models.py": "class Embedder:\n    def embed(self, text):\n        return text\n",
        "app/state.py": (
            "from typing import Dict, Optional\nfrom app.models import Embedder\n\n"
            "embedders: Dict[str, Embedder] = {}\nbackup: Optional[dict[str, 'Embedder']] = None\n"
            "nested: dict[str, list[Embedder]] = {}\npair: tuple[Embedder, str] = (Embedder(), '')\n"
            "row: tuple[Embedder, ...] = ()\n"
        ),
        "app/handlers.py": (
            "from app import state\nfrom app.models import Embedder\n\n\n"
            "async def search(name, q):\n"
            "    a = state.embedders[name].embed(q)\n"
            "    b = state.embedders.get(name).embed(q)\n"
            "    c = state.backup[name].embed(q)\n"
            "    d = state.nested[name].embed(q)\n"
            "    e = state.embedders.embed(q)\n"
            "    f = state.pair[1].embed(q)\n"
            "    g = state.row[0].embed(q)\n"
            "    return a, b, c, d, e, f, g, state.embedders(q)\n\n\n"
            "class Pool:\n    def __init__(self, members: list[Embedder]):\n        self.members = members\n\n"
            "    def first(self, q):\n        return self.members[0].embed(q)\n"
        ),
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    g = analyze(tmp_path, use_cache=False).project.graph
    embed = F("app/models.py", "Embedder.embed")
    assert g.callees(F("app/handlers.py", "search")) == [embed]
    assert g.graph.edges[F("app/handlers.py", "search"), embed, "calls"]["lines"] == [6, 7, 8, 12]
    assert g.callees(F("app/handlers.py", "Pool.first")) == [embed]
