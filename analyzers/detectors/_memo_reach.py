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

from analyzers.facts import ModuleFacts

if TYPE_CHECKING:
    from optimizer.api import Project

_MEMO_CALLS = {("memo",), ("React", "memo")}
_READ_CONTEXT = {"useContext", "use"}


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
        start = [
            path for path, module in self.project.modules.items()
            if module.language != "python" and any(call.chain in _MEMO_CALLS for call in module.calls)
        ]
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
        reading = {module.path}
        names = {reader.split(".", 1)[0] for reader in readers}
        calls = self.project.graph.calls
        for path, other in self.project.modules.items():
            if path == module.path or other.language == "python" or path in reading:
                continue
            for call in other.calls:
                if call.callee in names and (target := calls.resolve(path, call)) and target[0] == module.path:
                    reading.add(path)
                    break
        return bool(reading & self._under_memo)


def _readers(module: ModuleFacts, context: str) -> set[str | None]:
    """Functions of ``module`` that read ``context``: a `useContext(context)` call, or a call of such a function
    of the same module (a `useFormField` that `FormLabel` calls)."""
    readers: set[str | None] = {
        call.function for call in module.calls
        if (call.chain[-1] if call.chain else call.callee) in _READ_CONTEXT and call.args
        and call.args[0].strip() == context
    }
    readers |= {e.function for e in module.jsx if e.name == f"{context}.Consumer"}
    while True:
        names = {reader.split(".", 1)[0] for reader in readers if reader is not None}
        more = {call.function for call in module.calls if call.callee in names} - readers
        if not more:
            return readers
        readers |= more
