"""Unstable props to memo components: inline functions and literals that defeat `React.memo` on every render."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from analyzers.detectors._react import (
    MemoWrapper,
    memo_wrappers,
    modules_with_jsx,
    unstable_value,
)
from analyzers.detectors.base import FileContext, ProjectDetector
from analyzers.facts import JsxElement, JsxProp, ModuleFacts
from optimizer.findings import Category, Finding, Related, Severity

if TYPE_CHECKING:
    from optimizer.api import Project
    from optimizer.graph import CodeGraph

_MAX_REEXPORTS = 6


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
    not read, and an element whose comparator is passed by name (`memo(Row, areEqual)`) or destructures its
    parameters is skipped. Components memoised by a wrapper of the project's own, or whose props come through
    a spread, are not seen. Skipped when the React Compiler is enabled (`babel-plugin-react-compiler` in a
    package.json, or a babel/vite/next config that mentions it), since the compiler memoises the props itself.

    ## Fix safety
    No automatic fix: `useCallback`/`useMemo` need dependency lists, and a handler that closes over a loop
    item has to take the item as an argument instead.
    """

    id = "unstable-props-to-memo-component"
    category = Category.MISSING_MEMOIZATION
    languages = ("tsx", "javascript", "typescript")
    severity = Severity.WARNING

    def check_project(self, project: Project) -> Iterable[Finding]:
        graph = project.graph
        wrappers: dict[str, dict[str, MemoWrapper]] = {}
        for module, ctx, index, literals in modules_with_jsx(self, project):
            for element in module.jsx:
                if not element.name[:1].isupper() or not element.props:
                    continue
                target = _memo_target(graph, module.path, element, wrappers)
                if target is None or target[1].opaque:
                    continue
                path, wrapper = target
                unstable = [
                    (prop, how)
                    for prop in element.props
                    if prop.name not in ("key", "ref") and (wrapper.compared is None or prop.name in wrapper.compared)
                    and (how := unstable_value(index, literals, element.function, prop)) is not None
                ]
                if unstable:
                    yield self._finding(module, element, unstable, path, wrapper, ctx)

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


def _memo_target(
    graph: CodeGraph, path: str, element: JsxElement, wrappers: dict[str, dict[str, MemoWrapper]]
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
    graph: CodeGraph, path: str, name: str, wrappers: dict[str, dict[str, MemoWrapper]], depth: int
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
    graph: CodeGraph, path: str, name: str, wrappers: dict[str, dict[str, MemoWrapper]]
) -> tuple[str, MemoWrapper] | None:
    if path not in wrappers:
        wrappers[path] = memo_wrappers(graph.modules[path])
    wrapper = wrappers[path].get(name)
    return (path, wrapper) if wrapper is not None else None
