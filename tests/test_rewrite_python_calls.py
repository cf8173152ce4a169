"""offload-blocking-call and cache-pure-function: the shapes they decline, where the detectors offer them, and
the fixture pairs run before and after the rewrite with the same results (STYLE item 8)."""

from __future__ import annotations

import asyncio
import importlib.util
import sqlite3
import sys
import textwrap
import threading
import types
from pathlib import Path

import libcst
import pytest

from optimizer.api import analyze
from rewriters.edits import NoFix
from rewriters.python import cache_pure_function, offload_blocking_call

PAIRS = Path(__file__).resolve().parent.parent / "fixtures" / "rewrites"


def _fixes(root: Path, files: dict[str, str], rule: str) -> list[tuple[int, str | None]]:
    """(line, codemod or None) of each finding of ``rule`` on ``files`` written under ``root``."""
    for name, source in files.items():
        (root / name).write_text(textwrap.dedent(source), encoding="utf-8")
    findings = analyze(root, root=root, use_cache=False).findings
    found = [(f.line, f.fix.codemod if f.fix else None) for f in findings if f.rule == rule]
    return sorted(found, key=lambda pair: (pair[0], pair[1] or ""))


def _line_of(source: str, text: str) -> int:
    return next(i for i, line in enumerate(source.splitlines(), 1) if text in line)


# -- offload-blocking-call ---------------------------------------------------------------------------------

ROUTE = "import requests, sqlite3, time\nfrom fastapi import FastAPI\napp = FastAPI()\n\n@app.get('/x')\n"


@pytest.mark.parametrize(
    ("body", "marker", "why"),
    [
        ("    with requests.get(url, stream=True) as r:\n        return r.text\n", "with", "entered by `with`"),
        ("    return await requests.get(url)\n", "await", "already awaited"),
        ("    return [requests.get(u) for u in url]\n", "for u", "comprehension"),
        ("    return await loop.run_in_executor(None, lambda: requests.get(url))\n", "lambda", "lambda"),
        ("    def inner():\n        return requests.get(url)\n    return inner\n", "return requests", "exactly one"),
        ("    return open(url).read()\n", "open", "reads on the file"),
        ("    conn = sqlite3.connect(url)\n    return conn\n", "connect", "connection"),
        ("    return fetch(url) + fetch(url)\n", "fetch", "exactly one"),
        ("    return helper(url, func=len)\n", "helper", "`func=`"),
    ],
)
def test_offload_declines_shapes_it_cannot_move(body: str, marker: str, why: str) -> None:
    threadpool = "from starlette.concurrency import run_in_threadpool\n" if "func=" in body else ""
    source = f"{threadpool}{ROUTE}async def handler(url, loop):\n{body}"
    with pytest.raises(NoFix, match=why):
        offload_blocking_call.transform(libcst.parse_module(source), {_line_of(source, marker)})


def test_offload_uses_an_imported_threadpool_alias_and_keeps_a_time_import_still_in_use() -> None:
    source = (
        "import time\nfrom time import sleep\nfrom starlette.concurrency import run_in_threadpool as in_pool\n"
        "import requests\n\nasync def handler(url):\n    sleep(1)\n    started = time.monotonic()\n"
        "    return requests.get(url).text, started\n"
    )
    code = offload_blocking_call.transform(libcst.parse_module(source), {7, 9}).code
    assert "    await asyncio.sleep(1)\n" in code
    assert "    return (await in_pool(requests.get, url)).text, started\n" in code
    assert "from time import sleep" not in code and "import time\n" in code
    assert "to_thread" not in code


def test_offload_fix_is_offered_only_where_the_codemod_applies(tmp_path: Path) -> None:
    module = ROUTE + textwrap.dedent(
        """\
        async def handler(url):
            time.sleep(1)
            data = load(url)
            both = load(url) + len(url)
            with open(url) as handle:
                text = handle.read()
            with requests.get(url, stream=True) as response:
                body = response.json()
            return [requests.get(u) for u in url], data, both, text, body

        def load(url):
            return requests.get(url).text
        """
    )
    assert _fixes(tmp_path, {"app.py": module}, "blocking-call-in-async") == [
        (7, "offload-blocking-call"),  # time.sleep
        (8, "offload-blocking-call"),  # a project function that blocks, alone on its line
        (9, None),  # beside another call
        (10, None),  # open: the reads would still block
        (12, None),  # entered by `with`
        (14, None),  # in a comprehension
    ]


