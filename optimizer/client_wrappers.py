"""Thin API-client wrappers: a function that makes exactly one HTTP request, like ``getProject(id)`` ->
``api.get(`/projects/${id}`)``. A call to a wrapper is a client call too, to the URL the wrapper builds from that
call's arguments; wrappers of wrappers are followed a few levels. Callers are found through the code graph's
resolved ``calls`` edges."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from analyzers.facts import Call, Function
from optimizer.expr_text import Hole, Part, concat_parts, keyword, object_literal, positional, string_value, unwrap
from optimizer.http_clients import FromOptions, FromParam, Method, Request, method_entry
from optimizer.http_context import HttpContext
from optimizer.urls import client_pattern

if TYPE_CHECKING:
    from optimizer.graph import CodeGraph

_MAX_LEVELS = 4
_UNKNOWN = Hole("")


@dataclass(frozen=True, slots=True)
class Site:
    """A request made in module ``path`` by ``request.function``; ``via`` is the wrapper it goes through."""

    path: str
    request: Request
    via: str | None = None

    @property
    def function_node(self) -> str | None:
        function = self.request.function
        return f"function:{self.path}::{function}" if function is not None else None


def through_wrappers(ctx: HttpContext, graph: CodeGraph, direct: Iterable[Site]) -> list[Site]:
    """``direct`` plus one site per call to a wrapper, level by level."""
    sites = list(direct)
    by_function: dict[str, list[Site]] = defaultdict(list)
    wrappers: set[str] = set()
    frontier = sites
    for _ in range(_MAX_LEVELS):
        for site in frontier:
            if site.function_node is not None:
                by_function[site.function_node].append(site)
        found = {}
        for node in dict.fromkeys(s.function_node for s in frontier):
            if node is None or node in wrappers or len(by_function[node]) != 1:
                continue
            site = by_function[node][0]
            fn = ctx.modules[site.path].function(site.request.function)
            if fn is not None and _is_wrapper(fn, site) and _only_request(graph, node, site, by_function):
                found[node] = (fn, site)
        wrappers.update(found)
        frontier = [call for node, (fn, site) in found.items() for call in _calls_to(ctx, graph, node, fn, site)]
        sites.extend(frontier)
        if not frontier:
            break
    return sites


def _is_wrapper(fn: Function, site: Site) -> bool:
    """One request per call: not in a loop, not a component's render; with a URL readable here or built from
    the parameters (``request(path)`` -> ``fetch(BASE + path)``)."""
    if fn.is_component or fn.kind == "class" or site.request.call.loops:
        return False
    params = set(_params(fn))
    method = site.request.method
    if isinstance(method, (FromParam, FromOptions)) and method.name in params:
        return True
    parts = site.request.parts
    if parts is None:
        return False
    return any(isinstance(p, Hole) and p.expr in params for p in parts) or client_pattern(parts) is not None


def _only_request(graph: CodeGraph, node: str, site: Site, by_function: dict[str, list[Site]]) -> bool:
    """The function calls no other function that makes requests: it is one request, not a workflow."""
    return all(callee == site.via or callee not in by_function for callee in graph.callees(node))


def _calls_to(ctx: HttpContext, graph: CodeGraph, wrapper: str, fn: Function, site: Site) -> list[Site]:
    found = []
    for caller, _, kind, attrs in graph.graph.in_edges(wrapper, keys=True, data=True):
        if kind != "calls":
            continue
        node = graph.graph.nodes[caller]
        path, scope = node["path"], node.get("qualname")
        for line in dict.fromkeys(attrs["lines"]):
            for call in ctx.calls_at(path, line):
                if call.function == scope and graph.resolve_call(path, call) == wrapper:
                    found.append(Site(path, _substitute(fn, site.request, call, path), wrapper))
    return found


def _substitute(fn: Function, request: Request, call: Call, path: str) -> Request:
    """The wrapper's request as seen from ``call``: parameters replaced by the arguments given."""
    arguments = _arguments(fn, call, path.endswith((".py", ".pyi")))
    parts: tuple[Part, ...] | None = None
    if request.parts is not None:
        built: list[Part] = []
        for part in request.parts:
            if not isinstance(part, Hole):
                built.append(part)
            elif part.expr in arguments:
                built.extend(concat_parts(arguments[part.expr]))
            else:
                built.append(_UNKNOWN)  # the name means nothing at the call site
        parts = tuple(built)
    return replace(request, call=call, function=call.function, parts=parts, method=_method(request.method, arguments))


def _method(method: Method, arguments: dict[str, str]) -> Method:
    if isinstance(method, FromParam):
        given = arguments.get(method.name)
        value = string_value(given) if given else None
        return value.upper() if value else FromParam(unwrap(given)) if given else None
    if isinstance(method, FromOptions):
        given = arguments.get(method.name)
        if given is None:
            return method.default
        options = object_literal(given)
        return method_entry(options, method.default) if options else FromOptions(unwrap(given), method.default)
    return method


def _arguments(fn: Function, call: Call, python: bool) -> dict[str, str]:
    """Parameter name -> argument text, by position (and for Python by keyword)."""
    params = _params(fn)
    given = positional(call.args) if python else [a for a in call.args if not a.startswith("...")]
    arguments = dict(zip(params, given))
    if python:
        for name in params:
            value = keyword(call.args, name)
            if value is not None:
                arguments[name] = value
    return arguments


def _params(fn: Function) -> tuple[str, ...]:
    if fn.kind == "method" and fn.params[:1] in (("self",), ("cls",)):
        return fn.params[1:]
    return fn.params
