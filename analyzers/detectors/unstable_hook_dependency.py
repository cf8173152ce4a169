"""Unstable hook dependencies: a `useMemo`/`useCallback`/`useEffect` dependency that is new on every render."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from analyzers.detectors._react import literal_index, unstable_value
from analyzers.detectors.base import ProjectDetector
from analyzers.facts import JsxProp, ModuleFacts
from optimizer.calls import CallResolver, ModuleIndex
from optimizer.expr_text import matching_bracket, split_top
from optimizer.findings import Category, Finding, Severity

if TYPE_CHECKING:
    from optimizer.api import Project

_HOOKS = {"useMemo", "useCallback", "useEffect", "useLayoutEffect", "useInsertionEffect", "useImperativeHandle"}
_ARGS_LIMIT = 200  # Call.args texts are cut off at this length
_IDENTIFIER = re.compile(r"^[A-Za-z_$][\w$]*$")
_ARROW = re.compile(r"^(?:async\s+)?(?:\([^)]*\)|[A-Za-z_$][\w$]*)\s*(?::[^=]*)?=>")


class UnstableHookDependency(ProjectDetector):
    """## What it does
    Finds dependency arrays of `useMemo`, `useCallback`, `useEffect` and `useLayoutEffect` (and
    `useInsertionEffect`, `useImperativeHandle`) with an entry that is a new object on every render: an inline
    object, array or function (`[{ a: 1 }]`, `[[x]]`, `[() => f()]`), or a name the component or custom hook
    binds to an object literal, an array literal or a function without `useMemo`/`useCallback`, or to the
    result of a custom hook or function that returns a new object or array literal on each call.

    ## Why is this slow?
    React compares each dependency with `Object.is`. A value created during the render is never equal to the
    one from the previous render, so the memoised value is recomputed, the callback changes identity (and
    re-renders the `memo` children it is passed to) and the effect runs again after every render, which
    can mean a network request or a state update, and with it another render, each time.

    ## Example
    ```tsx
    function Results({ query }) {
      const options = { query, limit: 20 };
      useEffect(() => { search(options); }, [options]);
    }
    ```

    ## Use instead
    ```tsx
    function Results({ query }) {
      useEffect(() => { search({ query, limit: 20 }); }, [query]);
    }
    ```
    Or build `options` with `useMemo`. Props, state and its setters, refs, values from `useMemo`/`useCallback`,
    module-level constants and primitives are not reported.

    ## Known limits
    A name bound to a call is reported when the call resolves (through imports) to a function or custom hook
    that returns an object or array literal; one that returns a variable holding a literal, or a value built
    in a ternary (`cond ? a : [a]`), is taken as stable, as are imported values. A dependency array longer than
    200 characters is read up to its last complete entry. Skipped when the React Compiler is enabled.

    ## Fix safety
    No automatic fix: moving the object into the callback or memoising it needs its own dependencies.
    """

    id = "unstable-hook-dependency"
    category = Category.MISSING_MEMOIZATION
    languages = ("tsx", "javascript", "typescript")
    severity = Severity.WARNING

    def check_project(self, project: Project) -> Iterable[Finding]:
        # Not `modules_with_jsx`: custom hooks often live in `.ts` files without JSX.
        if project.react_compiler:
            return
        resolver = project.graph.calls
        for module, ctx in self.checked_modules(project):
            index = resolver.index.get(module.path)
            hooks = [c for c in module.hook_calls if c.name in _HOOKS and len(c.args) >= 2]
            if index is None or not hooks:
                continue
            literals = literal_index(module)
            for call in hooks:
                if not _renders(index, call.function):
                    continue
                for entry in dependency_entries(call.args[-1]):
                    prop = JsxProp(name="", kind=_kind(entry), span=call.span, text=entry)
                    unstable = unstable_value(index, literals, call.function, prop)
                    if unstable is None and prop.kind == "identifier":
                        unstable = _fresh_result(resolver, index, module, call.function, entry)
                    if unstable is None:
                        continue
                    described = unstable if unstable.startswith("`") else f"{unstable}, `{_short(entry)}`"
                    yield self.finding(
                        module,
                        call.span,
                        f"A `{call.name}` dependency is {described}: it is new on every render, "
                        f"so {_consequence(call.name)}; memoise it with `useMemo`/`useCallback`, move it inside "
                        f"the callback, or list the primitives it is built from.",
                        ctx=ctx,
                    )


def _fresh_result(resolver: CallResolver, index: ModuleIndex, module: ModuleFacts, scope: str | None,
                  name: str) -> str | None:
    """How ``name`` holds a new object on each render because the scope binds it to the result of a call
    (`const options = useOptions()`) to a function that returns an object or array literal."""
    while scope is not None:
        fn = index.functions.get(scope)
        if fn is None or name in fn.params:
            return None
        if (scope, name) in index.bindings:
            binding = index.bindings[(scope, name)]
            if binding is None or binding.kind != "call":
                return None
            # The binding keeps the callee text and line; formatters may move the call to the next line.
            call = next((c for c in module.calls if c.function == scope and c.callee == binding.value
                         and c.span.line in (binding.line, binding.line + 1)), None)
            target = resolver.resolve(module.path, call) if call is not None else None
            callee = resolver.index[target[0]].functions.get(target[1]) if target is not None else None
            if callee is None or not callee.returns_literal:
                return None
            return f"`{name}`, the result of `{binding.value}()`, which returns a new object literal on each call"
        scope = fn.parent
    return None


def dependency_entries(text: str) -> list[str]:
    """The top-level entries of a dependency array's source text; [] when it is no array literal. A text cut
    off at the length limit keeps its complete entries only."""
    text = text.strip()
    if not text.startswith("["):
        return []
    if _closes_at_end(text):
        return split_top(text[1:-1])
    if len(text) < _ARGS_LIMIT:
        return []
    # The text was cut off: the entry in progress may be incomplete, the ones before it are not.
    return split_top(text[1:])[:-1]


def _closes_at_end(text: str) -> bool:
    """Whether the ``[`` that opens ``text`` is closed by its last character (strings and nesting respected)."""
    return matching_bracket(text, 0) == len(text) - 1


def _kind(entry: str) -> str:
    """The entry as a JSX prop kind, so `unstable_value` can judge it like a prop value."""
    if entry.startswith("{"):
        return "object"
    if entry.startswith("["):
        return "array"
    if entry.startswith("function") or _ARROW.match(entry):
        return "arrow"
    return "identifier" if _IDENTIFIER.match(entry) else "other"


def _renders(index: ModuleIndex, scope: str | None) -> bool:
    """Whether ``scope`` runs on each render: a component or a custom hook (`useX`) called by one."""
    fn = index.functions.get(scope) if scope is not None else None
    return fn is not None and (fn.is_component or re.match(r"use[A-Z]", fn.name) is not None)


def _consequence(hook: str) -> str:
    if hook == "useMemo":
        return "the value is recomputed on every render"
    if hook == "useCallback":
        return "the callback gets a new identity on every render"
    return "the effect runs again after every render"


def _short(entry: str) -> str:
    return entry if len(entry) <= 40 else entry[:37] + "..."

