"""Over-fetching: reading rows, relations or large columns into the application that it never uses."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from analyzers.detectors._data_access import classify, prisma_clients
from analyzers.detectors.base import FileContext, ProjectDetector
from analyzers.facts import RESULT_ELEMENT as ELEMENT
from analyzers.facts import RESULT_PRESENCE as PRESENCE
from analyzers.facts import Await, Call, ModuleFacts
from analyzers.schema import Column, Table
from optimizer.findings import Category, Finding, Severity

if TYPE_CHECKING:
    from optimizer.api import Project

# How a fetched list may be used for the database to have done the work instead.
_COUNTS = frozenset({"length", "filter.length"})
_SUMS = frozenset({"reduce"})
_SINGLE_ROW = frozenset({"findUnique", "findUniqueOrThrow", "findFirst", "findFirstOrThrow"})
# Column types that hold blobs: Prisma scalars, `@db.` native types and SQL types from migrations. Plain `TEXT`
# from a migration is left out: PostgreSQL stores every Prisma `String` as `text`, so it says nothing of size.
_LARGE_TYPES = frozenset({"JSON", "JSONB", "BYTES", "BYTEA", "BLOB", "MEDIUMBLOB", "LONGBLOB", "MEDIUMTEXT", "LONGTEXT"})
_LARGE_NATIVE = frozenset({"TEXT", "MEDIUMTEXT", "LONGTEXT", "JSON", "JSONB", "BYTEA", "BLOB", "MEDIUMBLOB",
                           "LONGBLOB", "XML"})
# List uses that read no column, and the per-item iterations whose element reads `Await.result_uses` records.
_LIST_ONLY = frozenset({"length", PRESENCE})
_ITERATIONS = frozenset({"map", "forEach", "some", "every", "flatMap", "filter", "find", "findIndex", "reduce", "of"})


class OverFetching(ProjectDetector):
    """## What it does
    Finds Prisma reads that bring back more than the code uses:
    - `findMany` results that are only counted or summed: every later use of the rows is `.length`,
      `.filter(...).length` or `.reduce(...)`;
    - reads that `include` a relation (or `select` one) the code never reads from the rows;
    - reads without `select` on a model with a large column (`Json`, `Bytes`, a `@db.Text`-like native
      type, or `JSONB`/`BYTEA`/`BLOB`/`LONGTEXT` from a migration) that the code never reads.

    The last two need every use of the result to be visible. For one row (`findUnique`, `findFirst` and
    their `OrThrow` forms): property reads (`user.name`, `user?.posts.length`, `const { name } = user`) and
    presence tests (`if (!user)`). For a `findMany` list: `.length`, and per-item callbacks (`map`,
    `forEach`, `filter(...).length`, `find`, `some`, `every`, `reduce`) or `for … of` loops whose element
    reads are themselves visible. A value that is returned, passed to a function, spread, sent with
    `res.json(user)` or serialised counts as read in full.

    ## Why is this slow?
    Every row travels from the database to the application, is turned into objects and then thrown
    away, to compute one number. With 50,000 rows that is megabytes of transfer and parsing where the
    database would answer with a single integer from an index. An unread `include` runs one more query
    (or join) per read and loads every related row; an unread `Json`/`Text` column can be kilobytes to
    megabytes per row.

    ## Example
    ```ts
    const images = await prisma.image.findMany({ where: { projectId } });
    res.json({ total: images.length, done: images.filter((i) => i.status === 'DONE').length });

    const user = await prisma.user.findUnique({ where: { id }, include: { posts: true } });
    return user?.name;
    ```

    ## Use instead
    ```ts
    const total = await prisma.image.count({ where: { projectId } });
    const byStatus = await prisma.image.groupBy({ by: ['status'], where: { projectId }, _count: true });

    const user = await prisma.user.findUnique({ where: { id }, select: { name: true } });
    ```
    `aggregate({ _sum: { size: true } })` instead of `.reduce` over the rows; drop an unread relation
    from `include`; name the columns the code reads with `select` (or leave the blob out with `omit`).

    ## Known limits
    Only awaited Prisma reads assigned to a name (or destructured) in the same function are followed; a
    value passed to another function, returned or spread counts as used, and so does a row whose reads
    name a field the schema does not know. A `findMany` capped with `take` is a page: counting it is not
    reported (an unread relation or blob in it still is). A callback passed by name (`rows.map(toDto)`)
    hides what it reads, so the rows count as read in full. A plain `TEXT` column from a SQL migration is
    not taken as large: PostgreSQL stores every Prisma `String` as `text`. Test files are skipped.

    ## Fix safety
    No automatic fix: the filter inside `.filter(...)` has to become a `where` clause by hand, and a
    narrower `select` changes the row's type for every reader.
    """

    id = "over-fetching"
    category = Category.OVER_FETCHING
    languages = ("typescript", "tsx", "javascript")
    severity = Severity.WARNING

    def check_project(self, project: Project) -> Iterable[Finding]:
        for module, ctx in self.checked_modules(project):
            followed = [awaited for awaited in module.awaits if awaited.result_uses]
            if not followed:
                continue
            calls = _calls_by_callee(module, {awaited.call for awaited in followed})
            clients = prisma_clients(module)
            for awaited in followed:
                call = next((c for c in calls.get(awaited.call, ()) if awaited.span.contains(c.span)), None)
                if call is None:
                    continue
                counted = list(self._counted(module, awaited, call, ctx)) if call.name == "findMany" else []
                yield from counted
                read = None if counted or awaited.loop_carried else _columns_read(call.name, awaited.result_uses)
                db = classify(call, module.language, clients) if read is not None else None
                if db is not None and db.library == "prisma":
                    table = project.schema.by_model(db.target or "")
                    yield from self._unread(module, awaited, call, read, table, ctx)

    def _counted(self, module: ModuleFacts, awaited: Await, call: Call, ctx: FileContext) -> Iterable[Finding]:
        uses = {use for use in awaited.result_uses if not use.startswith(ELEMENT)}
        if not uses <= _COUNTS | _SUMS or "take" in call.arg_keys:  # a read capped by `take` is a page
            return
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

    def _unread(
        self, module: ModuleFacts, awaited: Await, call: Call, read: set[str], table: Table | None, ctx: FileContext
    ) -> Iterable[Finding]:
        keys = call.arg_keys
        if (call.args and not keys) or any(key.startswith("*") for key in keys):
            return  # the query object is not a literal, or a spread may select anything
        if table is not None and not read <= _field_names(table):
            return  # a read the schema does not know: the row is not what the model says (an extension, a cast)
        relations = [name for name in _loaded_relations(keys, table) if name not in read]
        large = [] if table is None else _unread_large_columns(table, keys, read)
        if not relations and not large:
            return
        what = []
        if relations:
            what.append(f"relation{'s' if len(relations) > 1 else ''} {_names(relations)}")
        if large:
            what.append(f"large column{'s' if len(large) > 1 else ''} {_names(c.field for c in large)}")
        shown = ", ".join(f"`.{name}`" for name in sorted(read)) or "only a presence check"
        if call.name == "findMany":
            shown = f"{shown} of each row" if read else "no column of the rows"
        advice = _advice(table, relations, large, read, keys)
        yield self.finding(
            module,
            awaited.span,
            f"`{awaited.call}` loads {' and '.join(what)} that the code never reads (it uses {shown}); {advice}.",
            ctx=ctx,
            weight=1.0 + 0.5 * len(relations) + 0.5 * len(large),
        )


def _columns_read(method: str, uses: tuple[str, ...]) -> set[str] | None:
    """The fields read from each row when every use is visible, else None.

    One row (`findUnique`, `findFirst`): property reads and presence tests. A list (`findMany`): `.length`,
    presence tests and per-item callbacks or `for … of` loops whose element reads are all visible."""
    if method in _SINGLE_ROW:
        row_reads = uses
    elif method == "findMany":
        list_uses = [use for use in uses if not use.startswith(ELEMENT)]
        if not all(use in _LIST_ONLY or use.split(".", 1)[0] in _ITERATIONS for use in list_uses):
            return None
        row_reads = tuple(use[len(ELEMENT):] for use in uses if use.startswith(ELEMENT))
    else:
        return None
    if "" in row_reads:
        return None  # returned, passed on, spread: all of it may be read
    return {use.split(".", 1)[0] for use in row_reads if use != PRESENCE}


def _calls_by_callee(module: ModuleFacts, callees: set[str | None]) -> dict[str, list[Call]]:
    found: dict[str, list[Call]] = {}
    for call in module.calls:
        if call.callee in callees:
            found.setdefault(call.callee, []).append(call)
    return found


def _field_names(table: Table) -> set[str]:
    return {c.field for c in table.columns} | {r.field for r in table.relations} | {"_count"}


def _loaded_relations(keys: tuple[str, ...], table: Table | None) -> list[str]:
    """Relations the query brings along: every `include` key, and `select` keys the schema names as relations."""
    relation_names = {r.field for r in table.relations} | {"_count"} if table is not None else {"_count"}
    found: list[str] = []
    for key in keys:
        parts = key.split(".")
        if len(parts) < 2 or parts[1] == "*" or parts[1] in found:
            continue
        if parts[0] == "include" or (parts[0] == "select" and parts[1] in relation_names):
            found.append(parts[1])
    return found


def _unread_large_columns(table: Table, keys: tuple[str, ...], read: set[str]) -> list[Column]:
    if any(key.split(".", 1)[0] == "select" for key in keys):
        return []  # the query names its columns
    omitted = {key.split(".")[1] for key in keys if key.startswith("omit.")}
    return [c for c in table.columns if _is_large(c) and c.field not in read and c.field not in omitted]


def _is_large(column: Column) -> bool:
    return column.type.upper() in _LARGE_TYPES or column.native.upper() in _LARGE_NATIVE


def _advice(table: Table | None, relations: list[str], large: list[Column], read: set[str], keys: tuple[str, ...]) -> str:
    if large and table is not None:
        scalars = [c.field for c in table.columns if c.field in read]
        wanted = scalars + [name for name in sorted(read) if name not in scalars]
        if wanted:
            # a relation read through a nested `include: { dataset: { include: … } }` keeps its own arguments
            nested = {key.split(".")[1] for key in keys if key.startswith("include.") and key.count(".") > 1}
            shown = ", ".join(f"{name}: {'{ … }' if name in nested else 'true'}" for name in wanted)
            return f"name what it uses: `select: {{ {shown} }}`"
        return f"leave {_names(c.field for c in large)} out with `omit` or `select` only a key"
    return f"drop {_names(relations)} from the query"


def _names(names: Iterable[str]) -> str:
    return ", ".join(f"`{name}`" for name in names)
