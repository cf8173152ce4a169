"""The rewrite fixtures run: each fixtures/rewrites/<codemod>/X.ext and its X.fixed.ext executed against the
same stand-in services, with the results compared (STYLE item 8). Python runs here or in a subprocess; JS
and TS run with Node and the pinned packages of tests/npm_helpers.py."""

from __future__ import annotations

import asyncio
import html
import importlib.util
import json
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import libcst
import pytest
import npm_helpers
from npm_helpers import run_node

from rewriters.python import lazy_import

PAIRS = Path(__file__).resolve().parent.parent / "fixtures" / "rewrites"


def _versions(codemod: str, name: str) -> dict[str, Path]:
    stem, _, ext = name.partition(".")
    return {"before": PAIRS / codemod / name, "after": PAIRS / codemod / f"{stem}.fixed.{ext}"}


# -- gather-awaits: two reads from SQLite through async clients ------------------------------------------


def _sqlite_clients(events: list[str]) -> types.ModuleType:
    """`app.clients` with `users` and `billing` reading one SQLite database; each call yields to the event
    loop once between its start and its query, so calls that run concurrently interleave in ``events``."""
    db = sqlite3.connect(":memory:")
    db.executescript(
        "CREATE TABLE owners (account INT, name TEXT);"
        "CREATE TABLE invoices (account INT, amount INT);"
        "INSERT INTO owners VALUES (1, 'ada'), (2, 'bob');"
        "INSERT INTO invoices VALUES (1, 10), (1, 20), (2, 5), (1, 30);"
    )

    async def query(name: str, sql: str, *args):
        events.append(f"start {name}")
        await asyncio.sleep(0)
        rows = db.execute(sql, args).fetchall()
        events.append(f"end {name}")
        return rows

    async def get_owner(account_id):
        return (await query("owner", "SELECT name FROM owners WHERE account = ?", account_id))[0][0]

    async def list_invoices(account_id, limit):
        sql = "SELECT amount FROM invoices WHERE account = ? ORDER BY amount LIMIT ?"
        return [amount for (amount,) in await query("invoices", sql, account_id, limit)]

    clients = types.ModuleType("app.clients")
    clients.users = types.SimpleNamespace(get_owner=get_owner)
    clients.billing = types.SimpleNamespace(list_invoices=list_invoices)
    return clients


