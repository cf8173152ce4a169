"""Packages of a JS monorepo's own workspaces: ``@acme/lib/utils/dates`` names a file of the package whose
package.json says ``"name": "@acme/lib"``, resolved to the source in the repository rather than node_modules."""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from optimizer.tsconfig import ancestor_directories

# export conditions read in this order: source first, emitted files last (they are usually not in the repo)
_CONDITIONS = ("source", "development", "import", "module", "default", "require", "node", "types")
# package.json fields that name the entry file, most source-like first
_ENTRY_FIELDS = ("source", "module", "main", "types", "typings")


@dataclass(frozen=True)
class LocalPackage:
    directory: str  # relative posix, "" for the root
    entries: tuple[str, ...]  # entry files relative to the directory, best first
    exports: tuple[tuple[str, str], ...]  # subpath patterns ("./utils/*", "./src/utils/*.ts"), "." left out


def load_local_packages(root: Path, paths: Iterable[str]) -> dict[str, LocalPackage]:
    """Each named package.json at or above the directories of ``paths``, by package name; unreadable ones skipped."""
    packages: dict[str, LocalPackage] = {}
    for directory in sorted(ancestor_directories(paths)):
        file = Path(root, directory, "package.json")
        try:
            manifest = json.loads(file.read_text(encoding="utf-8")) if file.is_file() else None
        except (OSError, ValueError):
            continue
        if not isinstance(manifest, dict) or not isinstance(manifest.get("name"), str):
            continue
        exports = _export_map(manifest.get("exports"))
        entries = [exports.pop(".")] if "." in exports else []
        entries += [manifest[f] for f in _ENTRY_FIELDS if isinstance(manifest.get(f), str)]
        packages.setdefault(
            manifest["name"], LocalPackage(directory, tuple(entries), tuple(sorted(exports.items())))
        )
    return packages


def package_of(specifier: str) -> tuple[str, str]:
    """(package name, subpath) of a bare specifier: ``@a/b/c/d`` -> (``@a/b``, ``c/d``), ``x/y`` -> (``x``, ``y``)."""
    parts = specifier.split("/")
    cut = 2 if specifier.startswith("@") else 1
    return "/".join(parts[:cut]), "/".join(parts[cut:])


def export_targets(package: LocalPackage, subpath: str) -> list[str]:
    """Files (relative to the package) its ``exports`` map gives for ``subpath``; a single ``*`` is a wildcard."""
    wanted = "./" + subpath
    found = []
    for pattern, target in package.exports:
        if pattern == wanted:
            found.append(target)
        elif pattern.count("*") == 1:
            prefix, suffix = pattern.split("*")
            if wanted.startswith(prefix) and wanted.endswith(suffix) and len(wanted) >= len(prefix) + len(suffix):
                found.append(target.replace("*", wanted[len(prefix) : len(wanted) - len(suffix)]))
    return found


def _export_map(exports: object) -> dict[str, str]:
    """``exports`` as subpath -> one target file; a bare string or condition object is the ``.`` entry."""
    if isinstance(exports, (str, list)) or (isinstance(exports, dict) and not any(k.startswith(".") for k in exports)):
        exports = {".": exports}
    if not isinstance(exports, dict):
        return {}
    result = {}
    for key, value in exports.items():
        target = _target(value)
        if isinstance(key, str) and key.startswith(".") and target:
            result[key] = target
    return result


def _target(value: object) -> str | None:
    if isinstance(value, str):
        return posixpath.normpath(value) if value.startswith("./") else None
    if isinstance(value, list):
        return next((t for t in map(_target, value) if t), None)
    if isinstance(value, dict):
        return next((t for c in _CONDITIONS if c in value and (t := _target(value[c]))), None)
    return None
