"""When a fresh context value costs no extra renders: no component of the package is wrapped in `memo` (or none
can render a component that reads the context, see `_memo_reach`), and every state or hook result that makes
the provider re-render on its own is part of the value.

A provider then re-renders either with its parent, which re-creates the elements below it (every consumer
renders anyway, and no `memo` boundary can stop it), or because a state the value carries changed (the
memoised value would change too). Only a `memo` boundary, or state that stays out of the value, makes the
identity of the value matter.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import TYPE_CHECKING

from analyzers.detectors._memo_reach import MemoReach
from analyzers.detectors._react import INLINE_KINDS, calls_memo
from analyzers.facts import Call, JsxProp, ModuleFacts
from optimizer.components import FRONTEND

if TYPE_CHECKING:
    from optimizer.api import Project

# hooks whose results keep their identity or that never schedule a render
_STABLE_HOOKS = {
    "useRef", "useId", "useCallback", "useMemo", "useEffect", "useLayoutEffect", "useInsertionEffect",
    "useImperativeHandle", "useDebugValue",
}
# hooks whose first array element is the state and the rest are stable setters
_STATE_HOOKS = {"useState", "useReducer"}
_HOOK = re.compile(r"^use[A-Z0-9]")
# `const [a, setA] = ` / `const { data: user } = ` / `const api = ` right before the hook call
_BOUND = re.compile(r"(?:const|let|var)\s+(\[[^\[\]]*\]|\{[^{}]*\}|[\w$]+)\s*(?::[^=;]*)?=\s*$")
_NAME = re.compile(r"^[A-Za-z_$][\w$]*$")


class ProviderRerenders:
    """Answers, per provider, whether a new value on each render makes any consumer render more often."""

    def __init__(self, project: Project) -> None:
        self.project = project

    @cached_property
    def _packages(self) -> list[str]:
        """Directories of the project's frontend packages (a package.json naming a frontend library), deepest
        first: only inside one is the whole package, and so every `memo`, in view."""
        components = self.project.workspace.components
        directories = components.directories if components is not None else {}
        return sorted((d for d, kind in directories.items() if kind == FRONTEND), key=len, reverse=True)

    @cached_property
    def _packages_with_memo(self) -> set[str]:
        return {self._package_of(path) for path, module in self.project.modules.items() if calls_memo(module)}

    def _package_of(self, path: str) -> str | None:
        return next((d for d in self._packages if d == "" or path.startswith(d + "/")), None)

    @cached_property
    def _memo_reach(self) -> MemoReach:
        return MemoReach(self.project)

    def value_identity_matters(
        self, module: ModuleFacts, component: str, value: JsxProp, context: str | None = None
    ) -> bool:
        """False only when it provably does not. Only inline values are judged: the literal a name is bound to
        is not at hand. With the ``context``, a package's `memo` counts only when it can render a reader."""
        package = self._package_of(module.path)
        inline = value.kind in INLINE_KINDS and value.span.start_byte >= 0
        if not inline or package is None:
            return True
        if package in self._packages_with_memo and (
            context is None or self._memo_reach.read_under_memo(module, context)
        ):
            return True
        triggers = [c for c in module.calls if c.function == component and _own_render_trigger(c)]
        if not triggers:
            return False
        source = self.project.source(module.path)
        if source is None:
            return True
        # the prop's text in the facts is cut off for long values: read it whole
        text = source[value.span.start_byte:value.span.end_byte].decode("utf-8", "replace")
        for call in triggers:
            names = _bound_names(source, call)
            if names is None or not all(re.search(rf"(?<![\w$.]){re.escape(n)}(?![\w$])", text) for n in names):
                return True
        return False


def _own_render_trigger(call: Call) -> bool:
    hook = call.name
    return bool(_HOOK.match(hook)) and hook not in _STABLE_HOOKS and len(call.chain) <= 2


def _bound_names(source: bytes, call: Call) -> list[str] | None:
    """The names a hook call's result is bound to that can change between renders, or None when unknown."""
    if call.span.start_byte < 0:
        return None
    before = source[max(0, call.span.start_byte - 400):call.span.start_byte].decode("utf-8", "replace")
    match = _BOUND.search(before)
    if match is None:
        return None
    pattern = match.group(1)
    if not pattern.startswith(("[", "{")):
        return [pattern]
    parts = [part.strip().removeprefix("...") for part in pattern[1:-1].split(",")]
    if call.name in _STATE_HOOKS and pattern.startswith("["):
        parts = parts[:1]  # the setter keeps its identity; an unnamed state (`[, set]`) is unknown below
    names = [part.split(":", 1)[-1].split("=", 1)[0].strip() for part in parts if part or len(parts) == 1]
    return names if names and all(_NAME.match(name) for name in names) else None
