"""The code graph: components, modules, functions and classes, HTTP routes, and the imports, definitions, calls,
route handlers and client requests between them, built from module facts with networkx."""

from __future__ import annotations

import gc
import json
import posixpath
from collections import deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import networkx as nx

from analyzers.facts import Call, Function, Import, ModuleFacts
from optimizer.calls import CallResolver
from optimizer.http_layer import ClientCall, HttpLayer
from optimizer.resolve import ModuleResolver, ProjectFiles
from optimizer.routes import Route
from optimizer.tsconfig import load_tsconfigs

__all__ = ["CodeGraph", "ProjectFiles", "load_tsconfigs"]

# Reachability follows calls; an anonymous callback runs as part of the function that contains it.
_REACH_COST = {"calls": 1, "contains": 0}
# (source, target, kind) -> edge attributes, collected before one bulk insert
_Edges = dict[tuple[str, str, str], dict[str, Any]]
_DOT_NODE = {
    "tier": "shape=tab",
    "module": "shape=box",
    "package": "shape=folder, style=dashed",
    "class": "shape=box, style=rounded",
    "component": "shape=ellipse, style=bold",
    "function": "shape=ellipse",
    "route": "shape=cds",
}
_DOT_EDGE = {
    "imports": "style=dashed",
    "defines": "style=dotted",
    "contains": "style=dotted, color=gray",
    "calls": "",
    "handles": "color=blue",
    "requests": "color=blue, style=bold",
}
_FUNCTION_KINDS = {"function", "component", "class"}


