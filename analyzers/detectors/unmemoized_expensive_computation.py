"""Unmemoised expensive computations: derived data rebuilt in a component's body on every render."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from analyzers.detectors._react import modules_with_jsx
from analyzers.detectors.base import ProjectDetector
from analyzers.facts import Call, Function, ModuleFacts, Span
from optimizer.calls import CallResolver, ModuleIndex
from optimizer.findings import Category, Finding, Severity

if TYPE_CHECKING:
    from optimizer.api import Project

# Array methods that walk or copy the whole array; two of them in one chain is derived data worth memoising.
_ARRAY_STEPS = {"filter", "map", "flatMap", "reduce", "reduceRight", "sort", "toSorted", "slice", "concat", "flat",
                "reverse", "toReversed"}
_STATEMENT_LOOPS = {"for", "for_of", "for_in", "while", "do"}
# a hook call with simple arguments, then `||` / `??`, and no end of statement up to the computation
_HOOK_FALLBACK = re.compile(
    r"\buse[A-Z][\w$]*\([^()]*\)\s*(?:\|\||\?\?)(?:(?!\n\s*(?:const|let|var|return|if|for|while)\b)[^;])*$"
)
# `[...rows].sort()`, `[...new Set(ids)].sort()`: the spread copies the array, one more pass.
_SPREAD_COPY = re.compile(r"^\[\s*\.\.\.\s*(?:new\s+)?([A-Za-z_$][\w$]*)")


class UnmemoizedExpensiveComputation(ProjectDetector):
    """## What it does
    Finds derived data computed directly in a component's body, outside `useMemo`, effects and event
    handlers: chains of two or more array passes (`items.filter(...).map(...)`, `[...rows].sort(...)`,
    `list.slice().sort(...)`; a final `.slice(0, n)` only cuts the result and is no pass), `JSON.parse`,
    `new RegExp(...)`, `Intl.*` formatters and collators, and nested loops. Findings in components rendered inside a `.map` elsewhere weigh more.

    ## Why is this slow?
    A component body runs on every render, including renders caused by an unrelated state change or by a
    parent re-rendering. Work that only depends on props or state is then redone although its inputs did not
    change: each array pass allocates a new array, `Intl` formatters load locale data on construction, and
    nested loops grow with the product of the sizes. In a list item the cost is paid once per row.

    ## Example
    ```tsx
    function Orders({ orders, status }) {
      const shown = orders.filter((o) => o.status === status).sort(byDate);
      return <Table rows={shown} />;
    }
    ```

    ## Use instead
    ```tsx
    function Orders({ orders, status }) {
      const shown = useMemo(() => orders.filter((o) => o.status === status).sort(byDate), [orders, status]);
      return <Table rows={shown} />;
    }
    ```
    Move constant work (a `RegExp` or `Intl.NumberFormat` that depends on nothing in the component) to
    module level instead.

    ## Known limits
    The cost is estimated from the shape of the code, not the size of the data: a chain over a three-item
    array is reported too. A last `.map` that renders (its callback holds JSX, or its result goes straight
    into the markup rather than into a variable or a prop) does not count as a pass, so
    `{rows.filter(f).map((r) => <Row />)}` is not reported. Chains that start from a module-level constant or
    import are not reported (hoist them). Nested loops count when the outer one is a statement loop (`for`,
    `while`); nested `.map` callbacks are taken as rendering. The default for a missing hook result
    (`useZone() ?? Intl.DateTimeFormat().resolvedOptions().timeZone`) runs only while the hook has no value and
    is not reported. Skipped when the React Compiler is enabled.

    ## Fix safety
    No automatic fix: the `useMemo` dependencies must list every prop and state value the computation reads.
    """

    id = "unmemoized-expensive-computation"
    category = Category.MISSING_MEMOIZATION
    languages = ("tsx", "javascript", "typescript")
    severity = Severity.INFO

    def check_project(self, project: Project) -> Iterable[Finding]:
        calls = project.graph.calls
        list_items = _list_item_components(project, calls)
        for module, ctx, index, _ in modules_with_jsx(self, project):
            found = list(_expensive(module, index))
            source = (project.source(module.path) or b"") if found else b""
            for component, span, what in found:
                if _in_hook_fallback(source, span):
                    continue
                in_list = (module.path, component.qualname) in list_items
                yield self.finding(
                    module,
                    span,
                    f"`{component.name}` computes {what} on every render{' of each list item' if in_list else ''}; "
                    f"wrap it in `useMemo` with the props and state it reads as dependencies, or move it to module level "
                    f"when it reads neither.",
                    ctx=ctx,
                    weight=2.0 if in_list else 1.0,
                )


def _in_hook_fallback(source: bytes, span: Span) -> bool:
    """Whether the computation is the default for a missing hook result (`useData() || { zone: Intl...() }`),
    which runs only while the hook has no value, not on every render."""
    if span.start_byte < 0:
        return False
    before = source[max(0, span.start_byte - 300):span.start_byte].decode("utf-8", "replace")
    return _HOOK_FALLBACK.search(before) is not None


def _expensive(module: ModuleFacts, index: ModuleIndex) -> Iterator[tuple[Function, Span, str]]:
    """(component, span, description) of each expensive computation in a component's own body."""
    components = {fn.qualname: fn for fn in module.functions if fn.is_component}
    literals = {b.name for b in module.literals if b.scope is None}
    jsx_scopes = {element.function for element in module.jsx}
    found: list[tuple[Function, Call, str]] = []
    for call in module.calls:
        component = components.get(call.function or "")
        renders = component is not None and _maps_to_jsx(module, jsx_scopes, call)
        what = _expensive_call(call, index, literals, renders) if component is not None else None
        if component is not None and what is not None:
            found.append((component, call, what))
    spans = [call.span for _, call, _ in found]
    for component, call, what in found:
        # `a.filter().map().sort()` holds `a.filter().map()`: report the whole chain once.
        if not any(other != call.span and other.contains(call.span) for other in spans):
            yield component, call.span, what
    # Outermost statement loops of a component body that hold another loop of the same body.
    nesting = {loop.parent for loop in module.loops if loop.parent is not None}
    for loop in module.loops:
        component = components.get(loop.function or "")
        if component is not None and loop.parent is None and loop.kind in _STATEMENT_LOOPS and loop.id in nesting:
            yield component, loop.span, f"nested loops over `{_short(loop.iterable)}`"


