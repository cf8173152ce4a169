"""Whether the React Compiler builds the analysed code: it memoises components, props and context values itself,
so rules about missing `useMemo`/`useCallback`/`memo` have nothing to report."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from optimizer.components import manifest_dependencies

_PLUGIN = "babel-plugin-react-compiler"
# Build configs that turn the compiler on: babel's plugin list, Vite's react plugin options, Next's `reactCompiler`.
_CONFIG_STEMS = ("babel.config", ".babelrc", "vite.config", "next.config")
_CONFIG_SUFFIXES = ("", ".js", ".cjs", ".mjs", ".ts", ".mts", ".json")
_CONFIG_MARKERS = (_PLUGIN, "react-compiler", "reactCompiler")


def react_compiler_enabled(root: Path, paths: Iterable[str]) -> bool:
    """True when a package.json or build config in a directory holding an analysed file (``paths`` are relative
    to ``root``), or above one up to ``root``, enables the React Compiler."""
    directories: set[str] = set()
    for rel in paths:
        parts = rel.split("/")[:-1]
        directories.update("/".join(parts[:depth]) for depth in range(len(parts) + 1))
    return any(_enables_compiler(root / directory if directory else root) for directory in sorted(directories))


def _enables_compiler(base: Path) -> bool:
    manifest = base / "package.json"
    if manifest.is_file():
        try:
            if _PLUGIN in manifest_dependencies(json.loads(manifest.read_text(encoding="utf-8"))):
                return True
        except (OSError, ValueError):
            pass  # an unreadable manifest is reported by component discovery
    for stem in _CONFIG_STEMS:
        for suffix in _CONFIG_SUFFIXES:
            config = base / f"{stem}{suffix}"
            if config.is_file() and _mentions_compiler(config):
                return True
    return False


def _mentions_compiler(config: Path) -> bool:
    try:
        text = config.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(marker in text for marker in _CONFIG_MARKERS)
