"""Deterministic generator of a realistic full-stack repository for benchmarks: a React/TS frontend, an
Express + Prisma backend and a FastAPI/SQLAlchemy/PyTorch service (~75k lines at ``--scale 1``).

    python benchmarks/corpus.py OUT_DIR --scale N [--seed S]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import posixpath
import random
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

# the sibling template modules import each other by name, whether this runs as a script or is imported
sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus_js  # noqa: E402
import corpus_node  # noqa: E402
import corpus_py  # noqa: E402
import corpus_py_common  # noqa: E402
import corpus_py_ml  # noqa: E402
import corpus_react_files  # noqa: E402
import corpus_ts  # noqa: E402
from corpus_base import (  # noqa: E402
    ADJECTIVES,
    NOUNS,
    VERBS,
    FileContext,
    Module,
    Plan,
    camel,
    kebab,
    make_entities,
    pascal,
    snake,
    target_lines,
)

# Files per kind at scale 1 and the median size (lines) each kind grows to.
KINDS: dict[str, tuple[int, int]] = {
    "component": (80, 245), "page": (18, 230), "hook": (16, 170), "context": (6, 195), "api": (12, 185),
    "util": (26, 185), "legacy": (8, 160), "router": (18, 255), "service": (22, 295), "middleware": (5, 135),
    "script": (4, 170), "py_orm": (10, 100), "py_schema": (10, 110), "py_service": (14, 255), "py_router": (12, 185),
    "py_torch": (8, 245), "py_util": (10, 170), "py_test": (4, 75),
}
RENDER: dict[str, Callable[[FileContext], str]] = {
    "types": corpus_ts.types_module, "util": corpus_ts.util_module, "barrel": corpus_ts.barrel,
    "component": corpus_react_files.component_module, "page": corpus_react_files.page_module, "hook": corpus_react_files.hook_module,
    "context": corpus_react_files.context_module, "api": corpus_react_files.api_module, "legacy": corpus_js.legacy_js_module,
    "router": corpus_node.router_module, "service": corpus_node.service_module, "errors": corpus_node.errors_module,
    "middleware": corpus_js.middleware_module, "prisma": corpus_node.prisma_module,
    "server": corpus_node.server_module, "script": corpus_js.script_module, "app": corpus_react_files.app_module,
    "py_orm": corpus_py.orm_module, "py_schema": corpus_py.schema_module, "py_service": corpus_py.service_module,
    "py_router": corpus_py.router_module, "py_torch": corpus_py_ml.torch_module, "py_util": corpus_py_common.util_module,
    "py_init": corpus_py.init_module, "py_base": corpus_py.fixed_module, "py_session": corpus_py.fixed_module,
    "py_main": corpus_py.fixed_module, "py_test": corpus_py.test_module,
}
CODE_SUFFIXES = (".ts", ".tsx", ".js", ".jsx", ".py")


class _Planner:
    """Chooses paths and exported names, unique across the whole corpus."""

    def __init__(self, rng: random.Random, plan: Plan):
        self.rng = rng
        self.plan = plan
        self.names: set[str] = set()
        self.paths: set[str] = set()

    def name(self, style: Callable[..., str], *parts: str | tuple[str, ...]) -> str:
        """``style`` applied to ``parts``, drawing one word from each tuple, unique across the corpus."""
        for attempt in range(100):
            words = [part if isinstance(part, str) else self.rng.choice(part) for part in parts]
            candidate = style(*words) + (str(attempt) if attempt > 30 else "")
            if candidate not in self.names:
                self.names.add(candidate)
                return candidate
        raise RuntimeError("name space exhausted")

    def add(self, path: str, kind: str, median: int = 0, entity=None, exports: list[str] | None = None) -> Module:
        stem, ext = posixpath.splitext(path)
        unique, n = path, 2
        while unique in self.paths:
            unique, n = f"{stem}{n}{ext}", n + 1
        self.paths.add(unique)
        target = target_lines(self.rng, median) if median else 0
        module = Module(unique, kind, target, entity, exports or [])
        self.plan.modules.append(module)
        return module


def _count(kind: str, scale: float) -> int:
    return max(1, round(KINDS[kind][0] * scale))


def make_plan(scale: float, seed: int) -> Plan:
    rng = random.Random(f"plan:{seed}")
    plan = Plan(make_entities(rng, max(4, round(12 + 8 * scale))))
    p = _Planner(rng, plan)
    ents = plan.entities

    def pick(i: int):
        return ents[i % len(ents)]  # cycling through the entities gives each of them its files

    med = {kind: median for kind, (_, median) in KINDS.items()}

    fe = "frontend/src"
    for e in ents:
        p.add(f"{fe}/types/{e.var}.ts", "types", entity=e, exports=[e.name])
    features = [pascal(n) for n in rng.sample(NOUNS, min(len(NOUNS), max(1, round(10 * scale))))]
    for i in range(_count("component", scale)):
        name = p.name(pascal, ADJECTIVES, NOUNS, ("List", "Card", "Panel", "Table", "Form", "View"))
        p.add(f"{fe}/components/{features[i % len(features)]}/{name}.tsx", "component", med["component"], pick(i), [name])
    for i in range(_count("page", scale)):
        name = p.name(pascal, NOUNS, ("Overview", "Details", "Settings", "Reports", "Admin"), "Page")
        p.add(f"{fe}/pages/{name}.tsx", "page", med["page"], pick(i + 3), [name])
    for i in range(_count("hook", scale)):
        name = p.name(camel, "use", ADJECTIVES, NOUNS)
        p.add(f"{fe}/hooks/{name}.ts", "hook", med["hook"], pick(i), [name])
    for i in range(_count("context", scale)):
        base = p.name(pascal, NOUNS, ("Session", "Workspace", "Filter", "Selection", "Theme"))
        p.add(f"{fe}/context/{base}Context.tsx", "context", med["context"], pick(i), [f"{base}Provider", f"use{base}"])
    for i in range(_count("api", scale)):
        e = pick(i)
        names = [p.name(camel, ("fetch", "list", "get", "load"), e.plural_var) for _ in range(2)]
        p.add(f"{fe}/api/{e.var}Api.ts", "api", med["api"], e, names)
    for i in range(_count("util", scale)):
        root = fe if i % 5 < 3 else "backend/src"
        names = [p.name(camel, VERBS, ADJECTIVES, NOUNS) for _ in range(2)]
        p.add(f"{root}/utils/{names[0]}.ts", "util", med["util"], pick(i), names)
    for i in range(_count("legacy", scale)):
        ext = ".jsx" if i % 3 == 2 else ".js"
        style = pascal if ext == ".jsx" else camel
        names = [p.name(style, ADJECTIVES, NOUNS) for _ in range(1 + i % 2)]
        p.add(f"{fe}/legacy/{kebab(names[0])}{ext}", "legacy", med["legacy"], pick(i), names)
    p.add(f"{fe}/App.tsx", "app", exports=["App"])

    be = "backend/src"
    p.add(f"{be}/lib/prisma.ts", "prisma", exports=["prisma"])
    p.add(f"{be}/lib/errors.ts", "errors", exports=["HttpError", "NotFoundError", "ValidationError"])
    services = []
    for i in range(_count("service", scale)):
        e = pick(i)
        fns = [p.name(camel, VERBS, ADJECTIVES, e.plural_var) for _ in range(rng.randint(1, 3))]
        services.append(p.add(f"{be}/services/{e.var}Service.ts", "service", med["service"], e,
                              [p.name(pascal, e.name, "Service"), *fns]))
    for i in range(_count("router", scale)):
        e = services[i % len(services)].entity
        p.add(f"{be}/routes/{e.var}Routes.ts", "router", med["router"], e, [p.name(camel, e.var, "Router")])
    for i in range(_count("middleware", scale)):
        name = p.name(camel, VERBS, NOUNS, "guard")
        p.add(f"{be}/middleware/{name}.ts", "middleware", med["middleware"], pick(i), [name])
    for i in range(_count("script", scale)):
        p.add(f"backend/scripts/{kebab(rng.choice(VERBS), rng.choice(NOUNS))}.js", "script", med["script"], pick(i))
    p.add(f"{be}/server.ts", "server")

    app = "ml-service/app"
    p.add(f"{app}/db/base.py", "py_base", exports=["Base"])
    p.add(f"{app}/db/session.py", "py_session", exports=["get_db"])
    orms = [p.add(f"{app}/models/{pick(i).snake}.py", "py_orm", med["py_orm"], pick(i), [pick(i).name])
            for i in range(_count("py_orm", scale))]
    for i in range(_count("py_schema", scale)):
        e = orms[i % len(orms)].entity
        p.add(f"{app}/schemas/{e.snake}.py", "py_schema", med["py_schema"], e,
              [p.name(pascal, e.name, suffix) for suffix in ("Base", "Create", "Out")])
    py_services = []
    for i in range(_count("py_service", scale)):
        e = orms[i % len(orms)].entity
        py_services.append(p.add(f"{app}/services/{e.snake}_service.py", "py_service", med["py_service"], e,
                                 [p.name(pascal, e.name, "Repository")]))
    for i in range(_count("py_router", scale)):
        e = py_services[i % len(py_services)].entity
        p.add(f"{app}/routers/{e.snake}.py", "py_router", med["py_router"], e, ["router"])
    for i in range(_count("py_torch", scale)):
        noun = rng.choice(NOUNS)
        names = [p.name(pascal, noun, ("Net", "Ranker", "Encoder", "Classifier")),
                 p.name(snake, "predict", noun, ("scores", "labels", "batch"))]
        p.add(f"{app}/ml/{snake(noun)}_model.py", "py_torch", med["py_torch"], pick(i), names)
    for i in range(_count("py_util", scale)):
        names = [p.name(snake, VERBS, ADJECTIVES, NOUNS) for _ in range(3)]
        p.add(f"{app}/utils/{snake(rng.choice(NOUNS))}_tools.py", "py_util", med["py_util"], pick(i), names)
    for i in range(_count("py_test", scale)):
        p.add(f"ml-service/tests/test_{snake(rng.choice(VERBS), rng.choice(NOUNS))}.py", "py_test", med["py_test"], pick(i))
    p.add(f"{app}/main.py", "py_main", exports=["app"])

    for directory in sorted({posixpath.dirname(m.path) for m in plan.modules if m.path.endswith(".py")}):
        p.add(f"{directory}/__init__.py", "py_init")
    barrel_dirs = {posixpath.dirname(m.path) for m in plan.modules if m.kind in ("component", "hook", "util", "service")}
    for directory in sorted(barrel_dirs):
        p.add(f"{directory}/index.ts", "barrel")
    return plan


def _config_files(plan: Plan, seed: int) -> dict[str, str]:
    tsconfig = {"compilerOptions": {"target": "ES2022", "module": "ESNext", "moduleResolution": "Bundler",
                                    "jsx": "react-jsx", "strict": True, "baseUrl": ".", "paths": {"@/*": ["src/*"]}},
                "include": ["src"]}
    def package(name: str, deps: dict[str, str]) -> str:
        return json.dumps({"name": name, "private": True, "version": "1.0.0", "dependencies": deps}, indent=2) + "\n"
    return {
        "package.json": json.dumps({"name": f"corpus-{seed}", "private": True, "workspaces": ["frontend", "backend"]}, indent=2) + "\n",
        ".gitignore": "node_modules/\ndist/\n__pycache__/\n*.db\n",
        "frontend/package.json": package("frontend", {"react": "^18.3.1", "react-dom": "^18.3.1", "react-router-dom": "^6.26.0"}),
        "frontend/tsconfig.json": json.dumps(tsconfig, indent=2) + "\n",
        "backend/package.json": package("backend", {"express": "^4.19.2", "cors": "^2.8.5", "zod": "^3.23.8", "@prisma/client": "^5.18.0"}),
        "backend/tsconfig.json": json.dumps({**tsconfig, "compilerOptions": {**tsconfig["compilerOptions"], "jsx": "preserve"}}, indent=2) + "\n",
        "backend/prisma/schema.prisma": corpus_node.prisma_schema(plan),
        "ml-service/requirements.txt": "fastapi==0.112.0\nuvicorn==0.30.5\nSQLAlchemy==2.0.32\npydantic==2.8.2\ntorch==2.4.0\n",
        "docker-compose.yml": """services:
  web:
    build: ./frontend
    ports: ["5173:80"]
    depends_on: [api]
  api:
    build: ./backend
    environment:
      DATABASE_URL: postgresql://app:app@db:5432/app
    depends_on: [db]
  ml:
    build: ./ml-service
    environment:
      DATABASE_URL: postgresql+psycopg2://app:app@db:5432/app
    depends_on: [db]
  db:
    image: postgres:16
