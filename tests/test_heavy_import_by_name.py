"""heavy-import-at-module-level and modules loaded by name: a star import of a package whose `__all__` names its
submodules, or an `import_module` loop over a directory, imports those modules eagerly."""

from __future__ import annotations

from pathlib import Path

from optimizer.api import analyze

HEAVY = "heavy-import-at-module-level"
NEEDS_TORCH = "import torch\n\nDEVICE = torch.device('cpu')\n"
LAZY_TORCH = "import torch\n\n\ndef run():\n    return torch.zeros(1)\n"


def _heavy_paths(root: Path, files: dict[str, str]) -> list[str]:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return sorted(f.path for f in analyze(root, use_cache=False).findings if f.rule == HEAVY)


def test_a_literal_all_loads_only_the_submodules_it_names(tmp_path):
    files = {
        "nodes/__init__.py": "__all__ = ['device', 'listed']\n",
        "nodes/device.py": NEEDS_TORCH,
        "nodes/listed.py": LAZY_TORCH,
        "nodes/unlisted.py": LAZY_TORCH,
        "graph.py": "from nodes import *  # noqa: F403\n",
    }
    assert _heavy_paths(tmp_path, files) == ["nodes/unlisted.py"]


def test_a_computed_all_loads_every_public_submodule(tmp_path):
    files = {
        "nodes/__init__.py": "import os\n\n__all__ = [n[:-3] for n in os.listdir(os.path.dirname(__file__))]\n",
        "nodes/device.py": NEEDS_TORCH,
        "nodes/lazy.py": LAZY_TORCH,
        "nodes/_private.py": LAZY_TORCH,
        "graph.py": "from nodes import *  # noqa: F403\n",
    }
    assert _heavy_paths(tmp_path, files) == ["nodes/_private.py"]


def test_an_absolute_import_module_loop_loads_the_directory(tmp_path):
    loop = "from importlib import import_module\n\nfor name in ('device', 'lazy'):\n    import_module(f'pkg.loaders.{name}')\n"
    files = {
        "pkg/__init__.py": "",
        "pkg/loaders/__init__.py": "",
        "pkg/loaders/device.py": NEEDS_TORCH,
        "pkg/loaders/lazy.py": LAZY_TORCH,
        "pkg/registry.py": loop,
    }
    assert _heavy_paths(tmp_path, files) == []


def test_import_module_inside_a_function_or_by_a_module_name_loads_nothing_eagerly(tmp_path):
    in_function = "import importlib\n\n\ndef load(name):\n    return importlib.import_module(f'{__package__}.{name}')\n"
    module_name = "import importlib\n\nfor name in ('device', 'lazy'):\n    importlib.import_module(f'{__name__}.{name}')\n"
    files = {
        "a/__init__.py": "",
        "a/loader.py": in_function,
        "a/device.py": NEEDS_TORCH,
        "a/lazy.py": LAZY_TORCH,
        "b/__init__.py": "",
        "b/loader.py": module_name,
        "b/device.py": NEEDS_TORCH,
        "b/lazy.py": LAZY_TORCH,
    }
    assert _heavy_paths(tmp_path, files) == ["a/lazy.py", "b/lazy.py"]
