"""Every fix perfrewrite offers on fixtures/fullstack-app, applied at once: the frontend and backend still
type-check with `tsc --noEmit` (as they did before), every changed file parses, every JS codemod with
findings in the app rewrote something, and a second run has nothing left to do."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from npm_helpers import run_tsc
from ts_shims import VITE, link_packages, prisma_client

from optimizer.api import analyze
from rewriters.apply import write
from rewriters.engine import JS_CODEMODS, _parse_errors, plan, selected, target

APP = Path(__file__).resolve().parent.parent / "fixtures" / "fullstack-app"
TS_PROJECTS = ("frontend", "backend")


def _type_errors(app: Path, node_modules: Path) -> dict[str, str]:
    with ThreadPoolExecutor() as pool:  # one tsc per project, side by side
        runs = dict(zip(TS_PROJECTS, pool.map(lambda p: run_tsc(node_modules, app / p / "tsconfig.json"), TS_PROJECTS)))
    return {project: (done.stdout + done.stderr).strip() for project, done in runs.items() if done.returncode != 0}


def _changes(app: Path) -> list[str]:
    return [r.path for r in plan(analyze([app], root=app, use_cache=False), unsafe=True) if r.changed]


@pytest.fixture
def app(tmp_path: Path, node_modules: Path) -> Path:
    """A copy of the app with the packages it imports one folder up, where module resolution finds them
    (installed ones, and stand-ins for Vite and the generated Prisma client)."""
    copy = Path(shutil.copytree(APP, tmp_path / "app"))
    link_packages(node_modules, tmp_path / "node_modules", {**VITE, **prisma_client(copy)})
    return copy


def test_every_fix_applied_keeps_the_app_type_checking(app: Path, node_modules: Path) -> None:
    # the check means something only if the app type-checks before the fixes
    assert _type_errors(app, node_modules) == {}

    report = analyze([app], root=app, use_cache=False)
    rewrites = plan(report, unsafe=True)
    assert [(r.path, r.error) for r in rewrites if r.error] == []
    written, refused = write(rewrites, app)
    assert refused == [] and written == [r.path for r in rewrites if r.changed]

    changed = {r.path for r in rewrites if r.changed}
    js_codemods = {f.fix.codemod for f in report.findings if selected(f, True) and f.fix.codemod in JS_CODEMODS}
    for codemod in sorted(js_codemods):
        fixed_in = {target(f) for f in report.findings if f.fix and f.fix.codemod == codemod}
        assert fixed_in & changed, f"no file with a `{codemod}` finding was rewritten"

    for path in sorted(changed):
        assert _parse_errors(path, report.project.files[path].language, (app / path).read_bytes()) == [], path

    assert _type_errors(app, node_modules) == {}
    assert _changes(app) == []
