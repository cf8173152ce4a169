"""Import-cost rules: the cost table, eager loads through project modules, name uses, bundle and route checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzers.detectors._import_costs import python_import_ms
from optimizer.api import analyze
from optimizer.config import parse_config

HEAVY = "heavy-import-at-module-level"


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _findings(root: Path, rule: str, options: dict | None = None):
    config = parse_config({"rules": {rule: options}}) if options else None
    return [f for f in analyze(root, config=config, use_cache=False).findings if f.rule == rule]


@pytest.mark.parametrize(
    ("source", "names", "expected"),
    [
        ("matplotlib", ("pyplot",), ("matplotlib.pyplot", 400)),
        ("matplotlib", ("colors",), ("matplotlib", 150)),
        ("torch.nn", (), ("torch", 1500)),
        ("numpy", (), ("numpy", 80)),
        ("requests", (), None),
        ("torchmetrics", (), None),
    ],
)
def test_import_time_uses_the_longest_dotted_prefix(source, names, expected):
    assert python_import_ms(source, names) == expected


def test_chain_through_two_project_modules_is_related(tmp_path):
    _write(tmp_path, {
        "app/__init__.py": "",
        "app/api.py": "from app.service import run\n\n\ndef handler():\n    return run()\n",
        "app/service.py": "import app.model\n\n\ndef run():\n    return app.model.infer()\n",
        "app/model.py": "import tensorflow as tf\n\n\ndef infer():\n    return tf.constant(1)\n",
    })
    by_path = {f.path: f for f in _findings(tmp_path, HEAVY)}
    api = by_path["app/api.py"]
    assert "tensorflow (~2500 ms) through `app.service`" in api.message
    assert "only used inside `handler`" in api.message
    assert [(r.path, r.line) for r in api.related] == [("app/service.py", 1), ("app/model.py", 1)]
    assert set(by_path) == {"app/api.py", "app/service.py", "app/model.py"}


def test_library_the_module_needs_on_import_is_not_saved_by_a_lazy_project_import(tmp_path):
    _write(tmp_path, {
        "ml.py": "import torch\n\n\ndef embed():\n    return torch.zeros(1)\n",
        "api.py": "import torch\nfrom ml import embed\n\nZERO = torch.zeros(1)\n\n\ndef handler():\n    return embed()\n",
        # a second importer that needs torch nowhere keeps ml.py's own import worth deferring
        "cli.py": "from ml import embed\n\n\ndef main():\n    return embed()\n",
    })
    assert sorted(f.path for f in _findings(tmp_path, HEAVY)) == ["cli.py", "ml.py"]


def test_import_cycles_end_and_unused_names_next_to_a_class_are_kept(tmp_path):
    _write(tmp_path, {
        "a.py": "import b\nimport pandas\n\n\nclass Frame(pandas.DataFrame):\n    pass\n",
        "b.py": "import a\n\n\ndef g():\n    return a.Frame()\n",
        "c.py": "import b\n\n\ndef h():\n    return b.g()\n",
    })
    by_path = {f.path: f for f in _findings(tmp_path, HEAVY)}
    assert set(by_path) == {"b.py", "c.py"}
    assert [(r.path, r.line) for r in by_path["c.py"].related] == [("b.py", 1), ("a.py", 2)]


def test_threshold_option_reports_cheaper_libraries(tmp_path):
    _write(tmp_path, {"calc.py": "import numpy as np\n\n\ndef mean(xs):\n    return np.mean(xs)\n"})
    assert _findings(tmp_path, HEAVY) == []
    [finding] = _findings(tmp_path, HEAVY, {"min-ms": 50})
    assert "numpy (~80 ms)" in finding.message


def test_annotations_count_as_import_time_use_unless_postponed(tmp_path):
    body = "import pandas as pd\n\n\ndef load(frame: pd.DataFrame) -> None:\n    return None\n"
    _write(tmp_path, {"eager.py": body, "postponed.py": "from __future__ import annotations\n" + body})
    assert [f.path for f in _findings(tmp_path, HEAVY)] == ["postponed.py"]


def test_whole_library_import_skips_backend_code(tmp_path):
    code = "import moment from 'moment';\nexport const now = () => moment().format();\n"
    _write(tmp_path, {
        "web/package.json": '{"dependencies": {"react": "18.2.0"}}',
        "web/src/time.ts": code,
        "api/package.json": '{"dependencies": {"express": "4.18.2"}}',
        "api/src/time.ts": code,
    })
    [finding] = _findings(tmp_path, "whole-library-import")
    assert finding.path == "web/src/time.ts"
    assert "~290 kB" in finding.message


def test_static_route_import_hints_named_exports_and_skips_file_routers(tmp_path):
    router = (
        "import { Route, Routes } from 'react-router-dom';\n"
        "import { Reports } from './views';\n"
        "export const App = () => <Routes><Route path=\"/r\" element={<Reports />} /></Routes>;\n"
    )
    _write(tmp_path, {
        "package.json": '{"dependencies": {"react": "18.2.0"}}',
        "src/views/index.tsx": "export const Reports = () => <div />;\n",
        "src/App.tsx": router,
        "pages/App.tsx": router.replace("./views", "../src/views"),
    })
    [finding] = _findings(tmp_path, "static-route-import")
    assert finding.path == "src/App.tsx" and finding.line == 2
    assert "import('./views').then((m) => ({ default: m.Reports }))" in finding.message
