"""N+1 queries: a database call executed once per item of a loop in the same function."""

from __future__ import annotations

from collections.abc import Iterable

from analyzers.detectors._data_access import DbCall, classify, prisma_clients
from analyzers.detectors.base import Detector, FileContext
from analyzers.facts import Call, Loop, ModuleFacts
from optimizer.findings import Category, Finding, Related, Severity

_LOOP_WORDS = {
    "for": "`for` loop",
    "for_of": "`for…of` loop",
    "for_in": "`for…in` loop",
    "for_await": "`for await` loop",
    "while": "`while` loop",
    "do": "`do…while` loop",
    "comprehension": "comprehension",
}
_BATCH_HINT = {
    "prisma": "fetch all rows at once with `findMany({ where: { <key>: { in: keys } } })` and look them up in a Map",
    "sql": "run one query with `WHERE <key> = ANY($1)` / `IN (...)` and group the rows in memory",
    "knex": "run one query with `.whereIn(<key>, keys)` and group the rows in memory",
    "sqlalchemy": "run one `select(...).where(Model.key.in_(keys))` (or eager-load with `selectinload`)",
    "django": "use one `filter(<key>__in=keys)` / `in_bulk(keys)`, or `select_related`/`prefetch_related`",
}


class NPlusOneQuery(Detector):
    """## What it does
    Finds database calls (Prisma, node-postgres, mysql2, knex, SQLAlchemy, Django ORM) that run once
    per item of a loop or per-item callback (`for`, `for…of`, `while`, `.forEach`, `.map`, comprehensions)
    in the same function.

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
    loops over short literal lists (`for (const role of ["admin", "user"])`), page-by-page reads
    (`while` around `findMany({ take, cursor })`), and seed, migration and
    test files unless the `include-tests` / `include-seeds` options are set.

    ## Known limits
    Within one function only: a loop that calls a helper which queries is not followed into the helper.
    Database handles are recognised by name (`prisma`, `db`, `tx`, `pool`, `session`, ...) or by a
    `new PrismaClient()` binding in the module.

    ## Fix safety
    No automatic fix: batching changes the number and order of queries and needs a key to group by.
    """

    id = "n-plus-one-query"
    category = Category.N_PLUS_ONE
    languages = ("typescript", "tsx", "javascript", "python")
    severity = Severity.WARNING
    options = {"include-tests": False, "include-seeds": False, "max-literal-loop": 10}

    def check(self, module: ModuleFacts, ctx: FileContext) -> Iterable[Finding]:
        if ctx.is_test and not ctx.options["include-tests"]:
            return
        if ctx.is_seed_or_migration and not ctx.options["include-seeds"]:
            return
        clients = prisma_clients(module) if module.language != "python" else frozenset()
        reported: set[tuple[int, int]] = set()
        for call in module.calls:
            if not call.loops:
                continue
            loops = self._repeating_loops(module, call, ctx.options["max-literal-loop"])
            if not loops:
                continue
            db_call = classify(call, module.language, clients)
            # One finding per call expression: `knex('t').where(..).first()` is several calls at one start.
            start = (call.span.line, call.span.column)
            if db_call is None or start in reported or _is_pagination(call, db_call, loops[-1]):
                continue
            reported.add(start)
            yield self._finding(module, call, db_call, loops, ctx)

    @staticmethod
    def _repeating_loops(module: ModuleFacts, call: Call, max_literal: int) -> list[Loop]:
        """Enclosing loops that really repeat the call: not batched by Promise.all, not a short literal."""
        loops = [module.loop(i) for i in call.loops]
        return [
            loop
            for loop in loops
            if not loop.batched and (loop.literal_size is None or loop.literal_size > max_literal)
        ]

    def _finding(self, module: ModuleFacts, call: Call, db: DbCall, loops: list[Loop], ctx: FileContext) -> Finding:
        inner = loops[-1]
        what = _loop_words(inner, module.language)
        over = f" over `{_short(inner.iterable)}`" if inner.iterable else ""
        nesting = f" (nested {len(loops)} loops deep: queries grow as the product of their sizes)" if len(loops) > 1 else ""
        message = (
            f"`{_short(call.callee)}` runs a database query once per item of the {what}{over}{nesting}; "
            f"{_BATCH_HINT[db.library]}."
        )
        related = tuple(
            Related(module.path, loop.span.line, f"{_loop_words(loop, module.language)} starts here") for loop in loops
        )
        return self.finding(
            module,
            call.span,
            message,
            ctx=ctx,
            related=related,
            weight=float(2 ** len(loops)) * (1.5 if call.awaited else 1.0),
            library=db.library,
            operation=db.operation,
            target=db.target,
        )


def _is_pagination(call: Call, db: DbCall, loop: Loop) -> bool:
    """A page-by-page read (`while` + `findMany({ take, cursor })`) is one query per page by design."""
    if loop.kind not in ("while", "do") or db.operation != "findMany":
        return False
    args = " ".join(call.args)
    return "take" in args and ("cursor" in args or "skip" in args)


def _loop_words(loop: Loop, language: str) -> str:
    if loop.kind == "for_await" and language == "python":
        return "`async for` loop"
    return _LOOP_WORDS.get(loop.kind, f"`.{loop.kind}()` callback")


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
