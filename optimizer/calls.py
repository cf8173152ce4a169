"""Call resolution: the function a call site reaches, through local definitions, import bindings, barrel
re-exports, CommonJS exports and instance bindings (``this.x``, ``self.x``, singletons).

Precision over recall: whenever a name could mean more than one thing, the answer is None.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass

from analyzers.facts import Binding, Call, Function, Import, ImportedName, ModuleFacts
from optimizer.resolve import ModuleResolver

_NAME = r"#?[A-Za-z_$][\w$]*"  # ``#`` for JS private fields
_IDENTIFIER = re.compile(_NAME)
_IDENTIFIER_PATH = re.compile(rf"{_NAME}(?:\.{_NAME})*")
_CONSTRUCTORS = {"python": "__init__"}
_MAX_BINDING_DEPTH = 8
# the chain parts that read one element of a typed container: ``models[name]``, ``models.get(name)``
_ELEMENT_READS = frozenset({"?", "get()"})
_AMBIGUOUS = None  # a name bound twice to different values
_MISSING = object()


@dataclass(frozen=True, slots=True)
class Symbol:
    """What a name denotes. ``kind``: ``module`` (a namespace); ``package`` (a Python package with no
    ``__init__`` among the analysed files, named by its dotted ``qualname``); ``def`` (a function or class
    definition, or an object literal whose methods are defined as ``qualname.method``); ``instance`` (an
    object of the class ``qualname``); ``items`` (a typed container, ``Dict[str, Model]``, of such objects)."""

    kind: str
    path: str
    qualname: str = ""


class ModuleIndex:
    """One module's definitions, bindings, imports and exports in dicts, built once."""

    def __init__(self, facts: ModuleFacts) -> None:
        self.path = facts.path
        self.python = facts.language == "python"
        self.this = "self" if self.python else "this"
        self.constructor = _CONSTRUCTORS.get(facts.language, "constructor")
        self.functions: dict[str, Function] = {f.qualname: f for f in facts.functions}
        # (enclosing qualname or None, name) -> qualname: top-level defs, nested defs and methods
        self.members: dict[tuple[str | None, str], str] = {}
        for fn in facts.functions:
            if not fn.name.startswith("<"):
                self.members[(fn.parent, fn.name)] = fn.qualname
        # ``export const api = { get() {} }``: ``api`` is no definition itself, but ``api.get`` is
        self.namespaces = {q.split(".", 1)[0] for q in self.functions if "." in q} - set(self.functions)
        self.bindings: dict[tuple[str | None, str], Binding | None] = {}
        for binding in facts.bindings:
            key = (binding.scope, binding.name)
            previous = self.bindings.get(key, binding)
            same = previous is not None and previous.value == binding.value
            self.bindings[key] = binding if same else _AMBIGUOUS
        self.imports: dict[tuple[str | None, str], tuple[Import, ImportedName]] = {}
        self.star_imports: list[Import] = []  # Python ``from x import *``
        # Type-only imports stay: they name the classes in ``constructor(private repo: Repo)``.
        for imp in facts.imports:
            for name in imp.names:
                if name.local == "*":
                    self.star_imports.append(imp)
                else:
                    self.imports[(imp.function, name.local)] = (imp, name)
        # Names bound inside some function (or its parameters): only these need the walk through enclosing scopes.
        self.local_names = {name for scope, name in (*self.members, *self.bindings, *self.imports) if scope is not None}
        self.local_names.update(param for fn in facts.functions for param in fn.params)
        self.exports = {e.name: e for e in facts.exports if not (e.kind == "all" and e.name in ("*", ""))}
        self.star_exports = [e.source for e in facts.exports if e.kind == "all" and e.name in ("*", "") and e.source]

    def enclosing_class(self, scope: str | None) -> str | None:
        """The class whose instance ``this``/``self`` is inside ``scope``."""
        while scope is not None:
            fn = self.functions.get(scope)
            if fn is None:
                return None
            if fn.kind == "class":
                return scope
            if not self.python and fn.kind == "function":
                return None  # a JS ``function`` has its own ``this``
            scope = fn.parent
        return None