""",
    }


def generate(out_dir: Path, scale: float, seed: int = 0) -> dict:
    """Write the corpus under ``out_dir``; return file and line counts. ``scale`` may be fractional (tests)."""
    out_dir = Path(out_dir)
    plan = make_plan(scale, seed)
    files = _config_files(plan, seed)
    for module in plan.modules:
        files[module.path] = RENDER[module.kind](FileContext(plan, module, seed))
    seen: dict[str, str] = {}
    for path, text in files.items():
        digest = hashlib.blake2b(text.encode()).hexdigest()
        if digest in seen:
            # identical files would be served from the facts cache and flatter the cold numbers
            comment = "#" if path.endswith(".py") else "//"
            text = files[path] = f"{text}{comment} {path}\n"
            digest = hashlib.blake2b(text.encode()).hexdigest()
        seen[digest] = path
    lines: Counter = Counter()
    counts: Counter = Counter()
    for path, text in files.items():
        target = out_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        suffix = posixpath.splitext(path)[1]
        counts[suffix] += 1
        lines[suffix] += text.count("\n")
    code = [s for s in counts if s in CODE_SUFFIXES]
    return {
        "files": sum(counts.values()),
        "code_files": sum(counts[s] for s in code),
        "lines": sum(lines.values()),
        "code_lines": sum(lines[s] for s in code),
        "by_suffix": {s: {"files": counts[s], "lines": lines[s]} for s in sorted(counts)},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies the number of files (1 ~ 75k lines)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(json.dumps(generate(args.out_dir, args.scale, args.seed), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
