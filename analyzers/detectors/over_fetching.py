"""Over-fetching: reading whole rows into the application only to count or sum them."""

from __future__ import annotations

from collections.abc import Iterable

from analyzers.detectors.base import Detector, FileContext
from analyzers.facts import Await, ModuleFacts
from optimizer.findings import Category, Finding, Severity

# How a fetched list may be used for the database to have done the work instead.
_COUNTS = frozenset({"length", "filter.length"})
_SUMS = frozenset({"reduce"})


class OverFetching(Detector):
    """## What it does
    Finds `findMany` results that the code only counts or sums: every later use of the rows is `.length`,
    `.filter(...).length` or `.reduce(...)`.

    ## Why is this slow?
    Every row travels from the database to the application, is turned into objects and then thrown
    away, to compute one number. With 50,000 rows that is megabytes of transfer and parsing where the
    database would answer with a single integer from an index.

    ## Example
    ```ts
    const images = await prisma.image.findMany({ where: { projectId } });
    res.json({ total: images.length, done: images.filter((i) => i.status === 'DONE').length });
    ```

    ## Use instead
    ```ts
    const total = await prisma.image.count({ where: { projectId } });
    const byStatus = await prisma.image.groupBy({ by: ['status'], where: { projectId }, _count: true });
    ```
    and `aggregate({ _sum: { size: true } })` instead of `.reduce` over the rows.

    ## Known limits
    Only Prisma `findMany` results assigned to a name in the same function are followed; a list passed to
    another function, returned or spread counts as used; a read capped with `take` is a page, not reported. Relations pulled in with `include` and large
    columns that are never read are not detected yet. Test files are skipped.

    ## Fix safety
    No automatic fix: the filter inside `.filter(...)` has to become a `where` clause by hand.
    """

    id = "over-fetching"
    category = Category.OVER_FETCHING
    languages = ("typescript", "tsx", "javascript")
    severity = Severity.WARNING

    def check(self, module: ModuleFacts, ctx: FileContext) -> Iterable[Finding]:
        if ctx.is_test:  # a test counting its fixtures' rows costs nothing in production
            return
        for awaited in module.awaits:
            uses = set(awaited.result_uses)
            if not uses or not uses <= _COUNTS | _SUMS or _pages(module, awaited):
                continue
            if uses <= _COUNTS:
                advice = "`count({ where })` (or `groupBy` with `_count` for several filters)"
            else:
                advice = "`aggregate({ _sum: ... })` / `groupBy` with `_count` and `_sum`"
            reads = ", ".join(sorted(f".{use}" for use in uses))
            yield self.finding(
                module,
                awaited.span,
                f"`{awaited.call}` loads every row only to use {reads} of the list; let the database compute it "
                f"with {advice}.",
                ctx=ctx,
                weight=1.5,
            )


def _pages(module: ModuleFacts, awaited: Await) -> bool:
    """A read capped by `take` fetches a bounded page: counting that page is what the code means."""
    return any(
        call.callee == awaited.call and awaited.span.contains(call.span) and "take" in call.arg_keys
        for call in module.calls
    )

