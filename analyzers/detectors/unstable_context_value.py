"""Unstable context values: a Provider whose `value` is a new object on every render of its component."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from analyzers.detectors._context_readers import ContextReaders
from analyzers.detectors._provider_rerenders import ProviderRerenders
from analyzers.detectors._react import (
    enclosing_component,
    modules_with_jsx,
    unstable_value,
)
from analyzers.detectors.base import ProjectDetector
from analyzers.facts import JsxElement, JsxProp
from optimizer.findings import Category, Finding, Fix, Severity
from optimizer.values import ValueResolver
from rewriters.javascript import memoize_context_value

if TYPE_CHECKING:
    from optimizer.api import Project

_CREATE_CONTEXT = {"createContext", "React.createContext"}


class UnstableContextValue(ProjectDetector):
    """## What it does
    Finds Context Providers (`<ThemeContext.Provider value={...}>`, or React 19's `<ThemeContext value={...}>`
    where `ThemeContext` comes from `createContext(...)`) inside a component whose `value` is an object or
    array literal, an inline function, or a name the component body binds to one of those without `useMemo`
    or `useCallback`.

    ## Why is this slow?
    React compares a Provider's `value` by identity. A literal written in the render is a new object every
    time the provider's component renders, so every component that reads the context re-renders too, even
    those behind `memo` and even when nothing in the value changed. A provider near the root of the app
    turns each of its renders into a re-render of every consumer.

    ## Example
    ```tsx
    function AuthProvider({ children }) {
      const [user, setUser] = useState(null);
      return <AuthContext.Provider value={{ user, setUser }}>{children}</AuthContext.Provider>;
    }
    ```

    ## Use instead
    ```tsx
    const value = useMemo(() => ({ user, setUser }), [user]);
    return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
    ```
    Values from `useState`, `useMemo`, `useCallback`, module-level constants and primitives are not reported.
    Nor is an inline value that costs no render: in a frontend package (a package.json) where no component is
    wrapped in `memo`, a provider whose own state and hook results all appear in the value re-renders either
    with its parent, which re-creates every consumer anyway, or with a new value that `useMemo` would give too.
    The same holds when the package has `memo` components but none can render a reader: the context is read
    only in its own module (`useContext` or a hook of the module that calls it) and in modules calling those
    hooks, and none of these modules is rendered, following JSX imports across files, by a module that calls
    `memo` (a UI kit's `<FormItem>` whose `{ id }` only its own `<FormLabel>` reads).
    Nor is a context nobody reads: created in the module, not exported, and read only by hooks that neither the
    module calls nor any other module imports or re-exports.

    ## Known limits
    A name is followed within its module only: a value built by a custom hook or imported is not reported.
    A `.Provider` whose context cannot be resolved counts when its name ends in `Context`. Skipped when the
    React Compiler is enabled (`babel-plugin-react-compiler` in a package.json, or a babel/vite/next config
    that mentions it), since the compiler memoises the value itself.

    ## Fix safety
    An object literal written inline (`value={{ user, setUser }}`) is wrapped in
    `useMemo(() => ({ user, setUser }), [user, setUser])`, listing what it reads through names the component
    binds (a member chain as written: `props.user`, not `props`, a new object on every render), and `useMemo`
    is added to the `react` import. Safe when every property reads a constant, a name or a member chain of
    one. No fix for a name bound to a literal, arrays, functions, spreads or calls in the literal.
    """

    id = "unstable-context-value"
    category = Category.MISSING_MEMOIZATION
    languages = ("tsx", "javascript", "typescript")
    severity = Severity.WARNING

    def check_project(self, project: Project) -> Iterable[Finding]:
        graph = project.graph
        values = ValueResolver(graph.calls, graph.resolver)
        rerenders = ProviderRerenders(project)
        readers = ContextReaders(project)
        for module, ctx, index, literals in modules_with_jsx(self, project):
            for element in module.jsx:
                component = enclosing_component(index, element.function)
                context = _context_name(values, module.path, element) if component else None
                value = next((p for p in element.props if p.name == "value"), None)
                if context is None or value is None:
                    continue
                unstable = unstable_value(index, literals, element.function, value)
                if unstable is None or not rerenders.value_identity_matters(module, component, value, context):
                    continue
                if readers.unread(module, context):
                    continue
                finding = self.finding(
                    module,
                    value.span,
                    f"The value of `{context}` is {unstable}: a new object on each render of `{component}`, so every "
                    f"consumer of the context re-renders each time; wrap the value in `useMemo` (functions in "
                    f"`useCallback`).",
                    ctx=ctx,
                )
                yield finding.with_(fix=_memoize(value, module.language)) if value.kind == "object" else finding


def _context_name(values: ValueResolver, path: str, element: JsxElement) -> str | None:
    """The context an element provides, or None when it is no Provider."""
    name = element.name.removesuffix(".Provider")
    provider = name != element.name
    bound = values.bound(path, element.function, name)
    if bound is not None:
        created = bound.binding.kind == "call" and bound.binding.value in _CREATE_CONTEXT
        return name if created else None
    return name if provider and name.rsplit(".", 1)[-1].endswith("Context") else None



def _memoize(value: JsxProp, language: str) -> Fix | None:
    """The useMemo fix of an inline object value, or None when its dependencies cannot be listed."""
    applicability = memoize_context_value.applicability(value.text, language)
    if applicability is None:
        return None
    return Fix(
        "Wrap the value in `useMemo`, listing the component's names it reads as dependencies",
        applicability,
        codemod=memoize_context_value.CODEMOD_ID,
    )
