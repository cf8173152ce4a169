"""Chatty clients: one HTTP request per item of a loop, the N+1 between two services."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from analyzers.detectors._call_chains import QuerySite, queries_reached
from analyzers.detectors._loops import describe, loop_related, loops_text, short
from analyzers.detectors.base import FileContext, ProjectDetector
from analyzers.facts import Call, Loop, ModuleFacts
from optimizer.findings import Category, Finding, Related, Severity

# `for (let i = 0; i < ids.length; i++)`: a counting loop over a collection's indexes
_JS_INDEX_BOUND = re.compile(r"[.](?:length|size)\b|\bsize\(\)")
_PY_COUNTER = re.compile(r"^\s*range\(")

if TYPE_CHECKING:
    from optimizer.api import Project
    from optimizer.http_layer import ClientCall


class ChattyClient(ProjectDetector):
    """## What it does
    Finds HTTP requests made once per item of a loop or `.map`/`.forEach` callback: `fetch`, axios (and
    axios instances), the repository's own API-client wrappers, and Python `requests`/`httpx`/`aiohttp`.
    When the URL resolves to a route of the same repository, the finding names the route and the
    database queries its handler runs.

    ## Why is this slow?
    Every request pays a network round trip, headers, authentication and the handler's own queries.
    A page that renders 50 cards and fetches each card's details sends 50 requests; browsers run about
    six at a time per host, so the page waits for 9 waves of round trips. `Promise.all` only overlaps
    them: the server still does 50 times the work.

    ## Example
    ```tsx
    const details = await Promise.all(images.map((image) => api.get(`/images/${image.id}/segmentation`)));
    ```

    ## Use instead
    One batch endpoint (`GET /images/segmentations?ids=1,2,3`, backed by one `findMany({ where: { id:
    { in: ids } } })`), or include the per-item data in the list response.

    ## Not reported
    Loops that have no list of items to batch: `while`/`do` loops and counting loops (`for (let page = 1;
    page <= MAX; page++)`, `for (;;)`, Python `for page in range(5)`), which fetch the next page, retry,
    poll or walk a date range, each request depending on the one before. A counting loop over the indexes
    of a collection (`i < ids.length`, `range(len(ids))`) is per item and is reported. Loops over short
    literal lists and test files are not reported either.

    ## Known limits
    URLs are read from literals, templates and wrapper parameters; a URL built elsewhere is not
    resolved, and then the finding names no route.

    ## Fix safety
    No automatic fix: a batch endpoint is a change to the server's API.
    """

    id = "chatty-client"
    category = Category.CHATTY_CLIENT
    languages = ("typescript", "tsx", "javascript", "python")
    severity = Severity.WARNING
    options = {"max-literal-loop": 10, "include-tests": False}

    def check_project(self, project: Project) -> Iterable[Finding]:
        graph = project.graph
        calls_by_site = {}
        for client in graph.client_calls:
            module = project.modules.get(client.path)
            if module is None or module.language not in self.languages:
                continue
            ctx = project.context(client.path, type(self))
            if ctx.is_test and not ctx.options["include-tests"]:
                continue
            if client.path not in calls_by_site:
                calls_by_site[client.path] = {c.span.start_byte: c for c in module.calls}
            call = calls_by_site[client.path].get(client.span.start_byte)
            loops = _repeating(module, call, ctx.options["max-literal-loop"]) if call else []
            if not loops:
                continue
            behind: list[QuerySite] = []
            if client.route is not None and client.route.handler_node:
                behind = queries_reached(graph.reachable(client.route.handler_node, 4), project.query_sites)
            yield self._finding(module, call, client, loops, behind, ctx)

    def _finding(
        self, module: ModuleFacts, call: Call, client: ClientCall, loops: list[Loop], behind: list[QuerySite],
        ctx: FileContext,
    ) -> Finding:
        route = client.route
        target = f" → `{route.method} {route.path_pattern}` ({route.module_path}:{route.line})" if route else ""
        work = f", whose handler runs {len(behind)} database quer{'ies' if len(behind) != 1 else 'y'}" if behind else ""
        concurrent = " (concurrently, but the server still does the work once per item)" if loops[-1].batched else ""
        message = (
            f"`{describe(call)}` sends one HTTP request per item of the {loops_text(loops, module)}{concurrent}"
            f"{target}{work}; add a batch endpoint that takes all ids, or include the data in the list response."
        )
        related = [*loop_related(loops, module)]
        if route is not None:
            related.append(Related(route.module_path, route.line, f"route `{route.method} {route.path_pattern}`"))
        related.extend(Related(q.path, q.line, f"query `{short(q.callee)}` runs per request") for q in behind[:5])
        return self.finding(
            module,
            call.span,
            message,
            ctx=ctx,
            related=tuple(related),
            weight=float(2 ** len(loops)) * (1 + min(len(behind), 4)),
        )


def _repeating(module: ModuleFacts, call: Call, max_literal: int) -> list[Loop]:
    """Enclosing loops that send the request per item; `Promise.all` overlaps requests but sends them all."""
    loops = [module.loop(i) for i in call.loops]
    return [
        loop
        for loop in loops
        if (loop.literal_size is None or loop.literal_size > max_literal) and _over_items(loop, module.language)
    ]


def _over_items(loop: Loop, language: str) -> bool:
    """Whether the loop walks a collection. `while`/`do` and counting loops page, retry or poll: each
    request follows from the last, and there is no list of ids a batch endpoint could take."""
    if loop.kind in ("while", "do"):
        return False
    if loop.kind != "for":
        return True
    if language == "python":
        return not _PY_COUNTER.match(loop.iterable) or "len(" in loop.iterable
    return bool(_JS_INDEX_BOUND.search(loop.iterable))
