"""Unstable props to memo components: inline functions and literals that defeat `React.memo` on every render."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from analyzers.detectors._react import MemoWrapper, memo_wrappers, modules_with_jsx, unstable_props
from analyzers.detectors.base import FileContext, ProjectDetector
from analyzers.facts import JsxElement, JsxProp, ModuleFacts
from optimizer.calls import ModuleIndex
from optimizer.findings import Applicability, Category, Finding, Fix, Related, Severity
from rewriters.javascript import stable_props

if TYPE_CHECKING:
    from optimizer.api import Project
    from optimizer.graph import CodeGraph

_MAX_REEXPORTS = 6
_CONSTANT_FIX = "hoist the constant literals to module-level constants"
_CALLBACK_FIX = "wrap the inline functions in `useCallback` in the component body (and hoist constant literals)"


class UnstablePropsToMemoComponent(ProjectDetector):
    """## What it does
    Finds inline arrow functions, object literals and array literals (or names the rendering component binds
    to one of those without `useCallback`/`useMemo`) passed as props to a component wrapped in `React.memo`.
    The element name is followed through imports and re-exports to the `memo(...)` call:
    `export default memo(Row)`, `export const Row = memo(function Row() {...})`, `const Row = React.memo(...)`.
    Elements rendered inside a `.map` list weigh more.

    ## Why is this slow?
    `memo` skips a re-render only when every prop is the same object as last time. An inline `() => ...`,
    `{...}` or `[...]` is a new object on each render of the parent, so the memoised component re-renders
    anyway and also pays for the comparison. In a list of 500 rows, one inline `onSelect` re-renders all
    500 rows whenever the list's parent renders.

    ## Example
    ```tsx
    {items.map((item) => <Row key={item.id} item={item} onSelect={() => select(item.id)} />)}
    ```

    ## Use instead
    ```tsx
    const onSelect = useCallback((id: string) => select(id), [select]);
    {items.map((item) => <Row key={item.id} item={item} onSelect={onSelect} />)}
    ```
    Hoist constant objects to module level, and wrap computed ones in `useMemo`.

    ## Known limits
    A custom comparator is honoured: `memo(Row, (prev, next) => prev.id === next.id)` ignores every prop it does
    not read, a literal prop it compares only by value (`isEqual(prev.sections, next.sections)`) keeps the memo
    (a new function still does not), and an element whose comparator is passed by name (`memo(Row, areEqual)`)
    or destructures its parameters is skipped. Components memoised by a wrapper of the project's own, or whose
    props come through a spread, are not seen. Skipped when the React Compiler is enabled
    (`babel-plugin-react-compiler` in a package.json, or a babel/vite/next config that mentions it), since the
    compiler memoises the props itself.

    When the memo component is defined in the same file, the `stable-props` codemod does both: a literal of
    constants only becomes `const STYLE = {...}` above the component, and an inline function in the body of a
    function component becomes `const handleSelect = useCallback(..., [deps])` before the first `return`,
    the dependencies being the names the function reads that the component declares (less `useState`
    setters and `useRef` objects).

    ## Fix safety
    Safe when every prop is a constant literal: one shared copy holds the same value. Unsafe when an inline
    function moves to `useCallback`: the dependency list is inferred and may miss a name read through a
    nested scope. No fix when a handler closes over a list item (`.map`): a hook per row breaks the rules of
    hooks, so extract a row component that takes the item; nor for a literal that reads names of the
    component (wrap it in `useMemo`), a name bound in the body, a class component, a function rendered
    conditionally, or a memo component of another file. An element is rewritten whole or not at all.
    """

    id = "unstable-props-to-memo-component"
    category = Category.MISSING_MEMOIZATION
    languages = ("tsx", "javascript", "typescript")
    severity = Severity.WARNING

    def check_project(self, project: Project) -> Iterable[Finding]:
        graph = project.graph
        wrappers = _Wrappers(project.source)
        for module, ctx, index, literals in modules_with_jsx(self, project):
            for element in module.jsx:
                if not element.name[:1].isupper() or not element.props:
                    continue
                target = _memo_target(graph, module.path, element, wrappers)
                if target is None or target[1].opaque:
                    continue
                path, wrapper = target
                unstable = unstable_props(element, wrapper, index, literals)
                if not unstable:
                    continue
                finding = self._finding(module, element, unstable, path, wrapper, ctx)
                # the codemod sees one file, so it rewrites only for a memo component of the same file
                same_file = path == module.path
                fix = _stable_props_fix(module, index, element, [p for p, _ in unstable]) if same_file else None
                yield finding.with_(fix=fix) if fix else finding

    def _finding(
        self, module: ModuleFacts, element: JsxElement, unstable: list[tuple[JsxProp, str]], path: str,
        wrapper: MemoWrapper, ctx: FileContext,
    ) -> Finding:
        listed = ", ".join(f"`{prop.name}` ({how})" for prop, how in unstable)
        where = " in a list, so every row re-renders" if element.loops else ""
        message = (
            f"`<{element.name}>` is wrapped in `memo`, but gets new objects on each render{where}: {listed}; "
            f"pass stable values (`useCallback`, `useMemo`, or a module-level constant)."
        )
        return self.finding(
            module,
            unstable[0][0].span,
            message,
            ctx=ctx,
            related=(Related(path, wrapper.line, f"`{element.name}` is wrapped in `memo` here"),),
            weight=float(2 ** len(element.loops)) * len(unstable),
        )


def _stable_props_fix(
    module: ModuleFacts, index: ModuleIndex, element: JsxElement, props: list[JsxProp]
) -> Fix | None:
    """The stable-props fix when every prop is an inline literal of constants, which it hoists, or an inline
    function it can wrap in `useCallback` in the component's body."""
    constants = [
        prop for prop in props
        if prop.kind in ("object", "array") and stable_props.constant_literal(prop.text, module.language)
    ]
    functions = [prop for prop in props if prop.kind in ("arrow", "function")]
    if len(constants) + len(functions) < len(props):
        return None
    if functions:
        scope = index.functions.get(element.function) if element.function else None
        # a hook per list row or inside a callback breaks the rules of hooks
        if element.loops or scope is None or not scope.is_component:
            return None
        return Fix(_CALLBACK_FIX, Applicability.UNSAFE, codemod=stable_props.CODEMOD_ID)
    return Fix(_CONSTANT_FIX, Applicability.SAFE, codemod=stable_props.CODEMOD_ID)