def _maps_to_jsx(module: ModuleFacts, jsx_scopes: set[str | None], call: Call) -> bool:
    """Whether ``call`` is a `.map` that renders: its callback holds JSX (`rows.map((r) => <Row />)`), or its
    result goes straight into the markup (`{rows.map(renderRow)}`, `return rows.map(...)`) rather than into a
    variable or a prop. Building the elements is the render's own job, so that step is no derived data."""
    if call.name != "map":
        return False
    callbacks = [fn for fn in module.functions if fn.parent == call.function and call.span.contains(fn.span)]
    last = max(callbacks, key=lambda fn: fn.span.start_byte, default=None)
    if last is not None and last.qualname in jsx_scopes:
        return True
    bound = any(b.scope == call.function and b.value == call.callee for b in module.bindings)
    in_prop = any(prop.span.contains(call.span) for e in module.jsx if e.function == call.function for prop in e.props)
    return not bound and not in_prop


def _expensive_call(call: Call, index: ModuleIndex, literals: set[str], renders: bool) -> str | None:
    if call.chain == ("JSON", "parse"):
        return "`JSON.parse`"
    if call.chain == ("RegExp",):
        return "a `RegExp`"
    if len(call.chain) == 2 and call.chain[0] == "Intl":
        return f"an `Intl.{call.chain[1]}`"
    steps = [part.removesuffix("()") for part in call.chain[1:]]
    if not steps or steps[-1] not in _ARRAY_STEPS:
        return None
    root = call.chain[0]
    passes = 0
    for step in reversed(steps):
        if step not in _ARRAY_STEPS:
            break
        passes += 1
    copy = _SPREAD_COPY.match(call.callee) if root == "?" and passes == len(steps) else None
    # `[...Array(n)].map(...)` builds a range to render, it copies no data.
    if copy is not None and copy.group(1) != "Array":
        root, passes = copy.group(1), passes + 1
    # the final step builds the elements (`.map` to JSX), or cuts the result to a few items (`.slice(0, n)`)
    if renders or steps[-1] == "slice":
        passes -= 1
    if passes < 2 or not _changes_per_render(index, literals, call.function, root):
        return None
    head = _short(call.callee.split("]", 1)[0] + "]") if root != call.chain[0] else root
    return f"`{'.'.join((head, *call.chain[1:]))}()`"


def _changes_per_render(index: ModuleIndex, literals: set[str], scope: str | None, name: str) -> bool:
    """Whether ``name`` can hold a different value on each render: a prop, state or local rather than a
    module-level constant or import."""
    if not re.match(r"^[A-Za-z_$][\w$]*$", name):
        return False
    while scope is not None:
        fn = index.functions.get(scope)
        if fn is None:
            return False
        if name in fn.params or (scope, name) in index.bindings or (scope, name) in index.imports:
            return True
        scope = fn.parent
    # Destructured state (`const [rows] = useState()`) leaves no binding fact, so a name that is not
    # defined at module level is taken as a local.
    module_level = (None, name)
    return name not in literals and not any(
        module_level in table for table in (index.bindings, index.imports, index.members)
    )


def _list_item_components(project: Project, calls: CallResolver) -> set[tuple[str, str]]:
    """(path, qualname) of the components some module renders inside a loop (`items.map((i) => <Row />)`)."""
    found: set[tuple[str, str]] = set()
    for path, module in project.modules.items():
        for element in module.jsx:
            if element.loops and element.name[:1].isupper():
                call = Call(callee=element.name, chain=tuple(element.name.split(".")), span=element.span,
                            function=element.function)
                target = calls.resolve(path, call)
                if target is not None:
                    found.add(target)
    return found


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."
