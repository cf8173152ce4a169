"""blocking-call-in-async: a blocking site shared by many handlers is one finding, flag-gated calls are
info, and loaders handed bytes in memory are described as decoding."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from analyzers.frontends import parse_source
from optimizer.api import analyze
from optimizer.findings import Finding, Severity

HANDLERS = """
    import os
    from fastapi import FastAPI
    from helpers import log_usage, is_tracing_enabled, write_trace
    app = FastAPI()

    @app.get("/a")
    async def a():
        log_usage("a")

    @app.get("/b")
    async def b():
        log_usage("b")
        if is_tracing_enabled():
            write_trace("b")

    @app.get("/c")
    async def c():
        log_usage("c")
        log_usage("c again")
    """
HELPERS = """
    def _server_id():
        with open("/etc/app-id") as handle:
            return handle.read()

    def log_usage(event):
        return {"event": event, "id": _server_id()}

    def is_tracing_enabled():
        return False

    def write_trace(payload):
        with open("/tmp/trace", "a") as handle:
            handle.write(payload)
    """


def findings(root: Path, files: dict[str, str]) -> list[Finding]:
    for name, source in files.items():
        (root / name).write_text(textwrap.dedent(source))
    report = analyze(root, use_cache=False)
    return sorted((f for f in report.findings if f.rule == "blocking-call-in-async"), key=lambda f: (f.path, f.line))


def test_a_site_many_handlers_reach_is_one_finding_where_it_blocks(tmp_path: Path) -> None:
    found = findings(tmp_path, {"app.py": HANDLERS, "helpers.py": HELPERS})
    shared = [f for f in found if (f.path, f.line) == ("helpers.py", 3)]
    assert len(shared) == 1 and not any(f.path == "app.py" and "log_usage" in f.message for f in found)
    [finding] = shared
    assert "4 calls" in finding.message and "_server_id" in finding.message and finding.fix is None
    assert sorted(r.line for r in finding.related) == [9, 13, 19, 20]


def test_a_site_one_handler_reaches_stays_at_each_call_with_the_codemod(tmp_path: Path) -> None:
    app = """
        from fastapi import FastAPI
        from helpers import log_usage
        app = FastAPI()

        @app.get("/c")
        async def c():
            log_usage("c")
            log_usage("c again")
        """
    found = findings(tmp_path, {"app.py": app, "helpers.py": HELPERS})
    assert [(f.path, f.line) for f in found] == [("app.py", 8), ("app.py", 9)]
    assert {f.fix.codemod for f in found if f.fix} == {"offload-blocking-call"}


def test_a_call_behind_a_flag_is_reported_at_info(tmp_path: Path) -> None:
    found = findings(tmp_path, {"app.py": HANDLERS, "helpers.py": HELPERS})
    [gated] = [f for f in found if "write_trace" in f.message]
    assert gated.severity is Severity.INFO and "`is_tracing_enabled()`" in gated.message
    assert all(f.severity is Severity.WARNING for f in found if f is not gated)


def test_decoding_bytes_in_memory_is_not_called_a_file_read(tmp_path: Path) -> None:
    app = """
        import io
        from fastapi import FastAPI
        from PIL import Image
        app = FastAPI()

        @app.post("/a")
        async def a(data: bytes):
            buffer = io.BytesIO(data)
            first = Image.open(buffer)
            second = Image.open(io.BytesIO(data))
            return first, second, Image.open("/data/a.png")
        """
    found = findings(tmp_path, {"app.py": app})
    assert ["decoding" in f.message for f in found] == [True, True, False]
    assert "file read" in found[-1].message


@pytest.mark.parametrize(
    ("test", "gated"),
    [
        ("is_promptrace_enabled()", True),
        ("settings.DEBUG", True),
        ("os.getenv('TRACE') == '1'", True),
        ("os.environ['TRACE'] and verbose", True),
        ("not state.telemetry_enabled", True),
        ("user.is_admin and DEBUG", False),  # request data decides too
        ("payload", False),
    ],
)
def test_flag_gates(test: str, gated: bool) -> None:
    source = f"def f():\n    if {test}:\n        g()\n    else:\n        h()\n"
    module = parse_source("m.py", "python", source.encode())
    assert (module.flag_gate(3) is not None) is gated
    assert module.flag_gate(5) is None  # the else branch runs when the flag is off


@pytest.mark.parametrize(
    ("call", "advice"),
    [
        ("fs.readFileSync('a.txt')", "`fs.promises.readFile`"),
        ("crypto.pbkdf2Sync(p, s, 100000, 64, 'sha512')", "`crypto.pbkdf2` (promisified)"),
        ("zlib.gzipSync(body)", "`zlib.gzip` (promisified)"),
    ],
)
def test_node_sync_call_names_its_async_counterpart(tmp_path: Path, call: str, advice: str) -> None:
    (tmp_path / "server.js").write_text(
        "const fs = require('fs');\nconst crypto = require('crypto');\nconst zlib = require('zlib');\n"
        "const express = require('express');\nconst app = express();\n"
        f"app.post('/a', (req, res) => {{\n  const p = req.body.p, s = req.body.s, body = req.body;\n"
        f"  res.send({call});\n}});\n"
    )
    (finding,) = [f for f in analyze([tmp_path], root=tmp_path, use_cache=False).findings
                  if f.rule == "blocking-call-in-async"]
    assert advice in finding.message
    assert "fs.promises" not in finding.message or call.startswith("fs.")