def _memo_target(
    graph: CodeGraph, path: str, element: JsxElement, wrappers: _Wrappers
) -> tuple[str, MemoWrapper] | None:
    """The module and `memo` call an element name denotes, following imports and re-exports."""
    head, _, rest = element.name.partition(".")
    index = graph.calls.index[path]
    entry = index.imports.get((None, head))
    if entry is None:
        if rest:
            return None  # a member of a local object
        return _wrapper_in(graph, path, head, wrappers)
    imp, name = entry
    target = graph.resolve_module(path, imp)
    if target is None or target not in graph.calls.index:
        return None
    exported = name.imported
    if exported == "*":
        if not rest or "." in rest:
            return None
        exported = rest
    elif rest:
        return None
    return _export_target(graph, target, exported, wrappers, 0)


def _export_target(
    graph: CodeGraph, path: str, name: str, wrappers: _Wrappers, depth: int
) -> tuple[str, MemoWrapper] | None:
    index = graph.calls.index[path]
    export = index.exports.get(name)
    if depth > _MAX_REEXPORTS:
        return None
    if export is None:
        for source in index.star_exports if name != "default" else ():
            target = graph.resolver.js(path, source)
            found = _export_target(graph, target, name, wrappers, depth + 1) if target in graph.calls.index else None
            if found is not None:
                return found
        return None
    if export.source is not None:
        target = graph.resolver.js(path, export.source)
        if target not in graph.calls.index or export.local in (None, "*"):
            return None
        return _export_target(graph, target, export.local, wrappers, depth + 1)
    found = _wrapper_in(graph, path, "default", wrappers) if name == "default" else None
    return found or _wrapper_in(graph, path, export.local or export.name, wrappers)


def _wrapper_in(
    graph: CodeGraph, path: str, name: str, wrappers: _Wrappers
) -> tuple[str, MemoWrapper] | None:
    wrapper = wrappers.of(graph.modules[path]).get(name)
    return (path, wrapper) if wrapper is not None else None


class _Wrappers:
    """The `memo` wrappers of each module, read once; the source lets a long comparator be read whole."""

    def __init__(self, read: Callable[[str], bytes | None]) -> None:
        self.read = read
        self.by_path: dict[str, dict[str, MemoWrapper]] = {}

    def of(self, module: ModuleFacts) -> dict[str, MemoWrapper]:
        if module.path not in self.by_path:
            self.by_path[module.path] = memo_wrappers(module, self.read(module.path))
        return self.by_path[module.path]
