"""Bad input never stops a run: each problem is reported and every other file is still analysed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from optimizer.api import analyze

N_PLUS_ONE_PY = """
def load(session, ids):
    out = []
    for i in ids:
        out.append(session.execute(f"SELECT * FROM users WHERE id = {i}"))
    return out
"""


@pytest.fixture
def healthy(tmp_path: Path) -> Path:
    (tmp_path / "good.py").write_text(N_PLUS_ONE_PY)
    return tmp_path


def errors_for(report, name: str) -> list[str]:
    return [e.message for e in report.errors if e.path.endswith(name)]


def assert_good_file_still_analysed(report):
    assert [(f.path, f.rule) for f in report.findings] == [("good.py", "n-plus-one-query")]


def test_syntax_error(healthy):
    (healthy / "broken.py").write_text("def f(:\n    pass\n")
    (healthy / "broken.ts").write_text("export function f( {\n")
    report = analyze(healthy, use_cache=False)
    assert "syntax error" in errors_for(report, "broken.py")[0]
    assert "syntax error" in errors_for(report, "broken.ts")[0]
    assert_good_file_still_analysed(report)


def test_invalid_utf8(healthy):
    (healthy / "latin.py").write_bytes(b"name = '\xe9t\xe9'\n")
    (healthy / "latin.ts").write_bytes(b"const name = '\xe9t\xe9';\n")
    report = analyze(healthy, use_cache=False)
    for name in ("latin.py", "latin.ts"):
        [message] = errors_for(report, name)
        assert "utf-8" in message.lower() or "decode" in message.lower()
    assert_good_file_still_analysed(report)


def test_fifty_megabyte_file(healthy):
    with open(healthy / "huge.ts", "wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    report = analyze(healthy, use_cache=False)
    assert "max-file-size" in errors_for(report, "huge.ts")[0]
    assert report.stats["skipped"]["larger than max-file-size"] == 1
    assert_good_file_still_analysed(report)


def test_symlink_loop(healthy):
    (healthy / "pkg").mkdir()
    (healthy / "pkg" / "loop").symlink_to(healthy, target_is_directory=True)
    (healthy / "self").symlink_to("self")  # a link that points at itself
    report = analyze(healthy, use_cache=False)
    assert any("symlink loop" in e.message for e in report.errors)
    assert_good_file_still_analysed(report)


def test_empty_directory(tmp_path):
    report = analyze(tmp_path, use_cache=False)
    assert report.findings == [] and report.errors == [] and report.stats["files"] == 0


def test_path_that_does_not_exist(healthy):
    report = analyze([healthy / "good.py", healthy / "missing.py"], root=healthy, use_cache=False)
    assert errors_for(report, "missing.py") == ["path does not exist"]
    assert_good_file_still_analysed(report)


def test_unreadable_file(healthy, monkeypatch):
    secret = healthy / "secret.py"
    secret.write_text("x = 1\n")
    secret.chmod(0)
    if os.geteuid() == 0:  # root reads anything: make the OS refusal happen for this one file
        import builtins

        real_open = builtins.open

        def refusing_open(file, *args, **kwargs):
            if str(file) == str(secret):
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", refusing_open)
    try:
        report = analyze(healthy, use_cache=False)
    finally:
        secret.chmod(0o644)
    assert "Permission denied" in errors_for(report, "secret.py")[0]
    assert_good_file_still_analysed(report)


def test_front_end_crash_costs_one_file(healthy, monkeypatch):
    from analyzers import python as python_frontend

    real_parse = python_frontend.parse

    def flaky(path, source):
        if path == "boom.py":
            raise RuntimeError("boom")
        return real_parse(path, source)

    monkeypatch.setattr(python_frontend, "parse", flaky)
    (healthy / "boom.py").write_text("x = 1\n")
    report = analyze(healthy, use_cache=False, jobs=1)
    assert "internal error" in errors_for(report, "boom.py")[0]
    assert_good_file_still_analysed(report)
