"""Opt-in import-time measurement: real `python -X importtime` subprocesses, and their use by the rule."""

from __future__ import annotations

import sys

from optimizer import import_timing
from optimizer.api import analyze
from optimizer.config import Config

SERVICE = "import pandas\n\n\ndef summary(rows):\n    return pandas.DataFrame(rows).describe()\n"


def test_measures_installed_modules_and_skips_missing_ones():
    measured = import_timing.measure_import_ms(["email.mime.text", "no_such_module_here"], sys.executable)
    assert set(measured) == {"email.mime.text"} and measured["email.mime.text"] >= 0


def test_not_measured_unless_asked(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(import_timing, "measure_import_ms", lambda modules, python=None: calls.append(modules) or {})
    (tmp_path / "service.py").write_text(SERVICE)
    report = analyze(tmp_path, use_cache=False, config=Config(select=("heavy-import-at-module-level",)))
    assert calls == [] and "~300 ms" in report.findings[0].message


def test_measured_figures_replace_the_typical_ones(tmp_path, monkeypatch):
    seen = []

    def fake(modules, python=None):
        seen.append((set(modules), python))
        return {"pandas": 912}

    monkeypatch.setattr(import_timing, "measure_import_ms", fake)
    (tmp_path / "service.py").write_text(SERVICE)
    config = Config(select=("heavy-import-at-module-level",))
    report = analyze(tmp_path, use_cache=False, config=config, measure_imports=True, python="/opt/svc/bin/python")
    assert seen == [({"pandas"}, "/opt/svc/bin/python")]
    assert "pandas (912 ms measured)" in report.findings[0].message


def test_a_library_measured_as_cheap_is_not_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(import_timing, "measure_import_ms", lambda modules, python=None: {"pandas": 40})
    (tmp_path / "service.py").write_text(SERVICE)
    config = Config(select=("heavy-import-at-module-level",))
    assert analyze(tmp_path, use_cache=False, config=config, measure_imports=True).findings == []
