"""N+1 queries: a database call executed once per item of a loop in the same function."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from analyzers.detectors._call_chains import (
    QuerySite,
    chain_to_query,
    queries_reached,
)
from analyzers.detectors._data_access import DbCall, classify, prisma_clients
from analyzers.detectors._loops import (
    describe,
    is_chunk_loop,
    loop_related,
    loops_text,
    short,
)
from analyzers.detectors.base import FileContext, ProjectDetector
from analyzers.detectors.sequential_await_in_loop import awaited_calls
from analyzers.facts import Call, Loop, ModuleFacts
from optimizer.findings import Applicability, Category, Finding, Fix, Related, Severity
from rewriters.javascript.batch_prisma_lookups import CODEMOD_ID as BATCH_LOOKUPS
from rewriters.javascript.batch_prisma_lookups import batchable_lookups

if TYPE_CHECKING:
    from optimizer.api import Project

_BATCH_HINT = {
    "prisma": "fetch all rows at once with `findMany({ where: { <key>: { in: keys } } })` and look them up in a Map",
    "sql": "run one query with `WHERE <key> = ANY($1)` / `IN (...)` and group the rows in memory",
    "knex": "run one query with `.whereIn(<key>, keys)` and group the rows in memory",
    "kysely": "run one query with `.where(<key>, 'in', keys)` and group the rows in memory",
    "sqlalchemy": "run one `select(...).where(Model.key.in_(keys))` (or eager-load with `selectinload`)",
    "django": "use one `filter(<key>__in=keys)` / `in_bulk(keys)`, or `select_related`/`prefetch_related`",
}


# Counts and writes batch differently from lookups: one grouped query, one multi-row statement, or one
# round trip for many statements.
_OPERATION_HINT = {
    "count": "count all keys at once with `groupBy({ by: [<key>], where: { <key>: { in: keys } }, _count: true })`",
    "aggregate": "aggregate all keys at once with `groupBy({ by: [<key>], where: { <key>: { in: keys } }, ... })`",
    "create": "insert all rows with one `createMany({ data: rows })`",
    "createMany": "collect the rows and call `createMany` once",
    "django": "use `bulk_create` / `bulk_update`, or one `filter(<key>__in=keys).update(...)`",
}
_PRISMA_WRITES = frozenset({"update", "upsert", "delete", "updateMany", "deleteMany"})
_DJANGO_WRITES = frozenset({"create", "get_or_create", "update_or_create", "update", "delete"})


def _hint(db: DbCall) -> str:
    if db.library == "prisma" and db.operation in _OPERATION_HINT:
        return _OPERATION_HINT[db.operation]
    if db.library == "prisma" and db.operation in _PRISMA_WRITES:
        return (
            "use one `updateMany`/`deleteMany` with `{ in: keys }` when every row changes the same way, "
            "otherwise send the writes as one batch with `prisma.$transaction([...])`"
        )
    if db.library == "django" and db.operation in _DJANGO_WRITES:
        return _OPERATION_HINT["django"]
    return _BATCH_HINT[db.library]


# unsafe: one query instead of many changes the load and the error timing, and an id given twice shares one row
_BATCH_FIX = Fix(
    "Look the rows up with one `findMany({ where: { <key>: { in: keys } } })` and a Map", Applicability.UNSAFE,
    codemod=BATCH_LOOKUPS,
)
# Keys that come back from the database as the same JS value the lookup was given (a DateTime comes back as a
# new Date, a BigInt as a bigint even when looked up by a number), so a Map finds them again.
_MAP_KEY_TYPES = frozenset({"String", "Int"})
# `for await (const msg of socket)`: a consumer handling one message at a time, not a list of items
_MESSAGE_SOURCE = re.compile(r"(?i)(sock|socket|queue|consumer|subscri|channel|stream|watcher|listener|messages|inbox)\w*$")
_COMPARISON = re.compile(r"[<>]|[!=]=")
_LIMIT = re.compile(r"\bLIMIT\s+(?:\d+|\$\d+|\?|:\w+)", re.I)


class NPlusOneQuery(ProjectDetector):
    """## What it does
    Finds database calls (Prisma, node-postgres, mysql2, knex, Kysely, SQLAlchemy, Django ORM) that run once
    per item of a loop or per-item callback (`for`, `for…of`, `while`, `.forEach`, `.map`, comprehensions),
    either in the loop's own function or through a chain of calls into other functions and files
    (`for (const id of ids) await imageService.getImageById(id)` where that method queries).

    ## Why is this slow?
    Each iteration pays a full database round trip. With 100 items that is 1 query for the list plus
    100 queries for the details: latency grows with the data, and the connection pool drains under load.

    ## Example
    ```ts
    for (const id of ids) {
      const user = await prisma.user.findUnique({ where: { id } });
    }
    ```

    ## Use instead
    ```ts
    const users = await prisma.user.findMany({ where: { id: { in: ids } } });
    const byId = new Map(users.map((u) => [u.id, u]));
    ```
    In SQL: one `WHERE id = ANY($1)`; in SQLAlchemy: `select(User).where(User.id.in_(ids))`; in Django:
    `User.objects.filter(id__in=ids)` or `prefetch_related`.

    ## Not reported
    `Promise.all(ids.map((id) => prisma.user.findUnique(...)))` (Prisma batches these into one query),
    loops that only push their turns' promises onto an array later handed to `Promise.all`/`allSettled`
    (`for (const p of providers) promises.push(load(p)); await Promise.all(promises)`: already concurrent),
    loops over short literal lists (`for (const role of ["admin", "user"])`), page-by-page reads
    (a `while`, `do` or `for (;;)` loop around `findMany({ take, ... })` or `LIMIT`, directly or through a
    helper, or around a `findMany` whose rows stop the loop or feed its next turn:
    `if (rows.length === 0) break`, `cursor = rows.at(-1).id`), chunked writes
    (`for (let i = 0; i < n; i += 1000) createMany(...)`, `range(0, n, 500)`), message consumers
    (`for await (const msg of socket)`: one message at a time is the point), and seed, migration and
    test files unless the `include-tests` / `include-seeds` options are set.

    A call whose every query runs in one batch of its own (the callee sends an item's rows as
    `$transaction(rows.map(...))` or `Promise.all`) is still reported, as one batch per item at half the
    weight: each item still costs a round trip, and collecting all items' rows into one batch saves them.

    ## Known limits
    Calls are followed through the code graph (imports, class members such as `this.imageService`,
    exported singletons) up to `max-depth` calls deep; calls the graph cannot resolve (dynamic dispatch,
    values returned by factories) are not followed. Database handles are recognised by name (`prisma`, `db`,
    `tx`, `pool`, `session`, ...) or by a `new PrismaClient()` binding in the module.

    ## Fix safety
    Unsafe fix (`batch-prisma-lookups`) for one shape: a `for…of` loop over a name or a member that fills an
    empty array declared right before it with one Prisma `findUnique` by one field per item
    (`const users = []; for (const id of ids) { users.push(await prisma.user.findUnique({ where: { id } })); }`,
    or through `const user = await ...; users.push(user);`). It becomes one
    `findMany({ where: { id: { in: ids } } })`, a Map from the key to the row, and
    `ids.map((id) => byId.get(id) ?? null)`: the same rows in the same order, `null` where none was found.
    The key may be the item or a field of it (`order.customerId`); `select` must keep the key field;
    `include` is kept. The fix is offered only when the key comes back as the value looked up (a `String`
    or `Int` `@id`/`@unique` field per schema.prisma; without the model in a schema, any name that cannot be
    a compound key) and when every loop the codemod would rewrite in the file is reported here.
    `findFirst`, several `where` fields, other query options and any other statement in the loop are left
    alone. It changes behaviour: one query replaces many (a different load and error timing), and an id
    given twice gets the same row object twice instead of two copies. Other batching (SQL, knex, writes)
    stays advice.
    """

    id = "n-plus-one-query"
    category = Category.N_PLUS_ONE
    languages = ("typescript", "tsx", "javascript", "python")
    severity = Severity.WARNING
    options = {"include-tests": False, "include-seeds": False, "max-literal-loop": 10, "max-depth": 4}

    def check_project(self, project: Project) -> Iterable[Finding]:
        chains = _ChainFinder(project, self.options["max-depth"])
        for module, ctx in self.checked_modules(project):
            chains.max_depth = ctx.options["max-depth"]
            yield from self._check_module(module, ctx, chains, project)

    def _check_module(
        self, module: ModuleFacts, ctx: FileContext, chains: _ChainFinder, project: Project
    ) -> Iterable[Finding]:
        clients = prisma_clients(module) if module.language != "python" else frozenset()
        db_calls = [(call, classify(call, module.language, clients)) for call in module.calls if call.loops]
        per_page = _page_loops(module, db_calls) | _helper_page_loops(module, clients, chains)
        reported: set[tuple[int, int]] = set()
        by_loop: dict[int, list[Finding]] = {}
        for call, db_call in db_calls:
            loops = self._repeating_loops(module, call, ctx.options["max-literal-loop"], per_page)
            # One finding per call expression: `knex('t').where(..).first()` is several calls at one start.
            start = (call.span.line, call.span.column)
            if not loops or start in reported:
                continue
            if db_call is not None:
                finding = self._finding(module, call, db_call, loops, ctx)
            else:
                reached = chains.find(module.path, call)
                if reached is None:
                    continue
                finding = self._indirect_finding(module, call, loops, ctx, chains.nodes, reached)
            reported.add(start)
            by_loop.setdefault(loops[-1].id, []).append(finding)
        batchable = _batchable(module, by_loop, project) if by_loop else set()
        for loop_id, findings in by_loop.items():
            finding = _one_per_loop(findings)
            yield finding.with_(fix=_BATCH_FIX) if loop_id in batchable else finding

    @staticmethod
    def _repeating_loops(module: ModuleFacts, call: Call, max_literal: int, per_page: set[int]) -> list[Loop]:
        """Enclosing loops that repeat the call per item: not batched by Promise.all, not over a short
        literal, not a page-by-page or chunk-by-chunk loop (one query per page of many items is batching)."""
        loops = [module.loop(i) for i in call.loops]
        return [
            loop
            for loop in loops
            if not loop.batched
            and not _in_loop_condition(call, loop)
            and (loop.literal_size is None or loop.literal_size > max_literal)
            and loop.id not in per_page
            and not is_chunk_loop(loop)
            and not (loop.kind == "for_await" and _MESSAGE_SOURCE.search(loop.iterable))
        ]

    def _finding(self, module: ModuleFacts, call: Call, db: DbCall, loops: list[Loop], ctx: FileContext) -> Finding:
        message = f"`{describe(call)}` runs a database query once per item of the {loops_text(loops, module)}; {_hint(db)}."
        return self.finding(
            module, call.span, message, ctx=ctx, related=loop_related(loops, module), weight=float(2 ** len(loops)),
            library=db.library, operation=db.operation, target=db.target, query=describe(call),
        )

    def _indirect_finding(
        self, module: ModuleFacts, call: Call, loops: list[Loop], ctx: FileContext, nodes, reached: _Reached
    ) -> Finding:
        chain, site, sites = reached.chain, reached.site, reached.sites
        per_item = f"{len(sites)} queries" if len(sites) > 1 else "a query"
        hint = _hint(site.db)
        weight = float(2 ** len(loops)) * min(len(sites), 4)
        if reached.one_batch:
            # one batch per item is still a round trip per item, but the rows of each item already travel together
            per_item, hint = "one batch of queries", "collect the rows of all items and send them in one batch"
            weight = float(2 ** len(loops)) / 2
        message = (
            f"`{describe(call)}` runs {per_item} once per item of the {loops_text(loops, module)}: "
            f"it reaches `{short(site.callee)}` ({site.path}:{site.line}){_through(chain)}; "
            f"{hint}."
        )
        hops = tuple(Related(nodes[node]["path"], nodes[node]["line"], f"calls `{nodes[node]['name']}`") for node in chain)
        related = (*loop_related(loops, module), *hops, Related(site.path, site.line, f"query `{short(site.callee)}` runs here"))
        return self.finding(
            module,
            call.span,
            message,
            ctx=ctx,
            related=related,
            weight=weight,
            library=site.db.library,
            operation=site.db.operation,
            target=site.db.target,
            query=describe(call),
        )


@dataclass(frozen=True)
class _Reached:
    chain: list[str]  # function nodes from the called function down to the one that queries
    site: QuerySite  # the query at the end of the chain
    sites: list[QuerySite]  # every query within reach, for the per-item estimate
    one_batch: bool = False  # every query within reach runs in a `Promise.all`/`$transaction` batch of its own
    pages: bool = False  # the query at the end of the chain reads one page (`take`, `cursor`, `LIMIT`)


class _ChainFinder:
    """Resolves loop call sites through the code graph to the queries they reach, memoised per callee."""

    def __init__(self, project: Project, max_depth: int) -> None:
        self.project = project
        self.max_depth = max_depth
        self._memo: dict[tuple[str, int], _Reached | None] = {}

    @property
    def nodes(self):
        return self.project.graph.graph.nodes

    def find(self, path: str, call: Call) -> _Reached | None:
        graph = self.project.graph
        target = graph.resolve_call(path, call)
        if target is None:
            return None
        key = (target, self.max_depth)
        if key not in self._memo:
            queries = self.project.query_sites
            chain = chain_to_query(graph.graph, target, queries, self.max_depth)
            if chain is None:
                self._memo[key] = None
            else:
                sites = queries_reached(graph.reachable(target, self.max_depth - 1), queries)
                site = queries[chain[-1]][0]
                one_batch = bool(sites) and all(_in_batch(self.project.modules[s.path], s.call) for s in sites)
                self._memo[key] = _Reached(chain, site, sites, one_batch, _reads_a_page(site.call))
        return self._memo[key]


def _in_batch(module: ModuleFacts, call: Call) -> bool:
    return bool(call.loops) and all(module.loop(i).batched for i in call.loops)


def _reads_a_page(call: Call) -> bool:
    keys = {k.split(".", 1)[0] for k in call.arg_keys}
    return bool(keys & {"take", "cursor"}) or bool(_LIMIT.search(" ".join(call.args))) or "limit()" in call.chain


def _one_per_loop(findings: list[Finding]) -> Finding:
    """Several queries in one loop are one problem with one fix: report it once, at the first of them."""
    first, rest = findings[0], findings[1:]
    if not rest:
        return first
    also = ", ".join(f"`{f.extra.get('query', f.rule)}` (line {f.line})" for f in rest[:4])
    more = f" and {len(rest) - 4} more" if len(rest) > 4 else ""
    return first.with_(
        message=f"{first.message} The same loop runs {len(rest)} more: {also}{more}.",
        related=(*first.related, *(Related(f.path, f.line, "also runs once per item") for f in rest)),
        weight=sum(f.weight for f in findings),
    )


def _batchable(module: ModuleFacts, by_loop: dict[int, list[Finding]], project: Project) -> set[int]:
    """Loops whose finding offers the batch-prisma-lookups codemod. It rewrites every loop it can in the file,
    so it is offered only when each of those is reported here and looks rows up by a key a Map finds again."""
    lookups = batchable_lookups(module)
    if any(loop.id not in by_loop or not _map_key(project, call, field) for loop, call, field in lookups):
        return set()
    return {loop.id for loop, _, _ in lookups}


def _map_key(project: Project, call: Call, field: str) -> bool:
    """A String or Int `@id`/`@unique` field per the schema; without the model in a schema, a field whose name
    cannot be a compound key (`tenantId_email`)."""
    table = project.schema.by_model(call.chain[-2])
    if table is None:
        return "_" not in field
    column = next((c for c in table.columns if c.field == field), None)
    return (
        column is not None
        and not column.is_list
        and column.type in _MAP_KEY_TYPES
        and table.is_unique(column.name)
    )


def _in_loop_condition(call: Call, loop: Loop) -> bool:
    """`while (await prisma.user.findUnique(...))` probes until a query comes back empty: the query is the
    loop's condition, usually true once or twice, not a query per item."""
    if loop.kind == "while":
        return call.span.line == loop.span.line
    return loop.kind == "do" and call.span.line == loop.span.end_line


