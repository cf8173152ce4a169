"""Which binding a name denotes across modules (``router`` imported from ``./routes/users`` is that module's
``const router = Router()``), and which external package a name comes from (``Router`` from ``express``).

Call resolution (``optimizer.calls``) answers for callables; this answers for values: app and router objects,
HTTP client instances. Precision over recall: an ambiguous or shadowed name resolves to None.
"""

from __future__ import annotations

from dataclasses import dataclass

from analyzers.facts import Binding, Import, ImportedName
from optimizer.calls import CallResolver, ModuleIndex
from optimizer.resolve import ModuleResolver

_MAX_DEPTH = 8


@dataclass(frozen=True, slots=True)
class Bound:
    """The binding a name resolved to, in module ``path``."""

    path: str
    binding: Binding

    @property
    def key(self) -> tuple[str, str | None, str]:
        """Identifies the object: one per module, scope and name."""
        return self.path, self.binding.scope, self.binding.name


@dataclass(frozen=True, slots=True)
class _Module:
    path: str


_Found = Bound | _Module | None


class ValueResolver:
    def __init__(self, calls: CallResolver, modules: ModuleResolver) -> None:
        self.index = calls.index
        self.modules = modules
        self._memo: dict[tuple[str, str | None, str], _Found] = {}

    def bound(self, path: str, scope: str | None, dotted: str) -> Bound | None:
        """The binding ``dotted`` (``router``, ``users.router``, ``this.client``) denotes inside ``scope``."""
        found = self._dotted(path, scope, dotted)
        return found if isinstance(found, Bound) else None

    def export(self, path: str, name: str) -> Bound | None:
        """The binding module ``path`` exports as ``name`` (``default`` for ``module.exports = x``)."""
        found = self._export(path, name, 0)
        return found if isinstance(found, Bound) else None

    def external(self, path: str, scope: str | None, dotted: str) -> str | None:
        """``dotted`` as a name in an external package, when its head is imported from one: ``Router`` imported
        from ``express`` -> ``express.Router``; ``axios.get`` -> ``axios.get``; ``fastapi.FastAPI`` ->
        ``fastapi.FastAPI``. None for local and project names."""
        idx = self.index.get(path)
        if idx is None:
            return None
        head, _, rest = dotted.partition(".")
        entry = _import_entry(idx, scope, head)
        if entry is None:
            return None
        imp, name = entry
        if imp.level or self.modules.resolve(path, imp) in self.index:
            return None
        base = imp.source if name.imported in ("default", "*", imp.source) else f"{imp.source}.{name.imported}"
        return f"{base}.{rest}" if rest else base

    def is_unbound(self, path: str, scope: str | None, name: str) -> bool:
        """True when nothing in the module binds ``name`` where ``scope`` sees it: it is a global (``fetch``)."""
        idx = self.index.get(path)
        if idx is None:
            return False
        while True:
            fn = idx.functions.get(scope) if scope is not None else None
            if fn is not None and name in fn.params:
                return False
            if (scope, name) in idx.members or (scope, name) in idx.bindings or (scope, name) in idx.imports:
                return False
            if scope is None:
                return True
            scope = fn.parent if fn is not None else None

    def _dotted(self, path: str, scope: str | None, dotted: str) -> _Found:
        key = (path, scope, dotted)
        if key not in self._memo:
            self._memo[key] = self._resolve_dotted(path, scope, dotted)
        return self._memo[key]

    def _resolve_dotted(self, path: str, scope: str | None, dotted: str) -> _Found:
        idx = self.index.get(path)
        if idx is None:
            return None
        parts = dotted.split(".")
        if parts[0] in ("this", "self") and len(parts) == 2:
            owner = idx.enclosing_class(scope)
            binding = idx.bindings.get((owner, dotted)) if owner else None
            return Bound(path, binding) if binding else None
        found = self._name(idx, scope, parts[0], 0)
        for part in parts[1:]:
            if not isinstance(found, _Module):
                return None  # attributes of objects are not followed
            found = self._export(found.path, part, 0)
        return found

    def _name(self, idx: ModuleIndex, scope: str | None, name: str, depth: int) -> _Found:
        if depth > _MAX_DEPTH:
            return None
        while True:
            fn = idx.functions.get(scope) if scope is not None else None
            if scope is None or (fn is not None and fn.kind != "class"):
                if (scope, name) in idx.members:
                    return None  # a definition, not a value
                if (scope, name) in idx.bindings:
                    binding = idx.bindings[(scope, name)]
                    return Bound(idx.path, binding) if binding else None
                entry = idx.imports.get((scope, name))
                if entry is not None:
                    return self._imported(idx, *entry, depth + 1)
                if fn is not None and name in fn.params:
                    return None
            if scope is None:
                return None
            scope = fn.parent if fn is not None else None

    def _imported(self, idx: ModuleIndex, imp: Import, name: ImportedName, depth: int) -> _Found:
        if imp.kind == "python":
            module = self.modules.python(idx.path, imp.source, imp.level)
            if name.imported == imp.source and not imp.level:  # ``import a.b``
                return _Module(module) if module in self.index and name.local == imp.source else None
            found = self._export(module, name.imported, depth) if module in self.index else None
            if found is None:
                submodule = self.modules.python_submodule(idx.path, imp.source, imp.level, name.imported)
                found = _Module(submodule) if submodule in self.index else None
            return found
        target = self.modules.resolve(idx.path, imp)
        if target not in self.index:
            return None
        exports = self.index[target].exports
        if name.imported == "*":
            if imp.kind == "require" and exports.keys() == {"default"}:
                return self._export(target, "default", depth)  # ``module.exports = router``
            return _Module(target)
        return self._export(target, name.imported, depth)

    def _export(self, path: str, name: str, depth: int) -> _Found:
        idx = self.index.get(path)
        if idx is None or depth > _MAX_DEPTH:
            return None
        if idx.python:
            return self._name(idx, None, name, depth + 1)
        export = idx.exports.get(name)
        if export is None:
            for source in idx.star_exports if name != "default" else ():
                target = self.modules.js(path, source)
                found = self._export(target, name, depth + 1) if target in self.index else None
                if found is not None:
                    return found
            return None
        if export.source is not None:
            target = self.modules.js(path, export.source)
            if target not in self.index:
                return None
            if export.kind == "all" or export.local in (None, "*"):
                return _Module(target)
            return self._export(target, export.local, depth + 1)
        return self._name(idx, None, export.local or export.name, depth + 1)


def _import_entry(idx: ModuleIndex, scope: str | None, name: str) -> tuple[Import, ImportedName] | None:
    """The import that binds ``name`` where ``scope`` sees it, unless something nearer shadows it."""
    while True:
        fn = idx.functions.get(scope) if scope is not None else None
        if scope is None or (fn is not None and fn.kind != "class"):
            entry = idx.imports.get((scope, name))
            if entry is not None:
                return entry
            if (scope, name) in idx.members or (scope, name) in idx.bindings:
                return None
            if fn is not None and name in fn.params:
                return None
        if scope is None:
            return None
        scope = fn.parent if fn is not None else None
