"""Module resolution: which analysed file an import specifier names, for JS/TS (relative paths, index files,
tsconfig ``baseUrl``/``paths``) and Python (packages, source roots, relative imports)."""

from __future__ import annotations

import posixpath
import sys
from dataclasses import dataclass, field
from pathlib import Path

from analyzers.facts import Import
from optimizer.js_packages import LocalPackage, export_targets, package_of

JS_EXTENSIONS = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")
# TS ESM projects write the extension of the emitted file: ``./db.js`` names ``db.ts``.
_EMITTED_TO_SOURCE = {
    ".js": (".ts", ".tsx"),
    ".jsx": (".tsx",),
    ".mjs": (".mts",),
    ".cjs": (".cts",),
}
_PYTHON_EXTENSIONS = (".py", ".pyi")


@dataclass
class ProjectFiles:
    """What the graph needs to know about the file set."""

    root: Path
    paths: set[str]  # relative posix paths of analysed files
    tsconfigs: dict[str, dict] = field(default_factory=dict)  # dir ("" for root) -> merged compilerOptions
    packages: dict[str, LocalPackage] = field(default_factory=dict)  # the repo's own JS packages, by name


class ModuleResolver:
    """Resolves import specifiers to analysed paths; results are cached per importing directory."""

    def __init__(self, files: ProjectFiles) -> None:
        self.paths = files.paths
        self.tsconfigs = files.tsconfigs
        self.packages = files.packages
        self._js_cache: dict[tuple[str, str], str | None] = {}
        self._py_cache: dict[tuple[str, str, int], str | None] = {}
        self._nearest_config: dict[str, str | None] = {}
        self._python_roots = _python_roots(files.paths)

    def resolve(self, from_path: str, imp: Import) -> str | None:
        """The analysed module an import names, or None for external packages. ``from pkg import sub`` names
        the submodule ``sub`` when there is one; ``targets`` lists every module an import loads."""
        if imp.kind != "python":
            return self.js(from_path, imp.source)
        if _is_from_import(imp):
            for name in imp.names:
                submodule = self.python_submodule(from_path, imp.source, imp.level, name.imported)
                if submodule:
                    return submodule
        return self.python(from_path, imp.source, imp.level)

    def targets(self, from_path: str, imp: Import) -> dict[str, tuple[str, ...]]:
        """Every analysed module the import loads, with the names it takes from each: ``from pkg import sub, x``
        loads the package (for ``x``) and the submodule ``sub``."""
        names = tuple(n.imported for n in imp.names)
        if imp.kind != "python":
            module = self.js(from_path, imp.source)
            return {module: names} if module else {}
        module = self.python(from_path, imp.source, imp.level)
        if not _is_from_import(imp):
            return {module: names} if module else {}
        result: dict[str, tuple[str, ...]] = {}
        package_names = []
        for name in names:
            submodule = self.python_submodule(from_path, imp.source, imp.level, name)
            if submodule:
                result[submodule] = (name,)
            else:
                package_names.append(name)
        if module:
            result[module] = tuple(package_names)
        return result

    def package_name(self, from_path: str, imp: Import) -> str | None:
        """The external package an unresolved import names: ``react-dom/client`` -> ``react-dom``,
        ``@prisma/client/x`` -> ``@prisma/client``, ``numpy.linalg`` -> ``numpy``. None for relative imports
        and for specifiers that a tsconfig ``paths`` alias claims (``@/x``), which are project files."""
        source = imp.source
        if imp.kind == "python":
            top = source.split(".", 1)[0]
            return top if top and not imp.level else None
        source = source.removeprefix("node:")
        if not source or source.startswith((".", "/", "~", "#", "@/")):
            return None
        config_dir = self._config_dir(posixpath.dirname(from_path))
        if config_dir is not None and _path_targets(self.tsconfigs[config_dir].get("paths"), source):
            return None
        parts = source.split("/")
        if source.startswith("@"):
            return "/".join(parts[:2]) if len(parts) > 1 else None
        return parts[0]

    # JavaScript / TypeScript

    def js(self, from_path: str, specifier: str) -> str | None:
        directory = posixpath.dirname(from_path)
        key = (directory, specifier)
        if key not in self._js_cache:
            self._js_cache[key] = self._resolve_js(directory, specifier)
        return self._js_cache[key]

    def _resolve_js(self, directory: str, specifier: str) -> str | None:
        specifier = specifier.split("?", 1)[0]  # bundler queries: ``./worker?worker``
        if specifier in (".", "..") or specifier.startswith(("./", "../")):
            return self._probe_js(_join(directory, specifier))
        if not specifier or specifier.startswith("/"):
            return None
        config_dir = self._config_dir(directory)
        if config_dir is not None:
            options = self.tsconfigs[config_dir]
            base_url = options.get("baseUrl")
            paths_base = _join(config_dir, base_url) if isinstance(base_url, str) else config_dir
            for target in _path_targets(options.get("paths"), specifier):
                found = self._probe_js(_join(paths_base, target))
                if found:
                    return found
            if isinstance(base_url, str) and (found := self._probe_js(_join(config_dir, base_url, specifier))):
                return found
        return self._local_package(specifier)

    def _local_package(self, specifier: str) -> str | None:
        """A file of one of the repo's own packages (a workspace): through its ``exports`` or entry fields,
        else the subpath as written or under ``src/``, as monorepos that ship TypeScript sources do."""
        name, subpath = package_of(specifier)
        package = self.packages.get(name)
        if package is None:
            return None
        targets = export_targets(package, subpath) if subpath else [*package.entries, "index", "src/index"]
        if subpath:
            targets += [subpath, f"src/{subpath}"]
        return next((found for t in targets if (found := self._probe_js(_join(package.directory, t)))), None)

    def _probe_js(self, base: str) -> str | None:
        if base.startswith("../") or base == "..":
            return None
        if base in self.paths:
            return base
        stem, ext = posixpath.splitext(base)
        for source_ext in _EMITTED_TO_SOURCE.get(ext, ()):
            if stem + source_ext in self.paths:
                return stem + source_ext
        for candidate in (base, _join(base, "index")):
            for ext in JS_EXTENSIONS:
                if candidate + ext in self.paths:
                    return candidate + ext
        return None

    def _config_dir(self, directory: str) -> str | None:
        """The directory of the nearest tsconfig/jsconfig at or above ``directory``."""
        if directory not in self._nearest_config:
            if directory in self.tsconfigs:
                found: str | None = directory
            elif directory:
                found = self._config_dir(posixpath.dirname(directory))
            else:
                found = None
            self._nearest_config[directory] = found
        return self._nearest_config[directory]

    # Python

    def python(self, from_path: str, dotted: str, level: int = 0) -> str | None:
        """The file of module ``dotted`` (``.py`` or package ``__init__.py``) as imported from ``from_path``."""
        directory = posixpath.dirname(from_path)
        key = (directory, dotted, level)
        if key not in self._py_cache:
            self._py_cache[key] = self._resolve_python(directory, dotted, level)
        return self._py_cache[key]

    def python_submodule(self, from_path: str, package: str, level: int, name: str) -> str | None:
        if name == "*":
            return None
        return self.python(from_path, f"{package}.{name}" if package else name, level)

    def _resolve_python(self, directory: str, dotted: str, level: int) -> str | None:
        relative = dotted.replace(".", "/")
        if level:
            base = directory
            for _ in range(level - 1):
                if not base:
                    return None
                base = posixpath.dirname(base)
            if not relative:  # ``from . import x`` names the package itself
                return self._probe_python(_join(base, "__init__"))
            return self._probe_python(_join(base, relative))
        if not relative:
            return None
        # Search roots that enclose the importer first, nearest first, so that two services with their own
        # ``app`` package each resolve to their own; a root elsewhere counts only when it is the only match.
        ancestors = [r for r in self._python_roots if _is_within(directory, r)]
        if not self._is_package(directory):
            ancestors.append(directory)  # a script's own directory is on sys.path
        for root in sorted(set(ancestors), key=len, reverse=True):
            found = self._probe_python(_join(root, relative))
            if found:
                return found
        if dotted.split(".", 1)[0] in sys.stdlib_module_names:
            return None  # `import math` is the standard library's, not some other root's `math.py`
        elsewhere = {self._probe_python(_join(r, relative)) for r in self._python_roots if r not in ancestors}
        elsewhere.discard(None)
        return elsewhere.pop() if len(elsewhere) == 1 else None

    def _probe_python(self, base: str) -> str | None:
        if base.startswith("../") or base == "..":
            return None
        for ext in _PYTHON_EXTENSIONS:
            if base + ext in self.paths:
                return base + ext
        for ext in _PYTHON_EXTENSIONS:
            init = _join(base, "__init__" + ext)
            if init in self.paths:
                return init
        return None

    def _is_package(self, directory: str) -> bool:
        return any(_join(directory, "__init__" + ext) in self.paths for ext in _PYTHON_EXTENSIONS)


