"""Finding and reading tsconfig.json / jsconfig.json: JSONC parsing, relative ``extends``, and the
``baseUrl`` / ``paths`` options that module resolution needs."""

from __future__ import annotations

import json
import os
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONFIG_NAMES = ("tsconfig.json", "jsconfig.json")

# Strings are matched first so that comment markers and commas inside them are kept.
_COMMENTS = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/', re.S)
_TRAILING_COMMAS = re.compile(r'"(?:\\.|[^"\\])*"|,(?=\s*[}\]])')


def parse_jsonc(text: str) -> Any:
    """Parse JSON with comments and trailing commas, as TypeScript accepts it. Raises ValueError."""
    text = text.lstrip("\ufeff")
    text = _COMMENTS.sub(lambda m: m.group(0) if m.group(0).startswith('"') else " ", text)
    text = _TRAILING_COMMAS.sub(lambda m: m.group(0) if m.group(0).startswith('"') else "", text)
    return json.loads(text)


def load_tsconfigs(root: Path, paths: Iterable[str]) -> dict[str, dict]:
    """Map each directory (relative posix, ``""`` for the root) that holds a tsconfig.json or jsconfig.json,
    among the directories of ``paths`` and their ancestors, to its compilerOptions merged with ``extends``.

    ``baseUrl`` and ``paths`` are rewritten so that they read as if written in that directory's own config
    (an inherited ``baseUrl`` is relative to the config that set it). Unreadable configs are skipped.
    """
    root = Path(os.path.abspath(root))
    configs: dict[str, dict] = {}
    for directory in sorted(ancestor_directories(paths)):
        for name in CONFIG_NAMES:
            file = root / directory / name
            if not file.is_file():
                continue
            options = _read(file)
            if options is not None:
                configs[directory] = options.as_written_in(file.parent)
                break
    return configs


def ancestor_directories(paths: Iterable[str]) -> set[str]:
    """The directories of ``paths`` and all their ancestors, relative posix, ``""`` for the root."""
    directories: set[str] = set()
    for path in paths:
        directory = posixpath.dirname(path)
        while directory not in directories:
            directories.add(directory)
            if not directory:
                break
            directory = posixpath.dirname(directory)
    return directories


@dataclass
class _Options:
    """compilerOptions with ``baseUrl`` made absolute and the directory that ``paths`` is relative to."""

    options: dict[str, Any]
    base_url: str | None = None
    paths: dict[str, list[str]] | None = None
    paths_dir: str | None = None

    def update(self, other: _Options) -> None:
        self.options.update(other.options)
        if other.base_url is not None:
            self.base_url = other.base_url
        if other.paths is not None:
            self.paths, self.paths_dir = other.paths, other.paths_dir

    @property
    def resolves_modules(self) -> bool:
        return self.base_url is not None or self.paths is not None

    def as_written_in(self, directory: Path) -> dict[str, Any]:
        result = dict(self.options)
        result.pop("baseUrl", None)
        result.pop("paths", None)
        if self.base_url is not None:
            result["baseUrl"] = _posix_relpath(self.base_url, directory)
        if self.paths is not None:
            paths = self.paths
            # Without a baseUrl, paths are relative to the config that declared them.
            if self.base_url is None and self.paths_dir is not None:
                prefix = _posix_relpath(self.paths_dir, directory)
                paths = {key: [_join(prefix, target) for target in targets] for key, targets in paths.items()}
            result["paths"] = paths
        return result


def _read(file: Path, seen: frozenset[str] = frozenset()) -> _Options | None:
    key = os.path.normpath(file)
    if key in seen:
        return None
    try:
        data = parse_jsonc(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    seen = seen | {key}
    merged = _Options({})
    extends = data.get("extends")
    for parent in [extends] if isinstance(extends, str) else extends if isinstance(extends, list) else []:
        base = _extended_file(file.parent, parent)
        inherited = _read(base, seen) if base else None
        if inherited is not None:
            merged.update(inherited)
    own = _own_options(file.parent, data.get("compilerOptions"))
    merged.update(own)
    if not merged.resolves_modules:
        # Solution-style configs (Vite's template) keep baseUrl/paths in a referenced tsconfig.app.json.
        for reference in data.get("references") or []:
            referenced = _referenced_file(file.parent, reference)
            options = _read(referenced, seen) if referenced else None
            if options is not None and options.resolves_modules:
                merged.update(_Options({}, options.base_url, options.paths, options.paths_dir))
                break
    return merged


def _own_options(directory: Path, raw: Any) -> _Options:
    if not isinstance(raw, dict):
        return _Options({})
    options = _Options(dict(raw))
    base_url = raw.get("baseUrl")
    if isinstance(base_url, str):
        options.base_url = os.path.normpath(directory / base_url)
    paths = raw.get("paths")
    if isinstance(paths, dict):
        options.paths = {
            key: [t for t in targets if isinstance(t, str)]
            for key, targets in paths.items()
            if isinstance(key, str) and isinstance(targets, list)
        }
        options.paths_dir = os.path.normpath(directory)
    return options


def _extended_file(directory: Path, name: Any) -> Path | None:
    # Package names (``@tsconfig/node20``) would need node_modules resolution; only relative files are followed.
    if not isinstance(name, str) or not name.startswith((".", "/")):
        return None
    file = directory / name
    if not file.is_file() and not name.endswith(".json"):
        file = directory / f"{name}.json"
    return file if file.is_file() else None


def _referenced_file(directory: Path, reference: Any) -> Path | None:
    if not isinstance(reference, dict) or not isinstance(reference.get("path"), str):
        return None
    file = directory / reference["path"]
    if file.is_dir():
        file = file / "tsconfig.json"
    return file if file.is_file() else None


def _posix_relpath(target: str, directory: Path) -> str:
    relative = Path(os.path.relpath(target, directory)).as_posix()
    return "." if relative in ("", ".") else relative


def _join(*parts: str) -> str:
    return posixpath.normpath(posixpath.join(*parts))
