"""Independent awaits in a row: reads that could run together, awaited one after another."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from analyzers.detectors._data_access import HTTP_FUNCTIONS, DbCall, classify, prisma_clients
from analyzers.detectors._loops import short
from analyzers.detectors._memoised_awaits import MemoisedMethods, memoised_methods
from analyzers.detectors.base import FileContext, ProjectDetector
from analyzers.detectors.sequential_await_in_loop import (
    COMBINATORS,
    awaited_calls,
    drives_a_browser,
    io_functions,
    name_words,
)
from analyzers.facts import Await, Call, ModuleFacts
from optimizer.findings import Applicability, Category, Finding, Fix, Related, Severity

if TYPE_CHECKING:
    from optimizer.api import Project

_READ_VERBS = frozenset(
    {"get", "find", "fetch", "load", "list", "count", "read", "query", "select", "search", "lookup", "retrieve",
     "aggregate", "exists", "has", "stat", "describe"}
)
# Words that make a call order-sensitive wherever they appear in its name (`getOrCreate`, `findOneAndUpdate`).
_WRITE_WORDS = frozenset(
    {"create", "update", "delete", "del", "upsert", "insert", "save", "remove", "destroy", "set", "put", "post",
     "patch", "send", "write", "publish", "emit", "add", "push", "pop", "increment", "decrement", "lock",
     "claim", "reserve", "consume", "ack", "commit", "rollback", "clear", "reset", "invalidate", "revoke",
     "transaction", "truncate", "replace", "merge", "upload"}
)
# Builder entry points named with a write word that only build a query.
_BUILDERS = frozenset({"createQueryBuilder"})
_PRISMA_READS = frozenset(
    {"findUnique", "findUniqueOrThrow", "findFirst", "findFirstOrThrow", "findMany", "count", "aggregate",
     "groupBy", "$queryRaw", "$queryRawUnsafe", "$queryRawTyped"}
)
_HTTP_WRITE = re.compile(r"""method\s*:\s*['"`](?:post|put|patch|delete)""", re.I)
# A transaction, or one SQL connection, runs one query at a time: awaiting its queries together gains nothing.
_TRANSACTION = re.compile(r"^(?:tx|trx|transaction)$", re.I)
_ONE_CONNECTION = re.compile(r"^(?:client|pgClient|conn|connection|\w*Connection)$", re.I)
_SELECT = re.compile(r"""^['"`]\s*\(?\s*(?:select|with)\b""", re.I)
# NestJS lifecycle hooks that run once per process, before requests are served
_STARTUP_HOOKS = frozenset({"onModuleInit", "onApplicationBootstrap"})
_STARTUP_EVENT = re.compile(r"""\bon_event\(\s*['"]startup['"]""")
# unsafe: together, every call starts even when an earlier one fails, and the first failure is the one raised
_PROMISE_ALL = Fix(
    "Await the calls together with `Promise.all([...])`", Applicability.UNSAFE, codemod="parallel-independent-awaits"
)
_GATHER = Fix("Await the calls together with `asyncio.gather(...)`", Applicability.UNSAFE, codemod="gather-awaits")


class SequentialIndependentAwaits(ProjectDetector):
    """## What it does
    Finds runs of two or more awaited reads in a row, in one block of one function, where none needs what
    an earlier one returned: database reads (`count`, `findMany`, `SELECT`), HTTP GETs (`fetch`, axios,
    API clients) and read-like service methods (`this.users.getById(...)`, `client.list_items()`).

    ## Why is this slow?
    Every await waits for a full round trip before the next request even starts, so the function takes the
    sum of the latencies. Six `count()` queries of 20 ms each cost 120 ms one after another and about
    20 ms together.

    ## Example
    ```ts
    const users = await prisma.user.count();
    const posts = await prisma.post.count();
    const comments = await prisma.comment.count();
    ```

    ## Use instead
    ```ts
    const [users, posts, comments] = await Promise.all([
      prisma.user.count(),
      prisma.post.count(),
      prisma.comment.count(),
    ]);
    ```
    In Python: `a, b = await asyncio.gather(client.get_a(), client.get_b())`.

    ## Not reported
    An await whose value (or anything set from it) is read by a later await or by a statement between
    them (`const user = await getUser(); if (!user) return; ...`), awaits nested in another await's
    arguments, awaits on different paths (`if`/`else`, ternaries, `&&`), awaits in loops (see
    `sequential-await-in-loop`), writes and calls whose order matters (`create`, `update`, `delete`,
    `upsert`, `save`, `send`, `$transaction`, POST requests: they end a run), queries on one
    connection or transaction (`tx`, a `pg` client; Python sessions and connections, which refuse
    concurrent queries), awaits already combined with `Promise.all`/`asyncio.gather`, startup hooks that
    run once per process (NestJS `onModuleInit`/`onApplicationBootstrap`, FastAPI `lifespan` and
    `on_event("startup")` handlers), and test, seed and migration files unless `include-tests` /
    `include-seeds` are set. Memoised accessors count once per object: async methods that only await a
    promise their object holds (`async getSnapshot() { await this.snapshotPromise; return this.snapshot; }`)
    wait for work already started, so several of them on one object are one wait, and none once an earlier
    await on that object has settled it. A local object's class is the one that defines every method called
    on it.

    ## Known limits
    Reads are recognised by name (`get…`, `find…`, `list…`, `count`, ...) on an object, plus the database
    and HTTP clients the data-access rules know; a plain function call (`await getUser(id)`) is not judged.
    Shared state behind two calls (one object that must see them in order) is not visible.

    ## Fix safety
    Unsafe fix: when each await of the run is a whole statement, one after another with nothing between
    them (`const a = await f(x);`, `const { data } = await api.get();`, a bare `await f(x);`, or in
    Python `a = await f(x)`), the run becomes one `const [a, { data }] = await Promise.all([f(x), api.get()]);`
    or `a, b = await asyncio.gather(f(x), g(y))` (adding `import asyncio`). Any other shape (a statement
    or comment between, a type annotation, `const` mixed with `let`, an await inside a larger expression)
    is left alone with the reason. Running reads together changes behaviour: every call starts even when
    an earlier one fails, the first failure is the one raised, and more connections are open at once.
    """

    id = "sequential-independent-awaits"
    category = Category.SEQUENTIAL_AWAIT
    languages = ("typescript", "tsx", "javascript", "python")
    severity = Severity.WARNING
    options = {"include-tests": False, "include-seeds": False, "min-run": 2}

    def check(self, module: ModuleFacts, ctx: FileContext) -> Iterable[Finding]:
        """The rule on one module alone, without what other files tell about the methods it calls."""
        if ctx.is_test and not ctx.options["include-tests"]:
            return
        if ctx.is_seed_or_migration and not ctx.options["include-seeds"]:
            return
        reads = _Reads(module)
        for run in independent_runs(module, ctx.options["min-run"]):
            yield self._finding(module, run, reads, ctx)

    def check_project(self, project: Project) -> Iterable[Finding]:
        memoised: MemoisedMethods | None = None
        for module, ctx in self.checked_modules(project):
            runs = independent_runs(module, ctx.options["min-run"])
            if not runs:
                continue
            memoised = memoised or memoised_methods(project)
            waits, reads, least = _Waits(project, memoised, module), _Reads(module), ctx.options["min-run"]
            yield from (self._finding(module, run, reads, ctx) for run in runs if waits.count(run) >= least)

    def _finding(self, module: ModuleFacts, run: list[tuple[Await, Call]], reads: _Reads, ctx: FileContext) -> Finding:
        what = "queries" if all(reads.db(call) for _, call in run) else "calls"
        together = "`asyncio.gather(...)`" if module.language == "python" else "`Promise.all([...])`"
        message = f"{len(run)} independent awaited {what} run one after another; {together} runs them concurrently."
        related = tuple(Related(module.path, a.span.line, f"`{short(c.callee)}` waits here too") for a, c in run[1:])
        first = run[0][0]
        fix = _GATHER if module.language == "python" else _PROMISE_ALL
        finding = self.finding(module, first.span, message, ctx=ctx, related=related, weight=float(len(run)))
        return finding.with_(fix=fix)


def independent_runs(module: ModuleFacts, min_run: int = 2) -> list[list[tuple[Await, Call]]]:
    """The runs the rule reports, in each function in source order; the codemods rewrite exactly these."""
    if drives_a_browser(module):
        return []
    reads = _Reads(module)
    calls = awaited_calls(module)
    by_function: dict[str | None, list[tuple[Await, Call | None]]] = {}
    for index, awaited in enumerate(module.awaits):
        if _runs_once_at_startup(module, awaited.function):
            continue
        chain = calls.get(index)
        by_function.setdefault(awaited.function, []).append((awaited, chain[0] if chain else None))
    found = []
    for awaits in by_function.values():
        awaits.sort(key=lambda pair: pair[0].span.start_byte)
        found += [run for run in _runs(awaits, reads) if len(run) >= min_run]
    return found


def _runs(awaits: list[tuple[Await, Call | None]], reads: _Reads) -> Iterable[list[tuple[Await, Call]]]:
    """Maximal runs of reads in one block where no await depends on an earlier one; any other await ends a run."""
    run: list[tuple[Await, Call]] = []
    for awaited, call in awaits:
        joins = call is not None and not awaited.loops and awaited.block >= 0 and reads.is_read(call)
        if not (joins and run and awaited.block == run[0][0].block and all(_independent(a, awaited) for a, _ in run)):
            yield run
            run = []
        if joins and call is not None:
            run.append((awaited, call))
    yield run


class _Waits:
    """How many round trips a run overlaps: one per read of its own, and one per object whose memoised
    accessors it awaits, none for an object an earlier await of the function has already waited for."""

    def __init__(self, project: Project, memoised: MemoisedMethods, module: ModuleFacts) -> None:
        self.project, self.memoised, self.module = project, memoised, module
        self.awaited = awaited_calls(module)

    def count(self, run: list[tuple[Await, Call]]) -> int:
        first = run[0][0]
        calls_on = [c for c in self.module.calls if c.function == first.function]
        earlier = [
            calls[0]
            for index, calls in self.awaited.items()
            if self.module.awaits[index].function == first.function
            and self.module.awaits[index].span.end_byte <= first.span.start_byte
        ]
        settled = {_receiver(call) for call in earlier if self._accessor(call, calls_on)}
        waits, objects = 0, set()
        for _, call in run:
            if not self._accessor(call, calls_on):
                waits += 1
            elif _receiver(call) not in settled | objects:
                objects.add(_receiver(call))
                waits += 1
        return waits

    def _accessor(self, call: Call, calls_on: list[Call]) -> bool:
        return self.memoised.is_accessor(self.project, self.module.path, call, calls_on)


def _receiver(call: Call) -> str:
    return ".".join(call.chain[:-1])


def _runs_once_at_startup(module: ModuleFacts, qualname: str | None) -> bool:
    """A hook the framework calls once when the process starts: its latency is paid once, not per request."""
    function = module.function(qualname)
    if function is None:
        return False
    if module.language == "python":
        return function.name == "lifespan" or any(_STARTUP_EVENT.search(d) for d in function.decorators)
    return function.name in _STARTUP_HOOKS and function.class_name is not None


def _independent(earlier: Await, later: Await) -> bool:
    """``later`` neither runs inside ``earlier``'s arguments nor comes after a mention of what ``earlier`` set."""
    if earlier.span.contains(later.span):
        return False
    return earlier.next_read < 0 or earlier.next_read >= later.span.end_byte


class _Reads:
    """Whether an awaited call reads without side effects that order matters for."""

    def __init__(self, module: ModuleFacts) -> None:
        self.language = module.language
        self.clients = prisma_clients(module) if module.language != "python" else frozenset()
        self.io_names = io_functions(module)

    def db(self, call: Call) -> DbCall | None:
        return classify(call, self.language, self.clients)

    def is_read(self, call: Call) -> bool:
        db = self.db(call)
        if db is not None:
            return self._db_read(db, call)
        chain = call.chain
        if not chain or call.is_new or "?" in chain:
            return False
        if len(chain) == 1:
            if chain[0] in HTTP_FUNCTIONS:
                return not any(_HTTP_WRITE.search(arg) for arg in call.args)
            return chain[0] in self.io_names and _is_read_name(chain[0])
        if chain[0] in COMBINATORS:
            return False
        # every method called along the chain: `db.select().from(t).where(...)`, `supabase.from(t).insert(..)`
        methods = [part[:-2] for part in chain[1:-1] if part.endswith("()")] + [chain[-1]]
        if any(_writes(method) for method in methods):
            return False
        return _is_read_name(chain[-1]) or "select" in methods

    def _db_read(self, db: DbCall, call: Call) -> bool:
        if self.language == "python":
            return False  # an async session or connection refuses a second query while one runs
        receivers = [part.removesuffix("()") for part in call.chain[:-1]]
        if any(_TRANSACTION.match(part) for part in receivers):
            return False
        if db.library == "prisma":
            return db.operation in _PRISMA_READS
        if any(_ONE_CONNECTION.match(part) for part in receivers):
            return False
        if db.library == "sql":
            return bool(call.args) and bool(_SELECT.match(call.args[0]))
        methods = [part.removesuffix("()") for part in call.chain]
        return not any(_writes(method) for method in methods)


def _is_read_name(name: str) -> bool:
    words = name_words(name)
    return bool(words) and words[0] in _READ_VERBS and not _WRITE_WORDS.intersection(words)


def _writes(method: str) -> bool:
    return method not in _BUILDERS and bool(_WRITE_WORDS.intersection(name_words(method)))