def test_node_sync_calls_stay_advice(tmp_path: Path) -> None:
    server = (
        "const fs = require('fs');\nconst express = require('express');\nconst app = express();\n"
        "app.get('/a', (req, res) => {\n  res.send(fs.readFileSync('a.txt'));\n});\n"
    )
    assert _fixes(tmp_path, {"server.js": server}, "blocking-call-in-async") == [(5, None)]


def _load(path: Path, name: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _stub_module(monkeypatch: pytest.MonkeyPatch, name: str, **attributes) -> None:
    module = types.ModuleType(name)
    module.__dict__.update(attributes)
    monkeypatch.setitem(sys.modules, name, module)


class _App:
    """FastAPI's decorators, keeping the handlers as they are."""

    def __getattr__(self, method: str):
        return lambda path: (lambda handler: handler)


def test_offloaded_users_handlers_give_the_same_responses(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    db = tmp_path / "users.db"
    with sqlite3.connect(db) as conn:
        conn.executescript("CREATE TABLE users (id INT, name TEXT); INSERT INTO users VALUES (1, 'ada'), (2, 'bob');")
    threads: list[str] = []  # where each stand-in blocking call ran

    def get(url, timeout):
        threads.append(threading.current_thread().name)
        return types.SimpleNamespace(json=lambda: {"url": url, "timeout": timeout})

    posts = iter([False, True] * 2)  # the retry loop succeeds on its second attempt, in each version

    def post(url, json, timeout):
        threads.append(threading.current_thread().name)
        return types.SimpleNamespace(ok=next(posts))

    _stub_module(monkeypatch, "requests", get=get, post=post)
    _stub_module(monkeypatch, "fastapi", FastAPI=_App)
    _stub_module(monkeypatch, "PIL", Image=types.SimpleNamespace(open=lambda path: types.SimpleNamespace(size=(4, 4))))
    results, ran_on = {}, {}
    for version, name in (("before", "users.py"), ("after", "users.fixed.py")):
        threads.clear()
        module = _load(PAIRS / "offload-blocking-call" / name, f"users_{version}")
        module.DB_PATH = str(db)

        async def calls(module=module):
            user = await module.get_user(2)
            user.pop("ms")
            return user, await module.retry_sync(2)

        results[version] = asyncio.run(calls())
        ran_on[version] = set(threads)
    assert results["before"] == results["after"]
    assert results["before"][0]["name"] == "bob" and results["before"][1] == {"synced": True}
    # the point of the rewrite: the blocking calls leave the loop's thread
    assert ran_on["before"] == {threading.current_thread().name}
    assert threading.current_thread().name not in ran_on["after"]


def test_reports_handlers_run_in_the_imported_threadpool(monkeypatch: pytest.MonkeyPatch) -> None:
    pooled: list[str] = []

    async def run_in_threadpool(func, *args, **kwargs):
        pooled.append(func.__name__)
        return await asyncio.to_thread(func, *args, **kwargs)

    def load(path, allow_pickle):
        return types.SimpleNamespace(tolist=lambda: [path, allow_pickle])

    _stub_module(monkeypatch, "numpy", load=load)
    _stub_module(monkeypatch, "fastapi", FastAPI=_App)
    _stub_module(monkeypatch, "fastapi.concurrency", run_in_threadpool=run_in_threadpool)
    results = {}
    for version, name in (("before", "reports.py"), ("after", "reports.fixed.py")):
        module = _load(PAIRS / "offload-blocking-call" / name, f"reports_{version}")
        module.subprocess = types.SimpleNamespace(run=lambda cmd, **kw: types.SimpleNamespace(stdout=" ".join(cmd)))

        async def calls(module=module):
            return await module.report_pdf("q3"), await module.report_series("q3")

        results[version] = asyncio.run(calls())
    assert results["before"] == results["after"] == ({"size": 16}, {"points": ["/data/series/q3.npy", False]})
    assert pooled == ["render_pdf", "load"]


# -- cache-pure-function -----------------------------------------------------------------------------------


def _cache_case(definition: str, argument: str = '"a"', prelude: str = "") -> tuple[libcst.Module, set[int]]:
    source = f"import json\nimport re\n{prelude}\n{textwrap.dedent(definition)}\n\ndef use(xs):\n"
    source += f"    for x in xs:\n        yield f({argument})\n"
    return libcst.parse_module(source), {_line_of(source, "yield f(")}


@pytest.mark.parametrize(
    ("definition", "why"),
    [
        ("def f(s: str, opts=[]):\n    return json.dumps(s)\n", "mutable default"),
        ("def f(s: str, *rest):\n    return json.dumps(s)\n", r"\*args"),
        ("def f(s: str, **options):\n    return json.dumps(s)\n", r"\*\*kwargs"),
        ("def f(s: str):\n    global LAST\n    LAST = s\n    return json.dumps(s)\n", "`global`"),
        ("def f(s: str):\n    SEEN[s] = 1\n    return json.dumps(s)\n", r"assigns to `SEEN\[s\]`"),
        ("def f(s: str):\n    return json.dumps(s, **OPTIONS)\n", "reads `OPTIONS`"),
        ("def f(s: str):\n    return [re.compile(s)]\n", "mutable value"),
        ("def f(s: str):\n    out = {'s': json.dumps(s)}\n    return out\n", "mutable value"),
        ("def f(s: str):\n    return json.dumps(s)\n\nf = print\n", "bound more than once"),
    ],
)
def test_cache_declines_functions_it_cannot_prove(definition: str, why: str) -> None:
    module, lines = _cache_case(definition, prelude="SEEN = {}\nOPTIONS = {'indent': 2}\n")
    with pytest.raises(NoFix, match=why):
        cache_pure_function.transform(module, lines)


def test_cache_declines_a_constant_argument_that_is_not_hashable() -> None:
    module, lines = _cache_case("def f(p: str):\n    return re.compile(p)\n", "PATTERNS", "PATTERNS = ['a']\n")
    with pytest.raises(NoFix, match="`PATTERNS`"):
        cache_pure_function.transform(module, lines)


def test_cache_accepts_immutable_constants_locals_and_defaults() -> None:
    module, lines = _cache_case(
        "def f(p: str, flags: int = 0):\n    text = PREFIX + p\n    return re.compile(text, flags)\n",
        "WORD",
        "PREFIX = '^'\nWORD: str = 'w+'\n",
    )
    code = cache_pure_function.transform(module, lines).code
    assert "\n@functools.cache\ndef f(p: str, flags: int = 0):\n" in code and "import functools\n" in code


def test_cache_fix_is_offered_only_for_pure_module_functions(tmp_path: Path) -> None:
    module = """\
        import functools, hashlib, json, time

        def digest(key: str):
            return hashlib.sha256(key.encode()).hexdigest()

        def parsed(text: str):
            return json.loads(text)

        def stamped(key: str):
            return json.dumps({"key": key, "at": time.time()})

        async def remote(key: str):
            return json.dumps(key)

        @functools.lru_cache
        def cached(key: str):
            return json.dumps(key)

        class Codec:
            def encode(self, key: str):
                return json.dumps(key)

        def handler(rows, name):
            codec = Codec()
            for row in rows:
                row.append((digest("a"), parsed("{}"), stamped("a"), remote("a"), cached("a"), codec.encode("a")))
                row.append(json.loads("{}"))
            return digest(name)
        """
    found = _fixes(tmp_path, {"app.py": module}, "repeated-pure-computation")
    # digest: pure, but also called with `name`, of unknown type; parsed: a mutable result; json.loads: a library
    assert found == [(26, None), (26, None), (27, None)]
    assert _fixes(tmp_path, {"app.py": module.replace("digest(name)", "digest('b')")}, "repeated-pure-computation") == [
        (26, None),
        (26, "cache-pure-function"),
        (27, None),
    ]


class _Counting:
    """A stand-in module that counts the calls of its functions and forwards them to the real one."""

    def __init__(self, real: types.ModuleType, counts: dict[str, int]) -> None:
        self.real, self.counts = real, counts

    def __getattr__(self, name: str):
        def counted(*args, **kwargs):
            self.counts[name] = self.counts.get(name, 0) + 1
            return getattr(self.real, name)(*args, **kwargs)

        return counted


@pytest.mark.parametrize(
    ("name", "library", "run"),
    [
        ("slugs.py", "re", lambda m: (m.route(["/news/a-b", "/sport/c", "/news/d"]), m.describe("sport"))),
        ("webhooks.py", "json", lambda m: m.deliver("acme", ["o1", "o2", "o3"])),
    ],
)
def test_cached_functions_give_the_same_results_with_fewer_calls(name: str, library: str, run) -> None:
    results, counts = {}, {}
    for version, file in (("before", name), ("after", name.replace(".py", ".fixed.py"))):
        module = _load(PAIRS / "cache-pure-function" / file, f"cached_{version}_{name[:-3]}")
        counts[version] = {}
        setattr(module, library, _Counting(getattr(module, library), counts[version]))
        results[version] = run(module)
    assert results["before"] == results["after"]
    assert sum(counts["after"].values()) < sum(counts["before"].values())
