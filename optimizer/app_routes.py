"""Routes that frameworks declare without a router object: Next.js file routes (``pages/api``, ``app/**/route``)
and tRPC procedures (``publicProcedure.query(...)``). Their handlers start request paths like any route's."""

from __future__ import annotations

import re
from collections.abc import Callable

from analyzers.facts import ModuleFacts
from optimizer.routes import Route
from optimizer.urls import route_segments

_PAGES_API = re.compile(r"(?:^|/)pages/(api/.+?)(?:/index)?\.(?:ts|tsx|js|jsx|mjs)$")
_APP_ROUTE = re.compile(r"(?:^|/)app/(.+?)/route\.(?:ts|tsx|js|jsx|mjs)$")
_DYNAMIC = re.compile(r"\[(?:\.\.\.)?(\w+)\]")
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
_PROCEDURE_KINDS = {"query": "QUERY", "mutation": "MUTATION", "subscription": "SUBSCRIPTION"}

NodeOf = Callable[[str, str], str]


def file_routes(facts: ModuleFacts, node_of: NodeOf) -> list[Route]:
    """Next.js: ``pages/api/users/[id].ts`` (default export) and ``app/users/[id]/route.ts`` (GET, POST, ...)."""
    path = facts.path
    pages = _PAGES_API.search(path)
    if pages:
        default = next((e for e in facts.exports if e.kind == "default" and e.local), None)
        function = facts.function(default.local) if default else None
        if function is None:
            return []
        return [_route("ALL", "/" + pages.group(1), node_of(path, function.qualname), facts, function.span.line)]
    app = _APP_ROUTE.search(path)
    if not app:
        return []
    parts = [p for p in app.group(1).split("/") if not (p.startswith("(") and p.endswith(")"))]
    url = "/" + "/".join(parts)
    exported = {e.local or e.name for e in facts.exports if e.kind == "named"}
    return [
        _route(fn.name, url, node_of(path, fn.qualname), facts, fn.span.line)
        for fn in facts.functions
        if fn.name in _METHODS and fn.parent is None and (fn.exported or fn.name in exported)
    ]


def procedure_routes(facts: ModuleFacts, node_of: NodeOf) -> list[Route]:
    """tRPC: each ``<something>Procedure....query(handler)`` / ``.mutation(handler)`` is a request entry point."""
    routes = []
    anonymous = [fn for fn in facts.functions if fn.name.startswith("<") and fn.kind in ("arrow", "function")]
    for call in facts.calls:
        kind = _PROCEDURE_KINDS.get(call.name)
        if kind is None or not any(part.rstrip("()").lower().endswith("procedure") for part in call.chain[:-1]):
            continue
        inside = [fn for fn in anonymous if call.span.contains(fn.span)]
        if not inside:
            continue
        # the handler is the last argument: of the functions in the call, the one that ends last
        handler = min(inside, key=lambda fn: (-fn.span.end_byte, fn.span.start_byte))
        pattern = f"/trpc/{facts.path}:{call.span.line}"
        routes.append(_route(kind, pattern, node_of(facts.path, handler.qualname), facts, call.span.line, "trpc"))
    return routes


def _route(method: str, url: str, handler: str, facts: ModuleFacts, line: int, framework: str = "nextjs") -> Route:
    pattern = _DYNAMIC.sub(r":\1", url)
    return Route(method, pattern, handler, facts.path, line, framework, True, route_segments(pattern))