def test_gather_awaits_returns_the_same_report(monkeypatch: pytest.MonkeyPatch) -> None:
    results, events = {}, {}
    for version, path in _versions("gather-awaits", "report.py").items():
        events[version] = []
        clients = _sqlite_clients(events[version])
        monkeypatch.setitem(sys.modules, "app", types.ModuleType("app"))
        monkeypatch.setitem(sys.modules, "app.clients", clients)
        spec = importlib.util.spec_from_file_location(f"report_{version}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        results[version] = [asyncio.run(module.weekly_report(account)) for account in (1, 2)]
    assert results["before"] == results["after"]
    assert results["before"][0] == {"owner": "ada", "invoices": [10, 20, 30]}
    # the point of the rewrite: the second read starts before the first ends
    assert events["before"][:4] == ["start owner", "end owner", "start invoices", "end invoices"]
    assert events["after"][:4] == ["start owner", "start invoices", "end owner", "end invoices"]


# -- lazy-import: a stand-in heavy module, imported in a fresh interpreter -------------------------------

STUB_TORCH = """\
class tensor:
    def __init__(self, values):
        self.values = list(values)
    def sum(self):
        return sum(self.values)
"""
STUB_PANDAS = """\
class DataFrame:
    def __init__(self, rows=()):
        self.rows = list(rows)
    def describe(self):
        return self
    def to_string(self):
        return f"{len(self.rows)} rows"
"""

# Imports the fixture as `subject`, then prints whether the heavy module came with it and what the
# functions return; ``calls`` is the body of a function of (subject, heavy module) that returns results.
LAZY_DRIVER = """\
import importlib, json, sys
subject = importlib.import_module("subject")
imported_with_module = {heavy!r} in sys.modules
def calls(subject, heavy):
{calls}
results = calls(subject, importlib.import_module({heavy!r}))
print(json.dumps({{"imported_with_module": imported_with_module, "results": results}}))
"""

LAZY_CASES = {
    "model.py": (
        "torch",
        STUB_TORCH,
        (
            "with open('data.json', 'w') as f:\n    json.dump({'k': [1, 2]}, f)\n"
            "return [subject.predict([1.5, 2.0, 3.5]), subject.predict([]), subject.load('data.json')]"
        ),
    ),
    "typed.py": (
        "pandas",
        STUB_PANDAS,
        "frame = subject.empty()\nreturn [type(frame).__name__, frame.rows, subject.summary(heavy.DataFrame([1, 2]))]",
    ),
}


@pytest.mark.parametrize("name", sorted(LAZY_CASES))
def test_lazy_import_keeps_results_and_defers_the_import(tmp_path: Path, name: str) -> None:
    heavy, stub, calls = LAZY_CASES[name]
    outputs = {}
    for version, path in _versions("lazy-import", name).items():
        folder = tmp_path / version
        folder.mkdir()
        shutil.copy(path, folder / "subject.py")
        (folder / f"{heavy}.py").write_text(stub, encoding="utf-8")
        driver = LAZY_DRIVER.format(heavy=heavy, calls=textwrap.indent(calls, "    "))
        done = subprocess.run(
            [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, '.')\n{driver}"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        outputs[version] = json.loads(done.stdout)
    assert outputs["before"]["results"] == outputs["after"]["results"]
    assert outputs["before"]["imported_with_module"] is True
    assert outputs["after"]["imported_with_module"] is False


# -- JS/TS with Node --------------------------------------------------------------------------------------


def _run_js(node_modules: Path, folder: Path, subject: Path, stubs: dict[str, str], driver: str) -> object:
    folder.mkdir()
    shutil.copy(subject, folder / subject.name.replace(".fixed", ""))
    for name, text in {**stubs, "driver.js": driver}.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return run_node(node_modules, folder / "driver.js")


def _run_both(node_modules: Path, tmp_path: Path, codemod: str, name: str, stubs: dict[str, str], driver: str):
    return {
        version: _run_js(node_modules, tmp_path / version, path, stubs, driver)
        for version, path in _versions(codemod, name).items()
    }


DASHBOARD_STUBS = {
    # every call logs its start, waits a timer tick, then logs its end
    "calls.js": """
        const events = [];
        const call = (name, value) => { events.push(`start ${name}`);
          return new Promise((resolve) => setTimeout(() => { events.push(`end ${name}`); resolve(value); }, 1)); };
        module.exports = { events, call };
    """,
    "db.js": "const { call } = require('./calls');\n"
    "exports.prisma = { user: { count: () => call('count', 42) } };\n",
    "api.js": "const { call } = require('./calls');\nexports.api = {\n"
    "  getStats: (id) => call('stats', { data: { id, visits: 7 } }),\n"
    "  fetchBanner: () => call('banner', 'ignored'),\n};\n",
}
DASHBOARD_DRIVER = """
    const { events } = require('./calls');
    require('./dashboard').dashboard('p1').then((result) => console.log(JSON.stringify({ result, events })));
"""


def test_parallel_awaits_returns_the_same_dashboard(node_modules: Path, tmp_path: Path) -> None:
    runs = _run_both(
        node_modules, tmp_path, "parallel-independent-awaits", "dashboard.ts", DASHBOARD_STUBS, DASHBOARD_DRIVER
    )
    assert runs["before"]["result"] == runs["after"]["result"] == {"users": 42, "data": {"id": "p1", "visits": 7}}
    # every call still runs once, and after the rewrite all three start before any ends
    assert sorted(runs["before"]["events"]) == sorted(runs["after"]["events"])
    assert runs["before"]["events"][:2] == ["start count", "end count"]
    assert [e.split()[0] for e in runs["after"]["events"]] == ["start"] * 3 + ["end"] * 3


SEARCH_STUBS = {"api.js": "exports.searched = [];\nexports.api = { search: (q) => exports.searched.push(q) };\n"}
SEARCH_DRIVER = """
    const { onSearch, title } = require('./search');
    const { searched } = require('./api');
    onSearch('a'); onSearch('ab'); onSearch('abc');
    const titles = [title({ name: 'x', suffix: '!' }), title({ name: 'y' }), title({})];
    setTimeout(() => console.log(JSON.stringify({ searched, titles })), 400);
"""
LIST_DRIVER = """
    const { createElement } = require('react');
    const { renderToString } = require('react-dom/server');
    const { List } = require('./namespace');
    const items = [{ id: 2, name: 'b' }, { id: 1, name: 'c' }, { id: 3, name: 'a' }, { id: 2, name: 'b2' }];
    console.log(JSON.stringify(renderToString(createElement(List, { items }))));
"""


def test_cherry_pick_lodash_keeps_debounce_and_get(node_modules: Path, tmp_path: Path) -> None:
    runs = _run_both(node_modules, tmp_path, "cherry-pick-lodash", "search.ts", SEARCH_STUBS, SEARCH_DRIVER)
    assert runs["before"] == runs["after"] == {"searched": ["abc"], "titles": ["x!", "y", ""]}


def test_cherry_pick_lodash_renders_the_same_list(node_modules: Path, tmp_path: Path) -> None:
    runs = _run_both(node_modules, tmp_path, "cherry-pick-lodash", "namespace.jsx", {}, LIST_DRIVER)
    assert runs["before"] == runs["after"]
    assert runs["before"].index(">a<") < runs["before"].index(">b<") < runs["before"].index(">c<")
    assert "b2" not in runs["before"]


PROVIDER_DRIVER = """
    const { createElement, useContext } = require('react');
    const { renderToString } = require('react-dom/server');
    const { AuthContext, AuthProvider } = require('./Provider');
    function Show() {
      const value = useContext(AuthContext);
      return createElement('pre', null, JSON.stringify(value, (key, v) => (typeof v === 'function' ? 'fn' : v)));
    }
    console.log(JSON.stringify(renderToString(createElement(AuthProvider, { tenant: 't1' }, createElement(Show)))));
"""


def test_memoize_context_value_provides_the_same_value(node_modules: Path, tmp_path: Path) -> None:
    runs = _run_both(node_modules, tmp_path, "memoize-context-value", "Provider.tsx", {}, PROVIDER_DRIVER)
    assert runs["before"] == runs["after"]
    provided = html.unescape(runs["before"])
    assert '"tenant":"t1"' in provided and '"setUser":"fn"' in provided


def test_packages_without_npm_give_the_reason(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PERFREWRITE_TEST_NPM_DIR", str(tmp_path))
    monkeypatch.setattr(npm_helpers.shutil, "which", lambda tool: None if tool == "npm" else f"/usr/bin/{tool}")
    with pytest.raises(RuntimeError, match="npm is not installed"):
        npm_helpers.install_node_packages()
    assert list(tmp_path.iterdir()) == []


def test_lazy_import_keeps_the_lines_above_a_moved_import() -> None:
    """The blank line that ended an import group, and a comment above the import, stay where they were."""
    source = (
        "import re\n\n# images\nimport cv2\nimport numpy as np\n\n\n"
        "def edges(image):\n    return cv2.Canny(np.asarray(image), 1, 2), re.I\n"
    )
    moved = lazy_import.transform(libcst.parse_module(source), {4}).code
    assert moved == (
        "import re\n\n# images\nimport numpy as np\n\n\n"
        "def edges(image):\n    import cv2\n    return cv2.Canny(np.asarray(image), 1, 2), re.I\n"
    )