def _is_from_import(imp: Import) -> bool:
    """``from x import a`` binds the imported names themselves; ``import x.y`` binds the module."""
    return any(n.imported not in ("*", imp.source) for n in imp.names)


def _path_targets(paths: object, specifier: str) -> list[str]:
    """Targets of the tsconfig ``paths`` pattern that matches ``specifier``, with ``*`` substituted.

    An exact key wins; otherwise the wildcard pattern with the longest prefix, as TypeScript does.
    """
    if not isinstance(paths, dict):
        return []
    if specifier in paths:
        return list(paths[specifier])
    best: tuple[int, str, list[str]] | None = None
    for key, targets in paths.items():
        if key.count("*") != 1:
            continue
        prefix, suffix = key.split("*")
        if (
            specifier.startswith(prefix)
            and specifier.endswith(suffix)
            and len(specifier) >= len(prefix) + len(suffix)
            and (best is None or len(prefix) > best[0])
        ):
            best = (len(prefix), specifier[len(prefix) : len(specifier) - len(suffix)], targets)
    if best is None:
        return []
    return [target.replace("*", best[1]) for target in best[2]]


def _python_roots(paths: set[str]) -> list[str]:
    """The project root plus the parent directory of every top-level package (``ml-service/`` for
    ``ml-service/app/__init__.py``, ``src/`` for a src layout)."""
    packages = {posixpath.dirname(p) for p in paths if posixpath.basename(p) in ("__init__.py", "__init__.pyi")}
    roots = {""}
    for package in packages:
        top = package
        while top and posixpath.dirname(top) in packages:
            top = posixpath.dirname(top)
        if top:
            roots.add(posixpath.dirname(top))
    return sorted(roots)


def _is_within(directory: str, root: str) -> bool:
    return not root or directory == root or directory.startswith(root + "/")


def _join(*parts: str) -> str:
    """Normalised relative posix join; the root is ``""``."""
    joined = posixpath.normpath(posixpath.join(*parts))
    return "" if joined == "." else joined
