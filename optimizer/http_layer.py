"""The HTTP layer of the code graph: routes with their handlers, client calls with the route each requests, and
the functions on a request path. Built from module facts and the graph's name and call resolution."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from analyzers.facts import Call, Span
from optimizer.app_routes import file_routes, procedure_routes
from optimizer.client_wrappers import Site, through_wrappers
from optimizer.config import DEFAULT_TEST_PATTERNS
from optimizer.express_routes import collect_express
from optimizer.fastapi_routes import collect_fastapi
from optimizer.http_clients import direct_requests
from optimizer.http_context import HttpContext
from optimizer.path_patterns import PathPatterns
from optimizer.routes import Declarations, Route, RouteIndex
from optimizer.urls import UrlPattern, client_pattern
from optimizer.values import ValueResolver

if TYPE_CHECKING:
    from optimizer.graph import CodeGraph

# Apps assembled in tests mount the real routers again at other paths; their routes are not the service's.
_TESTS = PathPatterns(DEFAULT_TEST_PATTERNS)


@dataclass(frozen=True, slots=True)
class ClientCall:
    """One HTTP request in the code. ``function`` is the qualname of the function that makes it (None at module
    level); ``via`` the wrapper function node when the call goes through a thin API-client wrapper; ``method``
    is None when unknown; ``url`` None when the URL is not readable; ``route`` the backend route it requests."""

    path: str
    function: str | None
    span: Span
    method: str | None
    url: UrlPattern | None
    library: str
    via: str | None = None
    route: Route | None = None

    @property
    def line(self) -> int:
        return self.span.line


class HttpLayer:
    def __init__(self, routes: list[Route], client_calls: list[ClientCall]) -> None:
        self.routes = routes
        self.client_calls = client_calls
        self._by_call = {(c.path, c.span): c for c in client_calls}

    @classmethod
    def build(cls, graph: CodeGraph) -> HttpLayer:
        ctx = HttpContext(graph.modules, graph.calls, ValueResolver(graph.calls, graph.resolver))
        declarations = Declarations()
        direct: list[Site] = []
        for path in sorted(graph.modules):
            facts = graph.modules[path]
            if not _TESTS.match_file(path):
                collect = collect_fastapi if facts.language == "python" else collect_express
                collect(ctx, facts, declarations)
                if facts.language != "python":
                    declarations.complete += file_routes(facts, graph.function_node)
                    declarations.complete += procedure_routes(facts, graph.function_node)
            direct.extend(Site(path, request) for request in direct_requests(ctx, facts))
        routes = declarations.compose()
        index = RouteIndex(routes)
        calls = []
        for site in through_wrappers(ctx, graph, direct):
            request = site.request
            url = client_pattern(request.parts) if request.parts else None
            method = request.method if isinstance(request.method, str) else None
            route = index.match(url, method) if url is not None else None
            calls.append(
                ClientCall(
                    site.path, request.function, request.call.span, method, url, request.library, site.via, route
                )
            )
        calls.sort(key=lambda c: (c.path, c.span.start_byte, c.span.line, c.span.column))
        return cls(routes, calls)

    def client_call(self, path: str, call: Call) -> ClientCall | None:
        return self._by_call.get((path, call.span))
