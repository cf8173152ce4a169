"""Module resolution: tsconfig loading (JSONC, extends, references), JS/TS specifiers and Python imports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzers.facts import Import, ImportedName, Span
from optimizer.resolve import ModuleResolver, ProjectFiles
from optimizer.tsconfig import load_tsconfigs, parse_jsonc

SPAN = Span(1, 1, 1, 1)


def write(root: Path, rel: str, text: str = "") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def esm(source: str) -> Import:
    return Import(source, (), "esm", SPAN)


def py(source: str, *names: str, level: int = 0) -> Import:
    """``from source import names`` (or ``import source`` when no names are given)."""
    bound = tuple(ImportedName(n, n) for n in names) or (ImportedName(source, source.split(".")[0]),)
    return Import(source, bound, "python", SPAN, level=level)


def resolver(paths: set[str], tsconfigs: dict[str, dict] | None = None) -> ModuleResolver:
    return ModuleResolver(ProjectFiles(Path("/project"), paths, tsconfigs or {}))


# JSONC and tsconfig files


def test_parse_jsonc_strips_comments_and_trailing_commas_but_not_string_contents():
    text = """\ufeff{
      // line comment
      "url": "http://x//y", /* block, with comma, */
      "glob": "src/*/**",
      "list": ["a", "b",],   // trailing comma in an array
      "nested": {"k": ",}",},
    }"""
    assert parse_jsonc(text) == {"url": "http://x//y", "glob": "src/*/**", "list": ["a", "b"], "nested": {"k": ",}"}}


def test_parse_jsonc_rejects_broken_json():
    with pytest.raises(ValueError):
        parse_jsonc("{ not json")


def test_extends_with_jsonc_and_inherited_base_url_relative_to_the_base_config(tmp_path):
    write(
        tmp_path,
        "configs/base.json",
        """{
          // shared by every app
          "compilerOptions": {
            "baseUrl": "../web",
            "paths": {"@/*": ["src/*"], "@ui": ["src/components/ui/index.ts",],},
            "strict": false,
          },
        }""",
    )
    write(
        tmp_path,
        "web/tsconfig.json",
        '{"extends": "../configs/base", /* no .json */ "compilerOptions": {"strict": true}}',
    )
    configs = load_tsconfigs(tmp_path, ["web/src/pages/home.tsx"])
    assert configs == {
        "web": {"strict": True, "baseUrl": ".", "paths": {"@/*": ["src/*"], "@ui": ["src/components/ui/index.ts"]}}
    }


def test_inherited_paths_without_base_url_are_relative_to_the_declaring_config(tmp_path):
    write(tmp_path, "shared/tsconfig.paths.json", '{"compilerOptions": {"paths": {"#db": ["./db/index.ts"]}}}')
    write(tmp_path, "api/tsconfig.json", '{"extends": "../shared/tsconfig.paths.json"}')
    configs = load_tsconfigs(tmp_path, ["api/src/server.ts"])
    assert configs["api"]["paths"] == {"#db": ["../shared/db/index.ts"]}
    paths = {"api/src/server.ts", "shared/db/index.ts"}
    assert resolver(paths, configs).js("api/src/server.ts", "#db") == "shared/db/index.ts"


def test_broken_configs_and_extends_cycles_are_skipped(tmp_path):
    write(tmp_path, "tsconfig.json", '{"compilerOptions": {"baseUrl": "."}}')
    write(tmp_path, "broken/tsconfig.json", "{ not json")
    write(tmp_path, "loop/tsconfig.json", '{"extends": "./other.json", "compilerOptions": {"baseUrl": "src"}}')
    write(tmp_path, "loop/other.json", '{"extends": "./tsconfig.json"}')
    write(tmp_path, "listy/jsconfig.json", "[1, 2]")
    write(tmp_path, "deep/tsconfig.json", "[" * 100_000)
    configs = load_tsconfigs(tmp_path, ["broken/a.ts", "loop/a.ts", "listy/a.js", "deep/a.ts"])
    assert configs == {"": {"baseUrl": "."}, "loop": {"baseUrl": "src"}}


def test_solution_config_takes_paths_from_its_referenced_app_config(tmp_path):
    write(
        tmp_path,
        "app/tsconfig.json",
        '{"files": [], "references": [{"path": "./tsconfig.node.json"}, {"path": "./tsconfig.app.json"}]}',
    )
    write(tmp_path, "app/tsconfig.node.json", '{"compilerOptions": {"strict": true}}')
    write(tmp_path, "app/tsconfig.app.json", '{"compilerOptions": {"baseUrl": ".", "paths": {"@/*": ["./src/*"]}}}')
    assert load_tsconfigs(tmp_path, ["app/src/main.tsx"])["app"] == {"baseUrl": ".", "paths": {"@/*": ["./src/*"]}}


def test_jsconfig_is_found_when_there_is_no_tsconfig(tmp_path):
    write(tmp_path, "site/jsconfig.json", json.dumps({"compilerOptions": {"baseUrl": "src"}}))
    assert load_tsconfigs(tmp_path, ["site/src/a.js"]) == {"site": {"baseUrl": "src"}}


# JavaScript / TypeScript specifiers


def test_relative_specifiers_probe_extensions_and_index_files():
    r = resolver({"src/a.ts", "src/b.tsx", "src/lib/db.mts", "src/comp/index.tsx", "src/util.js", "src/util.ts"})
    assert r.js("src/a.ts", "./b") == "src/b.tsx"
    assert r.js("src/comp/index.tsx", "../lib/db") == "src/lib/db.mts"
    assert r.js("src/a.ts", "./comp") == "src/comp/index.tsx"
    assert r.js("src/a.ts", "./util") == "src/util.ts"  # .ts is probed before .js
    assert r.js("src/a.ts", "./util.js") == "src/util.js"  # an existing file named exactly wins
    assert r.js("src/comp/button.tsx", ".") == "src/comp/index.tsx"


def test_js_extension_in_source_maps_to_the_typescript_file():
    r = resolver({"src/a.ts", "src/db.ts", "src/view.tsx", "src/worker.mts"})
    assert r.js("src/a.ts", "./db.js") == "src/db.ts"
    assert r.js("src/a.ts", "./view.js") == "src/view.tsx"
    assert r.js("src/a.ts", "./worker.mjs") == "src/worker.mts"


def test_unanalysed_outside_and_bare_specifiers_are_external():
    r = resolver({"src/a.ts", "src/styles.css.ts"})
    assert r.js("src/a.ts", "./missing") is None
    assert r.js("src/a.ts", "../../outside") is None
    assert r.js("src/a.ts", "react") is None
    assert r.js("src/a.ts", "/abs/path") is None


def test_tsconfig_paths_exact_wildcard_multiple_targets_and_base_url():
    tsconfigs = {
        "web": {
            "baseUrl": ".",
            "paths": {
                "@/*": ["src/*"],
                "@/generated/*": ["missing/*", "gen/*"],
                "@ui": ["src/components/ui/index.ts"],
            },
        }
    }
    paths = {"web/src/pages/home.tsx", "web/src/lib/db.ts", "web/gen/api.ts", "web/src/components/ui/index.ts"}
    r = resolver(paths, tsconfigs)
    assert r.js("web/src/pages/home.tsx", "@/lib/db") == "web/src/lib/db.ts"
    assert r.js("web/src/pages/home.tsx", "@/generated/api") == "web/gen/api.ts"  # longest prefix, second target
    assert r.js("web/src/pages/home.tsx", "@ui") == "web/src/components/ui/index.ts"
    assert r.js("web/src/pages/home.tsx", "src/lib/db") == "web/src/lib/db.ts"  # bare path against baseUrl
    assert r.js("web/src/pages/home.tsx", "lodash") is None


def test_nearest_tsconfig_above_the_importing_file_applies():
    tsconfigs = {"": {"baseUrl": ".", "paths": {"@/*": ["shared/*"]}}, "web": {"paths": {"@/*": ["./src/*"]}}}
    paths = {"web/src/a.ts", "web/src/x.ts", "shared/x.ts", "api/b.ts"}
    r = resolver(paths, tsconfigs)
    assert r.js("web/src/a.ts", "@/x") == "web/src/x.ts"
    assert r.js("api/b.ts", "@/x") == "shared/x.ts"


def test_package_names_of_external_imports():
    r = resolver({"web/a.ts"}, {"web": {"paths": {"~lib/*": ["lib/*"]}}})
    assert r.package_name("web/a.ts", esm("@prisma/client/runtime")) == "@prisma/client"
    assert r.package_name("web/a.ts", esm("node:fs")) == "fs"
    assert r.package_name("web/a.ts", esm("react-dom/client")) == "react-dom"
    assert r.package_name("web/a.ts", esm("~lib/missing")) is None  # claimed by a paths alias
    assert r.package_name("web/a.ts", esm("./missing")) is None
    assert r.package_name("svc/m.py", py("numpy.linalg")) == "numpy"
    assert r.package_name("svc/m.py", py("missing", "x", level=1)) is None


# Python


def test_service_subfolder_is_a_python_root():
    paths = {"ml-service/app/__init__.py", "ml-service/app/main.py", "ml-service/app/db.py"}
    r = resolver(paths)
    assert r.resolve("ml-service/app/main.py", py("app.db")) == "ml-service/app/db.py"
    assert r.resolve("ml-service/app/main.py", py("app")) == "ml-service/app/__init__.py"
    assert r.resolve("ml-service/app/main.py", py("torch")) is None


def test_two_services_with_the_same_package_name_resolve_to_their_own():
    paths = {
        "api/app/__init__.py",
        "api/app/db.py",
        "api/app/main.py",
        "ml/app/__init__.py",
        "ml/app/db.py",
        "ml/app/main.py",
        "scripts/seed.py",
    }
    r = resolver(paths)
    assert r.resolve("api/app/main.py", py("app.db")) == "api/app/db.py"
    assert r.resolve("ml/app/main.py", py("app.db")) == "ml/app/db.py"
    assert r.resolve("scripts/seed.py", py("app.db")) is None  # two candidates elsewhere: ambiguous


def test_the_nearest_enclosing_root_wins():
    paths = {"app/__init__.py", "app/db.py", "svc/app/__init__.py", "svc/app/db.py", "svc/app/main.py"}
    r = resolver(paths)
    assert r.resolve("svc/app/main.py", py("app.db")) == "svc/app/db.py"
    assert r.resolve("app/db.py", py("app.db")) == "app/db.py"


def test_src_layout_and_script_directory():
    paths = {"src/pkg/__init__.py", "src/pkg/core.py", "tests/test_core.py", "tools/run.py", "tools/helpers.py"}
    r = resolver(paths)
    assert r.resolve("tests/test_core.py", py("pkg.core")) == "src/pkg/core.py"
    assert r.resolve("tools/run.py", py("helpers")) == "tools/helpers.py"
    assert r.resolve("src/pkg/core.py", py("helpers")) is None
    # no implicit relative imports in Python 3: a package's own directory is not on sys.path
    assert resolver(paths | {"src/pkg/helpers.py"}).resolve("src/pkg/core.py", py("helpers")) is None


def test_relative_imports_use_the_importing_package():
    paths = {"app/__init__.py", "app/models.py", "app/api/__init__.py", "app/api/routes.py", "app/api/deps.py"}
    r = resolver(paths)
    assert r.resolve("app/api/routes.py", py("deps", "get_db", level=1)) == "app/api/deps.py"
    assert r.resolve("app/api/routes.py", py("models", "User", level=2)) == "app/models.py"
    assert r.resolve("app/api/routes.py", py("", "deps", level=1)) == "app/api/deps.py"
    assert r.resolve("app/api/routes.py", py("", "router", level=1)) == "app/api/__init__.py"
    assert r.resolve("app/api/__init__.py", py("routes", "router", level=1)) == "app/api/routes.py"
    assert r.resolve("app/models.py", py("x", "y", level=3)) is None  # above the root


def test_from_package_import_submodule_targets_the_submodule():
    paths = {"app/__init__.py", "app/utils.py", "app/main.py", "ns/tools.py", "ns/run.py"}
    r = resolver(paths)
    assert r.targets("app/main.py", py("app", "utils", "VERSION")) == {
        "app/utils.py": ("utils",),
        "app/__init__.py": ("VERSION",),
    }
    # a namespace package (no __init__.py) is no module, but its submodule is
    assert r.targets("ns/run.py", py("", "tools", level=1)) == {"ns/tools.py": ("tools",)}
    assert r.targets("app/main.py", py("app.utils")) == {"app/utils.py": ("app.utils",)}
    assert r.resolve("app/main.py", py("app", "VERSION", "utils")) == "app/utils.py"
    assert r.resolve("app/main.py", py("app", "VERSION")) == "app/__init__.py"
    assert r.resolve("ns/run.py", py("", "tools", level=1)) == "ns/tools.py"
