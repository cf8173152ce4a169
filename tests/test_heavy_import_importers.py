"""heavy-import-at-module-level counts what the rest of the program pays anyway: importers that load the library
themselves or import the module lazily, functions run on import, and module-level annotations."""

from __future__ import annotations

from pathlib import Path

from optimizer.api import analyze

HEAVY = "heavy-import-at-module-level"
ML = "import torch\n\n\ndef embed():\n    return torch.zeros(1)\n"


def _heavy_paths(root: Path, files: dict[str, str]) -> list[str]:
    for rel, text in files.items():
        (root / rel).write_text(text, encoding="utf-8")
    return sorted(f.path for f in analyze(root, use_cache=False).findings if f.rule == HEAVY)


def test_import_is_not_reported_when_every_importer_loads_the_library_anyway(tmp_path):
    server = "import torch\nfrom ml import embed\n\nDEVICE = torch.device('cpu')\n\n\ndef handler():\n    return embed()\n"
    assert _heavy_paths(tmp_path, {"ml.py": ML, "server.py": server}) == []


def test_import_is_reported_when_one_importer_would_not_load_the_library(tmp_path):
    light = "from ml import embed\n\nNAME = 'light'\n\n\ndef handler():\n    return embed()\n"
    server = "import torch\nfrom ml import embed\n\nDEVICE = torch.device('cpu')\n"
    assert _heavy_paths(tmp_path, {"ml.py": ML, "server.py": server, "light.py": light}) == ["light.py", "ml.py"]


def test_coverage_follows_importers_of_importers(tmp_path):
    # ml <- middle (torch only through ml) <- top (needs torch on import): nothing to save anywhere
    middle = "from ml import embed\n\n\ndef run():\n    return embed()\n"
    top = "import torch\nimport middle\n\nDEVICE = torch.device('cpu')\nmiddle.run()\n"
    assert _heavy_paths(tmp_path, {"ml.py": ML, "middle.py": middle, "top.py": top}) == []


def test_module_imported_only_inside_functions_is_already_deferred(tmp_path):
    cli = "def batch():\n    from ml import embed\n\n    return embed()\n"
    assert _heavy_paths(tmp_path, {"ml.py": ML, "cli.py": cli}) == []


def test_module_nothing_imports_is_still_reported(tmp_path):
    assert _heavy_paths(tmp_path, {"ml.py": ML}) == ["ml.py"]


def test_function_called_on_import_needs_its_names_on_import(tmp_path):
    script = ML + "\n\nif __name__ == '__main__':\n    embed()\n"
    chained = "import torch\n\n\ndef inner():\n    return torch.zeros(1)\n\n\ndef outer():\n    return inner()\n\n\nouter()\n"
    uncalled = "import torch\n\n\ndef inner():\n    return torch.zeros(1)\n\n\ndef outer():\n    return inner()\n"
    found = _heavy_paths(tmp_path, {"script.py": script, "chained.py": chained, "uncalled.py": uncalled})
    assert found == ["uncalled.py"]


def test_every_name_of_a_module_level_annotation_is_needed_on_import(tmp_path):
    state = "from typing import Dict\n\nfrom torch import Tensor\n\nCACHE: Dict[str, Tensor] = {}\n"
    postponed = (
        "from __future__ import annotations\n\nfrom typing import Dict\n\nfrom torch import Tensor\n\n\n"
        "def get(cache: Dict[str, Tensor]) -> None:\n    return None\n"
    )
    assert _heavy_paths(tmp_path, {"state.py": state, "postponed.py": postponed}) == ["postponed.py"]


def test_import_cycle_is_decided_by_its_importers_from_outside(tmp_path):
    # ml <-> tools import each other; server, the only way in, needs torch on import
    ml = "import torch\nimport tools\n\n\ndef embed():\n    return torch.zeros(1)\n"
    tools = "import ml\n\n\ndef run():\n    return ml.embed()\n"
    server = "import torch\nimport tools\n\nDEVICE = torch.device('cpu')\n"
    assert _heavy_paths(tmp_path, {"ml.py": ml, "tools.py": tools, "server.py": server}) == []
    light = "import tools\n\n\ndef handler():\n    return tools.run()\n"
    assert _heavy_paths(tmp_path, {"light.py": light}) == ["light.py", "ml.py", "tools.py"]


def test_name_the_facts_never_see_used_is_not_called_unused(tmp_path):
    # only an attribute assignment reads `transformers`: not a use the facts record, but a use all the same
    patched = "import transformers\n\n\ndef quiet():\n    transformers.logging.verbosity = 40\n"
    unused = "import transformers\n\n\ndef quiet():\n    return 40\n"
    assert _heavy_paths(tmp_path, {"patched.py": patched, "unused.py": unused}) == ["unused.py"]


def test_importing_a_submodule_imports_its_package_init(tmp_path):
    (tmp_path / "vision").mkdir()
    init = "from vision.detect import detect\n\n\ndef run():\n    return detect()\n"
    files = {"vision/__init__.py": init, "vision/detect.py": ML.replace("embed", "detect"), "vision/util.py": "X = 1\n"}
    server = "import torch\nfrom vision.util import X\n\nDEVICE = torch.device('cpu')\n"
    assert _heavy_paths(tmp_path, {**files, "server.py": server}) == []
    light = "from vision.util import X\n\nY = X\n"
    assert _heavy_paths(tmp_path, {"light.py": light}) == ["vision/__init__.py", "vision/detect.py"]


def _write(root: Path, files: dict[str, str]) -> None:
    for rel in files:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)


def test_a_package_init_that_loads_the_library_leaves_nothing_to_save(tmp_path):
    # importing `imaging.edges` runs `imaging/__init__.py` first, which loads torch through `imaging.core`
    files = {
        "imaging/__init__.py": "from imaging.core import tensor_of\n",
        "imaging/core.py": "import torch\n\n\ndef tensor_of(x):\n    return torch.tensor(x)\n",
        "imaging/edges.py": ML,
        "app.py": "from imaging.edges import embed\n\n\ndef handler():\n    return embed()\n",
    }
    _write(tmp_path, files)
    found = _heavy_paths(tmp_path, files)
    # `core` itself is what loads torch for the package: deferring there would help
    assert "imaging/edges.py" not in found and "imaging/core.py" in found


def test_from_package_import_modules_makes_the_package_user_an_importer_of_each(tmp_path):
    # `from routes import health, search` imports routes/search.py too; the app loads torch itself, so search
    # saves nothing
    files = {
        "routes/__init__.py": "",
        "routes/health.py": "def ping():\n    return 'ok'\n",
        "routes/search.py": ML,
        "app.py": (
            "import torch\nfrom routes import health, search\n\n"
            "DEVICE = torch.device('cpu')\nHANDLERS = [health.ping, search.embed]\n"
        ),
    }
    _write(tmp_path, files)
    assert _heavy_paths(tmp_path, files) == []


def test_a_standard_library_import_is_not_another_roots_module(tmp_path):
    # `flux/ops/__init__.py` makes `flux/` a source root; `import math` elsewhere is still the standard library
    files = {
        "flux/math.py": "import torch\n\n\ndef rope(x):\n    return torch.ones(x)\n",
        "flux/ops/__init__.py": "",
        "tools/grid.py": "from math import ceil\n\n\ndef cells(n):\n    return ceil(n / 2)\n",
        "tools/run.py": "from grid import cells\n\nprint(cells(3))\n",
    }
    _write(tmp_path, files)
    assert "tools/grid.py" not in _heavy_paths(tmp_path, files)
