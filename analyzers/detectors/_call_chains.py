"""Helpers for following a call through the code graph down to the database queries it ends up running."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from analyzers.detectors._data_access import DbCall, classify, prisma_clients
from analyzers.facts import Call, ModuleFacts

# A call edge costs one step; an anonymous callback runs as part of the function that contains it.
_STEP = {"calls": 1, "contains": 0}


@dataclass(frozen=True, slots=True)
class QuerySite:
    path: str
    line: int
    callee: str
    db: DbCall
    call: Call = field(compare=False, repr=False)  # the call site itself, for its arguments and loops


def query_sites(modules: Mapping[str, ModuleFacts], function_node) -> dict[str, list[QuerySite]]:
    """Function node -> the database calls written directly in that function."""
    index: dict[str, list[QuerySite]] = {}
    for path, module in modules.items():
        clients = prisma_clients(module) if module.language != "python" else frozenset()
        for call in module.calls:
            if call.function is None:
                continue
            db = classify(call, module.language, clients)
            if db is not None:
                site = QuerySite(path, call.span.line, ".".join(call.chain) or call.callee, db, call)
                sites = index.setdefault(function_node(path, call.function), [])
                if not any(s.line == site.line for s in sites):  # one site per query-builder chain
                    sites.append(site)
    return index


def chain_to_query(graph, start: str, queries: Mapping[str, list[QuerySite]], max_depth: int) -> list[str] | None:
    """The shortest call chain from ``start`` (itself one call deep) to a function that queries, or None."""
    parents: dict[str, str | None] = {start: None}
    depth = {start: 1}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if queries.get(node):
            chain = [node]
            while parents[chain[-1]] is not None:
                chain.append(parents[chain[-1]])
            return chain[::-1]
        for _, target, kind in graph.out_edges(node, keys=True):
            step = _STEP.get(kind)
            if step is None or target in depth or depth[node] + step > max_depth:
                continue
            depth[target] = depth[node] + step
            parents[target] = node
            queue.appendleft(target) if step == 0 else queue.append(target)
    return None


def queries_reached(reached: Iterable[str], queries: Mapping[str, list[QuerySite]]) -> list[QuerySite]:
    return [site for node in reached for site in queries.get(node, ())]
