"""Route pages imported statically by the router, so every page ships in the first bundle."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from analyzers.detectors._first_bundle import FirstBundle
from analyzers.detectors.base import ProjectDetector
from analyzers.facts import Import, ImportedName, ModuleFacts, Span
from optimizer.findings import Applicability, Category, Finding, Fix, Related, Severity

if TYPE_CHECKING:
    from optimizer.api import Project

# React Router's data routers take route objects; the JSX inside their argument names the pages
ROUTER_CALLS = {"createBrowserRouter", "createHashRouter", "createMemoryRouter", "useRoutes"}
_ROUTE_PROPS = {"element", "component", "Component"}
_COMPONENT_KEY = re.compile(r"\b[Cc]omponent\s*:\s*([A-Z]\w*)")
_LAZY_FIX = Fix(
    "load the page with `lazy(() => import(...))` and render the routes inside `<Suspense fallback={null}>`",
    Applicability.UNSAFE,
    codemod="lazy-route",
)
_INDEX_KEY = re.compile(r"""\bpath\s*:\s*(['"`])/\1|\bindex\s*:\s*true\b""")
# route-object keys whose element must be at hand when a page fails to load, so it stays in the first bundle
_FALLBACK_KEY = re.compile(rb"\b(?:errorElement|ErrorBoundary|hydrateFallbackElement)\s*:\s*$")
_PAGE_DIRECTORIES = {"pages", "routes", "views"}
# file-system routers (Next.js app/ and pages/) split per route on their own
_FILE_ROUTED = {"app", "pages"}


class StaticRouteImport(ProjectDetector):
    """## What it does
    Finds page components that a React Router file imports statically (`import Settings from
    './pages/Settings'`) and renders as a route (`<Route element={<Settings />}>`,
    `<Route component={Settings}>`, or `createBrowserRouter([{ element: <Settings /> }])`), when the
    imported module lives in a `pages/`, `routes/` or `views/` directory.

    ## Why is this slow?
    A static import puts the page, and everything it imports (charts, editors, date pickers), into the
    bundle that must download, parse and run before the first screen appears. With twenty routes the
    user who opens the login page pays for all twenty. `React.lazy` makes each route its own chunk,
    fetched when the route is first visited.

    ## Example
    ```tsx
    import Settings from './pages/Settings';

    <Route path="/settings" element={<Settings />} />
    ```

    ## Use instead
    ```tsx
    const Settings = lazy(() => import('./pages/Settings'));

    <Suspense fallback={<Spinner />}>
      <Route path="/settings" element={<Settings />} />
    </Suspense>
    ```
    With a data router, `{ path: '/settings', lazy: () => import('./pages/Settings') }`.

    ## Known limits
    A page used only by the index route (`index` or `path="/"`, in JSX or a data router's route object) is not
    reported: the first screen is needed at once anyway. Nor is a page that adds little: when the router's
    first bundle (the router, its index pages and all they import) holds 2,000 lines or more and the page
    brings no package it lacks and under 1% more lines (a 20-line login callback over a shared app shell),
    lazy loading saves almost nothing and adds a loading step. A page used as a route object's `errorElement`
    (or hydrate fallback) stays static: it must render when a lazy page fails to load. Route objects are read from the router call's
    JSX and from `Component:` keys in its first 200 characters per argument. Files under `app/` or `pages/`
    are skipped because file-system routers such as Next.js already split per route. Test files are skipped.

    The `lazy-route` codemod does this: each page import becomes
    `const Settings = lazy(() => import('./pages/Settings'))` after the imports (a named export is mapped
    with `.then((m) => ({ default: m.Settings }))`), `lazy` and `Suspense` are added to the `react` import, and
    unless a `Suspense` already encloses the routes, the `<Routes>`/`<Switch>` around them is wrapped in
    `<Suspense fallback={null}>` (with a data router, the route's `element` itself).

    ## Fix safety
    Unsafe: the page's module now loads, and runs its top-level code, when the route first renders, the
    routes show the fallback meanwhile, and a failed chunk load becomes a render error. The codemod is offered
    only when the whole import statement is route pages and its specifier names the page directory; it keeps
    the import when the name is used for anything but a route's element (`Settings.preload()`, an argument, a
    `Component:` key of a data router) and declines type-only and namespace imports.
    """

    id = "static-route-import"
    category = Category.HEAVY_IMPORT
    languages = ("typescript", "tsx", "javascript")
    severity = Severity.WARNING
    options = {"include-tests": False}

    def check_project(self, project: Project) -> Iterable[Finding]:
        for module, ctx in self.checked_modules(project):
            if _FILE_ROUTED & set(module.path.split("/")[:-1]):
                continue
            routed = routed_pages(module, project.source(module.path))
            if not routed:
                continue
            found = list(self._page_imports(project, module, routed))
            bundle = FirstBundle(project, module, [imp for imp, _ in found]) if found else None
            for imp, pages in found:
                if bundle is not None and bundle.page_adds_little(imp):
                    continue
                names = ", ".join(f"`{page}`" for page in pages)
                message = (
                    f"Route page{'s' if len(pages) > 1 else ''} {names} {'are' if len(pages) > 1 else 'is'} imported statically, so the code and "
                    f"everything it imports are in the first bundle even for users who never open the route; "
                    f"load {'each' if len(pages) > 1 else 'it'} with {_lazy_hint(imp.names, pages[0], imp.source)} "
                    f"inside a `Suspense` boundary."
                )
                related = tuple(Related(module.path, routed[page][0], f"`{page}` rendered as a route") for page in pages)
                finding = self.finding(module, imp.span, message, ctx=ctx, related=related)
                yield finding.with_(fix=_LAZY_FIX) if _codemod_handles(imp, pages) else finding

    @staticmethod
    def _page_imports(
        project: Project, module: ModuleFacts, routed: dict[str, tuple[int, bool]]
    ) -> Iterable[tuple[Import, list[str]]]:
        """The router's static imports of pages in a page directory, with the pages each one imports."""
        for imp in module.imports:
            if imp.kind != "esm" or imp.type_only or imp.function is not None:
                continue
            pages = [name.local for name in imp.names if name.local in routed and not routed[name.local][1]]
            target = project.graph.resolve_module(module.path, imp)
            if pages and in_page_directory(target, imp.source):
                yield imp, pages


def _codemod_handles(imp: Import, pages: list[str]) -> bool:
    """The lazy-route codemod rewrites a whole statement of pages, found again by a specifier that names the
    page directory; it checks the references and where the `Suspense` goes itself."""
    every_page = len(pages) == len(imp.names) and all(name.imported != "*" for name in imp.names)
    return every_page and names_page_directory(imp.source)


def routed_pages(module: ModuleFacts, source: bytes | None = None) -> dict[str, tuple[int, bool]]:
    """Component names rendered by routes -> (line of the first route, whether every route is the index). A
    data router's route object is known to be the index only when the ``source`` is at hand."""
    routed: dict[str, tuple[int, bool]] = {}

    def add(name: str, line: int, index: bool) -> None:
        local = name.split(".", 1)[0]  # `<Pages.Home />` uses the import `Pages`
        first, index_only = routed.get(local, (line, True))
        routed[local] = (min(first, line), index_only and index)

    for element in module.jsx:
        if element.name.rsplit(".", 1)[-1] != "Route":
            continue
        index = any(p.name == "index" or p.name == "path" and p.text.strip("'\"`{} ") == "/" for p in element.props)
        for prop in element.props:
            if prop.name not in _ROUTE_PROPS:
                continue
            if prop.kind == "identifier":
                add(prop.text, element.span.line, index)
            for inner in module.jsx:
                if prop.span.contains(inner.span):
                    add(inner.name, element.span.line, index)
    for call in module.calls:
        if call.name not in ROUTER_CALLS:
            continue
        for inner in module.jsx:
            if call.span.contains(inner.span) and not _fallback_element(source, inner.span):
                add(inner.name, inner.span.line, _index_route_object(source, inner.span))
        for arg in call.args:
            for match in _COMPONENT_KEY.finditer(arg):
                add(match.group(1), call.span.line, False)
    return routed


def _index_route_object(source: bytes | None, span: Span) -> bool:
    """Whether the JSX at ``span`` is the element of a route object `{ path: '/', element: ... }` or
    `{ index: true, ... }`: the keys around it up to the nearest braces."""
    if source is None or span.start_byte < 0:
        return False
    before = source[max(0, span.start_byte - 300):span.start_byte].decode("utf-8", "replace").rsplit("{", 1)[-1]
    after = source[span.end_byte:span.end_byte + 300].decode("utf-8", "replace").split("}", 1)[0]
    return _INDEX_KEY.search(before + " " + after) is not None


def _fallback_element(source: bytes | None, span: Span) -> bool:
    """Whether the JSX at ``span`` is a route object's `errorElement: <ErrorPage />` (or hydrate fallback)."""
    return source is not None and span.start_byte > 0 and bool(
        _FALLBACK_KEY.search(source[max(0, span.start_byte - 40) : span.start_byte])
    )


def _lazy_hint(names: tuple[ImportedName, ...], page: str, source: str) -> str:
    """`lazy` wants a module whose default export is the component; a named export is mapped onto it."""
    imported = next(name.imported for name in names if name.local == page)
    if imported == "default":
        return f"`const {page} = lazy(() => import('{source}'))`"
    return f"`const {page} = lazy(() => import('{source}').then((m) => ({{ default: m.{imported} }})))`"


def in_page_directory(target: str | None, source: str) -> bool:
    """Whether the imported module sits in a page directory; an unresolved specifier may name the directory."""
    return names_page_directory(source) if not target else _has_page_directory(target.split("/")[:-1])


def names_page_directory(source: str) -> bool:
    """Whether the import specifier itself names a page directory (`./pages/Settings`, `@/views/Billing`)."""
    return _has_page_directory(source.split("/"))


def _has_page_directory(parts: list[str]) -> bool:
    return bool(_PAGE_DIRECTORIES & {part.lower() for part in parts})