class CallResolver:
    """Resolves call sites to ``(path, qualname)`` of the definition they reach."""

    def __init__(self, modules: Mapping[str, ModuleFacts], resolver: ModuleResolver) -> None:
        self.modules = resolver
        self.index = {path: ModuleIndex(facts) for path, facts in modules.items()}
        self._exports: dict[tuple[str, str], Symbol | None] = {}
        self._globals: dict[tuple[str, str], Symbol | None] = {}
        self._members: dict[tuple[Symbol, str], Symbol | None] = {}
        self._active: set[tuple[str, str]] = set()
        self._cuts = 0

    def resolve(self, path: str, call: Call) -> tuple[str, str] | None:
        idx = self.index.get(path)
        if idx is None:
            return None
        chain = call.chain or (call.callee,)
        symbol = self._head(idx, chain[0], call.function)
        # Module-level names and members (``svc.get``) repeat across calls and are memoised, so a build costs
        # a few dict lookups per call once the names of a module are known.
        for part in chain[1:]:
            if symbol is None:
                return None
            step = (symbol, part)
            found = self._members.get(step, _MISSING)
            if found is _MISSING:
                readable = _IDENTIFIER.fullmatch(part) or symbol.kind == "items"
                found = self._members[step] = self.member(symbol, part) if readable else None
            symbol = found
        return self._callable(symbol)

    def export(self, path: str, name: str) -> Symbol | None:
        """What module ``path`` exports as ``name`` (for Python: its top-level name or submodule)."""
        key = (path, name)
        if key in self._exports:
            return self._exports[key]
        if key in self._active:
            self._cuts += 1  # a re-export cycle
            return None
        self._active.add(key)
        cuts = self._cuts
        try:
            symbol = self._export(path, name)
        finally:
            self._active.discard(key)
        # A result computed while an outer lookup was cut short may depend on where the lookup started.
        if cuts == self._cuts or not self._active:
            self._exports[key] = symbol
        return symbol

    def member(self, symbol: Symbol, name: str, depth: int = 0) -> Symbol | None:
        if symbol.kind == "items":
            return Symbol("instance", symbol.path, symbol.qualname) if name in _ELEMENT_READS else None
        if symbol.kind == "module":
            return self.export(symbol.path, name)
        if symbol.kind == "package":
            return self._python_module(self.index[symbol.path], f"{symbol.qualname}.{name}")
        idx = self.index[symbol.path]
        fn = idx.functions.get(symbol.qualname)
        if symbol.kind == "def" and fn is not None and fn.kind != "class":
            return None  # attributes of functions are not followed
        qualname = idx.members.get((symbol.qualname, name))
        if qualname is None and f"{symbol.qualname}.{name}" in idx.functions:
            qualname = f"{symbol.qualname}.{name}"  # object-literal methods have no parent
        if qualname is not None:
            return Symbol("def", idx.path, qualname)
        if fn is None:
            return None
        # A field: ``this.x`` of an instance; of a class, a JS static ``Class.x`` or a Python class attribute.
        owner = idx.this if symbol.kind == "instance" or idx.python else fn.name
        for scope in dict.fromkeys((symbol.qualname, fn.name)):
            binding = idx.bindings.get((scope, f"{owner}.{name}"), _MISSING)
            if binding is not _MISSING:
                return self._bound(idx, binding, None, depth)
        return None

    def _head(self, idx: ModuleIndex, head: str, scope: str | None) -> Symbol | None:
        if not _IDENTIFIER.fullmatch(head):
            return None  # computed members and call results (``a[k]()``, ``f().g()``) are not followed
        if head == idx.this or idx.python and head == "cls":
            cls = idx.enclosing_class(scope)
            if cls is None:
                return None
            return Symbol("instance" if head == idx.this else "def", idx.path, cls)
        return self._lookup(idx, head, scope)

    def _lookup(self, idx: ModuleIndex, name: str, scope: str | None, depth: int = 0) -> Symbol | None:
        """Resolve ``name`` as seen from inside ``scope``: enclosing functions first, then the module."""
        if name not in idx.local_names:
            scope = None
        while scope is not None:
            fn = idx.functions.get(scope)
            if fn is None:
                break
            if fn.kind != "class":  # a class body does not enclose its methods' names
                found = self._in_scope(idx, name, scope, depth)
                if found is not _MISSING:
                    return found
                if name in fn.params:
                    return None
            scope = fn.parent
        key = (idx.path, name)
        symbol = self._globals.get(key, _MISSING)
        if symbol is _MISSING:
            symbol = self._global(idx, name, depth)
            if not self._active:  # inside an export lookup the answer may be cut short by a cycle guard
                self._globals[key] = symbol
        return symbol

    def _global(self, idx: ModuleIndex, name: str, depth: int) -> Symbol | None:
        found = self._in_scope(idx, name, None, depth)
        if found is not _MISSING:
            return found
        for imp in idx.star_imports:
            target = self.modules.resolve(idx.path, imp)
            symbol = self.export(target, name) if target in self.index else None
            if symbol is not None:
                return symbol
        return None

    def _in_scope(self, idx: ModuleIndex, name: str, scope: str | None, depth: int) -> Symbol | None | object:
        qualname = idx.members.get((scope, name))
        if qualname is not None:
            return Symbol("def", idx.path, qualname)
        binding = idx.bindings.get((scope, name), _MISSING)
        if binding is not _MISSING:
            return self._bound(idx, binding, scope, depth)
        entry = idx.imports.get((scope, name))
        if entry is not None:
            return self._imported(idx, *entry)
        if scope is None and name in idx.namespaces:
            return Symbol("def", idx.path, name)
        return _MISSING

    def _bound(self, idx: ModuleIndex, binding: Binding | None, scope: str | None, depth: int) -> Symbol | None:
        if binding is None or depth >= _MAX_BINDING_DEPTH or not _IDENTIFIER_PATH.fullmatch(binding.value):
            return None
        parts = binding.value.split(".")
        symbol = self._lookup(idx, parts[0], scope, depth + 1)
        for part in parts[1:]:
            symbol = self.member(symbol, part, depth + 1) if symbol else None
        if binding.kind == "alias" or symbol is None:
            return symbol
        fn = self.index[symbol.path].functions.get(symbol.qualname) if symbol.kind == "def" else None
        if fn is not None and fn.kind == "class":
            return Symbol("items" if binding.kind == "items" else "instance", symbol.path, symbol.qualname)
        return None  # the return value of a function call is unknown

    def _imported(self, idx: ModuleIndex, imp: Import, name: ImportedName) -> Symbol | None:
        if imp.kind == "python":
            return self._python_imported(idx, imp, name)
        target = self.modules.resolve(idx.path, imp)
        if target not in self.index:
            return None
        exports = self.index[target].exports
        if name.imported == "*":
            if imp.kind == "require" and exports.keys() == {"default"}:
                return self.export(target, "default")  # ``module.exports = Foo`` is what ``require`` returns
            return Symbol("module", target)
        symbol = self.export(target, name.imported)
        if symbol is None and name.imported == "default" and "default" not in exports:
            return Symbol("module", target)  # ``require()`` / default import of a CommonJS module
        return symbol

    def _python_imported(self, idx: ModuleIndex, imp: Import, name: ImportedName) -> Symbol | None:
        module = self.modules.python(idx.path, imp.source, imp.level)
        if name.imported == imp.source and not imp.level:
            # ``import a.b`` binds ``a``, ``import a.b as c`` binds ``c`` to ``a.b``. ``from a import a`` reads
            # the same; it is told apart by module ``a`` defining a top-level ``a``.
            attribute = self.export(module, name.imported) if module in self.index else None
            if attribute is not None and attribute.kind != "module" and "." not in imp.source:
                return attribute
            top = imp.source.split(".", 1)[0]
            return self._python_module(idx, top if name.local == top else imp.source)
        symbol = self.export(module, name.imported) if module in self.index else None
        if symbol is None:
            submodule = self.modules.python_submodule(idx.path, imp.source, imp.level, name.imported)
            symbol = Symbol("module", submodule) if submodule in self.index else None
        return symbol

    def _python_module(self, idx: ModuleIndex, dotted: str) -> Symbol:
        """Module ``dotted``, or a ``package`` symbol for a namespace package (or an external module) whose
        submodules are then looked up by their dotted names."""
        target = self.modules.python(idx.path, dotted)
        if target in self.index:
            return Symbol("module", target)
        return Symbol("package", idx.path, dotted)

    def _export(self, path: str, name: str) -> Symbol | None:
        idx = self.index.get(path)
        if idx is None:
            return None
        if idx.python:
            symbol = self._lookup(idx, name, None)
            if symbol is None and posixpath.basename(path).startswith("__init__."):
                submodule = self.modules.python(path, name, 1)
                symbol = Symbol("module", submodule) if submodule in self.index else None
            return symbol
        export = idx.exports.get(name)
        if export is not None:
            if export.source is not None:
                target = self.modules.js(path, export.source)
                if target not in self.index:
                    return None
                if export.kind == "all" or export.local in (None, "*"):
                    return Symbol("module", target)  # ``export * as ns from``
                return self.export(target, export.local)
            local = export.local or export.name
            return self._lookup(idx, local, None)
        if name == "default":
            return None  # ``export *`` does not re-export the default
        for source in idx.star_exports:
            target = self.modules.js(path, source)
            symbol = self.export(target, name) if target in self.index else None
            if symbol is not None:
                return symbol
        return None

    def _callable(self, symbol: Symbol | None) -> tuple[str, str] | None:
        if symbol is None or symbol.kind in ("module", "package", "items"):
            return None
        idx = self.index[symbol.path]
        fn = idx.functions.get(symbol.qualname)
        if fn is None:
            return None  # an object literal is not callable
        if symbol.kind == "instance":
            call = idx.members.get((symbol.qualname, "__call__")) if idx.python else None
            return (symbol.path, call) if call else None
        if fn.kind == "class":
            constructor = idx.members.get((symbol.qualname, idx.constructor))
            return symbol.path, constructor or symbol.qualname
        return symbol.path, symbol.qualname
