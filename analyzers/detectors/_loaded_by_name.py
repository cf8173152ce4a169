"""Modules a Python program imports by name rather than by an import statement the resolver can follow.

Two common shapes load every module of a directory at once:

- ``from pkg import *`` where ``pkg/__init__.py`` builds ``__all__`` at run time (from the directory listing):
  the star import then imports every submodule; with a literal ``__all__`` it imports the submodules listed;
- a module-level ``import_module(f"{__package__}.loaders.{name}")`` (or ``importlib.import_module``,
  ``__import__``) whose last segment is a variable: a loop over a directory listing importing each module.

The import-cost rules count such modules as imported eagerly by the module doing it.
"""

from __future__ import annotations

import ast
import posixpath
import re
from typing import TYPE_CHECKING

from analyzers.facts import Import, ImportedName

if TYPE_CHECKING:
    from optimizer.api import Project

_IMPORT_BY_NAME = ("import_module", "__import__")
# f"{__package__}.loaders.{name}" -> prefix `{__package__}.loaders`, with a variable last segment
_DOTTED_WITH_VARIABLE_LAST = re.compile(r"""^f(["'])((?:\{__(?:package|name)__\}|[\w.])*)\.\{[^{}]+\}\1$""")


class LoadedByName:
    """Per module: the analysed modules it loads by name, each with the import (real or synthetic) doing it."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._submodules: dict[str, list[str]] = {}
        for path in project.modules:
            if path.endswith(".py"):
                package, name = _package_and_name(path)
                if package is not None and not name.startswith("_"):
                    self._submodules.setdefault(package, []).append(path)
        self._all: dict[str, tuple[str, ...] | None] = {}
        self._by_module: dict[str, list[tuple[str, Import]]] = {}

    def of_module(self, path: str) -> list[tuple[str, Import]]:
        """(submodule, import) for every module ``path`` loads by name at module level."""
        if path not in self._by_module:
            module = self.project.modules[path]
            found: list[tuple[str, Import]] = []
            for imp in module.imports:
                if imp.kind == "python" and imp.function is None and not imp.type_only:
                    found.extend((sub, imp) for sub in self.of_import(path, imp))
            for call in module.calls:
                if call.function is None and call.chain and call.chain[-1] in _IMPORT_BY_NAME and call.args:
                    package = self._dynamic_package(path, call.args[0])
                    if package is not None:
                        synthetic = Import(package, (ImportedName("*", "*"),), "python", call.span)
                        found.extend((sub, synthetic) for sub in self._submodules.get(package, ()) if sub != path)
            self._by_module[path] = found
        return self._by_module[path]

    def of_import(self, path: str, imp: Import) -> list[str]:
        """The submodules a star import loads through its package's ``__all__``."""
        if not any(name.imported == "*" for name in imp.names):
            return []
        init = self.project.graph.resolve_module(path, imp)
        if init is None or not init.endswith("__init__.py"):
            return []
        exported = self._exported(init)
        package = posixpath.dirname(init)
        return [
            sub for sub in self._submodules.get(package, ())
            if sub != path and (exported is None or _package_and_name(sub)[1] in exported)
        ]

    def _exported(self, init: str) -> tuple[str, ...] | None:
        """The names of a literal ``__all__`` (empty when there is none: a star import then takes only what the
        init itself binds), or None when ``__all__`` is computed at run time."""
        if init not in self._all:
            try:
                tree = ast.parse(self.project.source(init) or b"")
            except (SyntaxError, ValueError):
                tree = ast.Module(body=[], type_ignores=[])
            names: tuple[str, ...] | None = ()
            for node in tree.body:
                targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
                if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                    value = getattr(node, "value", None)
                    literal = isinstance(value, (ast.List, ast.Tuple)) and all(
                        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts
                    )
                    names = tuple(e.value for e in value.elts) if literal and isinstance(node, ast.Assign) else None
            self._all[init] = names
        return self._all[init]

    def _dynamic_package(self, path: str, argument: str) -> str | None:
        """The package directory whose every module ``import_module(argument)`` can name, or None."""
        match = _DOTTED_WITH_VARIABLE_LAST.match(argument.strip())
        if match is None:
            return None
        prefix = match.group(2)
        variable = next((v for v in ("{__package__}", "{__name__}") if prefix.startswith(v)), None)
        if variable is None:
            target = None if "{" in prefix else self.project.graph.resolver.python(path, prefix, 0)
        elif variable == "{__name__}" and posixpath.basename(path) != "__init__.py":
            return None  # a plain module's own name is not a package
        else:
            rest = prefix[len(variable):].lstrip(".")
            if not rest:
                return posixpath.dirname(path)
            target = self.project.graph.resolver.python(path, rest, 1)
        return posixpath.dirname(target) if target and target.endswith("__init__.py") else None


def _package_and_name(path: str) -> tuple[str | None, str]:
    """``pkg/mod.py`` -> (``pkg``, ``mod``); ``pkg/sub/__init__.py`` -> (``pkg``, ``sub``)."""
    directory, filename = posixpath.split(path)
    if filename == "__init__.py":
        return (posixpath.dirname(directory) or None, posixpath.basename(directory)) if directory else (None, "")
    return (directory or None, filename[:-3])
