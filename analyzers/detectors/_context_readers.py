"""Whether anything reads a context: a provider's value costs no render when no component consumes it.

A context created in a module and not exported is read only through that module: a `useContext(Ctx)` /
`use(Ctx)` call or a `<Ctx.Consumer>`. When there are such calls and every one sits in a hook that is neither
called in the module nor imported or re-exported by any other module, no component can consume the context
(a copy of a provider whose hook the app imports from elsewhere).
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from analyzers.detectors._react import context_reads
from analyzers.facts import ModuleFacts

if TYPE_CHECKING:
    from optimizer.api import Project


class ContextReaders:
    """Answers, per context, whether it provably has no reader in the project."""

    def __init__(self, project: Project) -> None:
        self.project = project

    @cached_property
    def _imported(self) -> dict[str, set[str]]:
        """Module path -> the names other modules import or re-export from it (``*`` for a whole namespace)."""
        graph = self.project.graph
        imported: dict[str, set[str]] = {}
        for path, module in self.project.modules.items():
            if module.language == "python":
                continue
            for imp in module.imports:
                target = graph.resolve_module(path, imp)
                if target is not None:
                    imported.setdefault(target, set()).update(n.imported for n in imp.names)
                    if imp.kind != "esm":
                        imported[target].add("*")  # a require() or import() may read any name
            for export in module.exports:
                target = graph.resolver.js(path, export.source) if export.source else None
                if target is not None:
                    imported.setdefault(target, set()).add("*" if export.kind == "all" else export.local or "*")
        return imported

    def unread(self, module: ModuleFacts, context: str) -> bool:
        """True only when no component can read ``context``, a module-level `createContext` of ``module``."""
        created_here = any(b.name == context and b.scope is None and b.kind == "call" for b in module.bindings)
        exported = any(e.source is None and context in (e.local, e.name) for e in module.exports)
        if not created_here or exported or any(e.name == f"{context}.Consumer" for e in module.jsx):
            return False
        readers = {call.function for call in context_reads(module, context)}
        imported = self._imported.get(module.path, set())
        # no reader at all is a snippet or a context read elsewhere by means not seen here: judged unknown
        if not readers or None in readers or "*" in imported:
            return False
        exports = {e.local: e.name for e in module.exports if e.source is None}
        called = {call.callee for call in module.calls}
        components = {f.qualname for f in module.functions if f.is_component}
        for reader in readers:
            hook = reader.split(".", 1)[0]  # a callback nested in the hook reads on the hook's behalf
            if hook in components or hook in called or hook in exports and exports[hook] in imported:
                return False
        return True