class CodeGraph:
    """A ``networkx.MultiDiGraph`` (a DiGraph whose parallel edges are keyed by kind, because one pair of
    nodes can be linked twice: a module defines ``main`` and calls it).

    Nodes: ``module:<path>``; ``function:<path>::<qualname>`` with kind ``function``, ``component`` (React
    components) or ``class``; ``package:<name>`` for external imports; ``component:<name>`` (kind ``tier``)
    for frontend / backend / ml / other; ``route:<METHOD> <path>`` (kind ``route``; attributes ``method``,
    ``pattern``, ``framework``, ``anchored``, and ``path``/``line`` of the declaring module). Edge keys, also
    stored as ``kind``: ``imports`` (attribute ``names``), ``defines``, ``calls`` (attribute ``lines``),
    ``contains``, ``handles`` (route -> handler function) and ``requests`` (function or module making a client
    call -> the route it requests; attribute ``lines``).
    """

    def __init__(self, modules: Mapping[str, ModuleFacts], files: ProjectFiles) -> None:
        self.graph = nx.MultiDiGraph()
        self.modules = modules
        self.resolver = ModuleResolver(files)
        self.calls = CallResolver(modules, self.resolver)
        self.http = HttpLayer([], [])
        self._request_path: dict[str, int] | None = None

    @classmethod
    def build(
        cls, modules: Mapping[str, ModuleFacts], files: ProjectFiles, components: Mapping[str, str] | None = None
    ) -> CodeGraph:
        with _gc_paused():
            self = cls(modules, files)
            edges: _Edges = {}
            paths = sorted(modules)
            nodes = {path: self._add_definitions(modules[path], edges, components) for path in paths}
            for path in paths:
                self._add_imports(modules[path], edges)
                self._add_calls(modules[path], nodes[path], edges)
            if components:
                for path in paths:
                    tier = f"component:{components.get(path, 'other')}"
                    if tier not in self.graph:
                        self.graph.add_node(tier, kind="tier", path=None, name=tier.split(":", 1)[1], line=None)
                    edges[(tier, _module_node(path), "contains")] = {}
            _add_edges(self.graph, edges)
            self.http = HttpLayer.build(self)
            self._add_http()
        return self

    def resolve_module(self, from_path: str, imp: Import) -> str | None:
        """The analysed path ``imp`` names, or None for an external package (see ``ModuleResolver.resolve``)."""
        return self.resolver.resolve(from_path, imp)

    @staticmethod
    def function_node(path: str, qualname: str) -> str:
        return f"function:{path}::{qualname}"

    @staticmethod
    def module_node(path: str) -> str:
        return _module_node(path)

    def resolve_call(self, path: str, call: Call) -> str | None:
        """The node of the function or class a call reaches, or None when it is external or uncertain."""
        target = self.calls.resolve(path, call)
        return self.function_node(*target) if target else None

    def callees(self, node: str) -> list[str]:
        if node not in self.graph:
            return []
        return [v for _, v, kind in self.graph.out_edges(node, keys=True) if kind == "calls"]

    def callers(self, node: str) -> list[str]:
        if node not in self.graph:
            return []
        return [u for u, _, kind in self.graph.in_edges(node, keys=True) if kind == "calls"]

    @property
    def routes(self) -> list[Route]:
        return self.http.routes

    @property
    def client_calls(self) -> list[ClientCall]:
        """Every HTTP request the code makes, direct or through a thin API-client wrapper."""
        return self.http.client_calls

    def client_call(self, path: str, call: Call) -> ClientCall | None:
        """The client call a call site makes (``api.get(...)``, ``getProject(id)`` of a wrapper), if any."""
        return self.http.client_call(path, call)

    def route_for(self, path: str, call: Call) -> Route | None:
        """The backend route a call site requests, when its URL matches exactly one."""
        client = self.http.client_call(path, call)
        return client.route if client else None

    def request_path_functions(self) -> dict[str, int]:
        """Functions some route handler reaches through calls, with the fewest calls from a handler (0 for the
        handler itself and the callbacks it contains): the code that runs while a request waits."""
        if self._request_path is None:
            handlers = {r.handler_node for r in self.routes if r.handler_node in self.graph}
            reach = self._reach(handlers, None)
            self._request_path = {n: d for n, d in reach.items() if self.graph.nodes[n]["kind"] in _FUNCTION_KINDS}
        return self._request_path

    def reachable(self, node: str, max_depth: int | None = None) -> dict[str, int]:
        """Nodes reachable from ``node`` through calls, with the fewest calls needed (``node`` itself is 0)."""
        return self._reach({node}, max_depth) if node in self.graph else {}

    def _reach(self, sources: set[str], max_depth: int | None) -> dict[str, int]:
        depth = dict.fromkeys(sorted(sources), 0)
        queue = deque(depth)
        while queue:
            current = queue.popleft()
            for _, target, kind in self.graph.out_edges(current, keys=True):
                cost = _REACH_COST.get(kind)
                if cost is None:
                    continue
                new_depth = depth[current] + cost
                if (max_depth is not None and new_depth > max_depth) or depth.get(target, new_depth + 1) <= new_depth:
                    continue
                depth[target] = new_depth
                # 0-1 breadth-first search: free edges go to the front, so most nodes are final when first seen
                queue.appendleft(target) if cost == 0 else queue.append(target)
        return depth

    def to_json(self) -> dict:
        nodes = [{"id": node, **attrs} for node, attrs in self.graph.nodes(data=True)]
        edges = [
            {"source": u, "target": v, **{k: list(a) if isinstance(a, (tuple, list)) else a for k, a in attrs.items()}}
            for u, v, attrs in self.graph.edges(data=True)
        ]
        return {"nodes": nodes, "edges": edges}

    def to_dot(self) -> str:
        lines = ["digraph code {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=10];']
        for node, attrs in self.graph.nodes(data=True):
            style = _DOT_NODE.get(attrs["kind"], "")
            lines.append(f"  {_quote(node)} [label={_quote(_label(attrs))}{', ' + style if style else ''}];")
        for u, v, kind in self.graph.edges(keys=True):
            style = _DOT_EDGE.get(kind, "")
            lines.append(f"  {_quote(u)} -> {_quote(v)} [label={_quote(kind)}{', ' + style if style else ''}];")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def _add_definitions(self, facts: ModuleFacts, edges: _Edges, components: Mapping[str, str] | None) -> dict:
        """Add the module's nodes and ``defines`` edges; return its qualname -> node id map."""
        path = facts.path
        module = _module_node(path)
        tier = {"component": components.get(path, "other")} if components else {}
        self.graph.add_node(
            module, kind="module", path=path, name=path, line=1, language=facts.language, lines=facts.lines, **tier
        )
        nodes = {fn.qualname: self.function_node(path, fn.qualname) for fn in facts.functions}
        for fn in facts.functions:
            node = nodes[fn.qualname]
            self.graph.add_node(node, **_function_attrs(path, fn))
            parent = nodes.get(fn.parent, module)
            edges[(parent, node, "defines")] = {}
            if fn.name.startswith("<"):
                edges[(parent, node, "contains")] = {}
        return nodes

    def _add_http(self) -> None:
        for route in self.routes:
            self.graph.add_node(
                route.node,
                kind="route",
                path=route.module_path,
                name=route.node.removeprefix("route:"),
                line=route.line,
                method=route.method,
                pattern=route.path_pattern,
                framework=route.framework,
                anchored=route.anchored,
            )
            if route.handler_node in self.graph:
                self.graph.add_edge(route.node, route.handler_node, key="handles", kind="handles")
        for client in self.client_calls:
            if client.route is None:
                continue
            source = self.function_node(client.path, client.function) if client.function else None
            if source not in self.graph:
                source = _module_node(client.path)
            edge = self.graph.get_edge_data(source, client.route.node, key="requests")
            if edge is None:
                self.graph.add_edge(source, client.route.node, key="requests", kind="requests", lines=[client.line])
            elif client.line not in edge["lines"]:
                edge["lines"].append(client.line)

    def _add_imports(self, facts: ModuleFacts, edges: _Edges) -> None:
        module = _module_node(facts.path)
        for imp in facts.imports:
            if imp.type_only:
                continue  # erased at compile time: no runtime dependency
            lazy = imp.function is not None or imp.kind == "dynamic"
            targets = self.resolver.targets(facts.path, imp)
            package = None if targets else self.resolver.package_name(facts.path, imp)
            if package:
                node = f"package:{package}"
                if node not in self.graph:
                    self.graph.add_node(node, kind="package", path=None, name=package, line=None)
                _merge_import(edges, module, node, tuple(n.imported for n in imp.names), lazy)
            for target, names in targets.items():
                _merge_import(edges, module, _module_node(target), names, lazy)

    def _add_calls(self, facts: ModuleFacts, nodes: Mapping[str, str], edges: _Edges) -> None:
        module = _module_node(facts.path)
        for call in facts.calls:
            target = self.resolve_call(facts.path, call)
            if target is None:
                continue
            key = (nodes.get(call.function, module), target, "calls")
            attrs = edges.get(key)
            if attrs is None:
                edges[key] = {"lines": [call.span.line]}
            else:
                attrs["lines"].append(call.span.line)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The build allocates ~10 containers per call and keeps them all; cyclic collections triggered by those
    allocations rescan the whole facts set, find nothing to free, and took a third of the build time."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _add_edges(graph: nx.MultiDiGraph, edges: _Edges) -> None:
    """Insert edges straight into the adjacency dicts that networkx documents for MultiDiGraph (node ->
    neighbour -> key -> attributes, the inner dict shared by successors and predecessors): three times faster
    than ``add_edges_from``, which re-checks every key. All endpoints are nodes already."""
    succ, pred = graph._succ, graph._pred
    for (u, v, kind), attrs in edges.items():
        keys = succ[u].get(v)
        if keys is None:
            keys = succ[u][v] = pred[v][u] = {}
        keys[kind] = {"kind": kind, **attrs}


def _module_node(path: str) -> str:
    return f"module:{path}"


def _function_attrs(path: str, fn: Function) -> dict[str, Any]:
    kind = "class" if fn.kind == "class" else "component" if fn.is_component else "function"
    return {
        "kind": kind,
        "path": path,
        "name": fn.name,
        "line": fn.span.line,
        "qualname": fn.qualname,
        "end_line": fn.span.end_line,
        "is_async": fn.is_async,
        "exported": fn.exported,
    }


def _merge_import(edges: _Edges, source: str, target: str, names: tuple[str, ...], lazy: bool) -> None:
    attrs = edges.get((source, target, "imports"))
    if attrs is None:
        edges[(source, target, "imports")] = {"names": names, "lazy": lazy}
    else:
        attrs["names"] = tuple(dict.fromkeys(attrs["names"] + names))
        attrs["lazy"] = attrs["lazy"] and lazy  # one eager import makes the dependency eager


def _label(attrs: Mapping[str, Any]) -> str:
    if attrs["kind"] == "module":
        return posixpath.basename(attrs["path"])
    return attrs.get("qualname") or attrs["name"]


def _quote(text: str) -> str:
    # JSON string escaping is valid DOT string escaping for quotes and backslashes.
    return json.dumps(text, ensure_ascii=False)