def _page_loops(module: ModuleFacts, db_calls: list[tuple[Call, DbCall | None]]) -> set[int]:
    """`while`/`do` loops that read a page per turn (`findMany({ take })`, SQL `LIMIT`): per page, not per item."""
    pages: set[int] = set()
    for call, db in db_calls:
        loop = module.loop(call.loops[-1])
        if db is None or loop.kind not in ("while", "do"):
            continue
        args = " ".join(call.args)
        if (db.operation == "findMany" and "take" in args) or _LIMIT.search(args) or "limit()" in call.chain:
            pages.add(loop.id)
    return pages


def _helper_page_loops(module: ModuleFacts, clients: frozenset[str], chains: _ChainFinder) -> set[int]:
    """`while`/`do`/`for (;;)` loops around an awaited query, direct or through a helper, that reads a page
    (`take`, `cursor`, `LIMIT`), or reads many rows whose result stops the loop or feeds its next turn
    (`if (rows.length === 0) break`, `cursor = rows.at(-1).id`): the loop goes page by page, not item by item."""
    pages: set[int] = set()
    for index, chain in awaited_calls(module).items():
        awaited = module.awaits[index]
        if not awaited.loops:
            continue
        loop = module.loop(awaited.loops[-1])
        if loop.function != awaited.function or not _open_ended(loop):
            continue
        call = chain[0]
        db = classify(call, module.language, clients)
        if db is not None:
            page, many = _reads_a_page(call), db.operation == "findMany"
        else:
            reached = chains.find(module.path, call)
            if reached is None:
                continue
            page, many = reached.pages, reached.site.db.operation == "findMany"
        # a loop-carried read of one row (`id = rows[0].parent_id`) walks a chain row by row: still one per item
        if page or (many and awaited.loop_carried):
            pages.add(loop.id)
    return pages


def _open_ended(loop: Loop) -> bool:
    """A loop with no list of items: `while`, `do`, or a `for` whose header compares nothing (`for (;;)`)."""
    return loop.kind in ("while", "do") or (loop.kind == "for" and not _COMPARISON.search(loop.iterable))


def _through(chain: list[str]) -> str:
    return "" if len(chain) == 1 else f" through {len(chain)} calls"
