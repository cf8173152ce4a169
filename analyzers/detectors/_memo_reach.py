"""Whether a `memo` component can sit between a context's provider and a component that reads it.

Only a `memo` boundary that bails out while the context value changes identity turns a fresh value into extra
renders. Such a boundary must render the reader in its own subtree, so the reader's module is reachable from a
module with a `memo(...)` call by following the modules whose components each module renders in JSX. The walk is
per module, so it over-approximates: any `memo` in a module counts for everything the module renders.
"""

from __future__ import annotations

from collections import deque
from functools import cached_property
from typing import TYPE_CHECKING

from analyzers.detectors._react import calls_memo, context_reads
from analyzers.facts import ModuleFacts

if TYPE_CHECKING:
    from optimizer.api import Project


class MemoReach:
    def __init__(self, project: Project) -> None:
        self.project = project

    @cached_property
    def _renders(self) -> dict[str, set[str]]:
        """Module -> the analysed modules whose components its JSX renders."""
        graph = self.project.graph
        renders: dict[str, set[str]] = {}
        for path, module in self.project.modules.items():
            if module.language == "python" or not module.jsx:
                continue
            local_targets: dict[str, str] = {}
            for imp in module.imports:
                target = graph.resolve_module(path, imp) if imp.kind == "esm" else None
                if target is not None:
                    local_targets.update((name.local, target) for name in imp.names)
            heads = {element.name.split(".", 1)[0] for element in module.jsx}
            renders[path] = {local_targets[head] for head in heads if head in local_targets}
        return renders

    @cached_property
    def _under_memo(self) -> set[str]:
        """Modules rendered, directly or through other modules, by a module that wraps a component in `memo`."""
        start = [path for path, module in self.project.modules.items() if calls_memo(module)]
        seen = set(start)
        queue = deque(start)
        while queue:
            for target in self._renders.get(queue.popleft(), ()):
                if target not in seen:
                    seen.add(target)
                    queue.append(target)
        return seen

    def read_under_memo(self, module: ModuleFacts, context: str) -> bool:
        """False only when no module that reads ``context`` (a context of ``module``, read through its hooks) is
        rendered below a `memo` component."""
        readers = _readers(module, context)
        if not readers or None in readers:
            return True
        graph = self.project.graph
        reading = {module.path}
        for hook in {reader.split(".", 1)[0] for reader in readers}:
            # a module whose code calls the reader reads the context too
            callers = graph.callers(graph.function_node(module.path, hook))
            reading.update(graph.graph.nodes[caller]["path"] for caller in callers)
        return bool(reading & self._under_memo)


def _readers(module: ModuleFacts, context: str) -> set[str | None]:
    """Functions of ``module`` that read ``context``: a `useContext(context)` call, or a call of such a function
    of the same module (a `useFormField` that `FormLabel` calls)."""
    readers: set[str | None] = {call.function for call in context_reads(module, context)}
    readers |= {e.function for e in module.jsx if e.name == f"{context}.Consumer"}
    while True:
        names = {reader.split(".", 1)[0] for reader in readers if reader is not None}
        more = {call.function for call in module.calls if call.callee in names} - readers
        if not more:
            return readers
        readers |= more
