"""Missing indexes: Prisma and raw SQL queries that filter, join or sort a table by columns no index starts with."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from analyzers.detectors._data_access import classify, prisma_clients
from analyzers.detectors._query_columns import Lookup, prisma_lookups, sql_lookups
from analyzers.detectors.base import ProjectDetector
from analyzers.facts import ModuleFacts, Span, SqlString
from analyzers.prisma import SCALARS
from analyzers.schema import Schema, Table
from optimizer.findings import Applicability, Category, Finding, Fix, Related, Severity
from rewriters.prisma_index import index_edit

if TYPE_CHECKING:
    from optimizer.api import Project

# Column types (upper-cased, Prisma or SQL) a B-tree index does not serve, or narrows too little to pay off.
_UNSELECTIVE_TYPES = frozenset({"JSON", "JSONB", "BYTES", "BYTEA", "BLOB", "BOOLEAN", "BOOL"})
_TIME_TYPES = frozenset({"DATETIME", "DATE", "TIMESTAMP", "TIMESTAMPTZ", "TIME"})
_READS = ("SELECT", "WITH", "UPDATE", "DELETE", "(")
# Next.js `"use cache"` lifetimes: a function that sets one runs its queries once per period, not per request
_CACHE_LIFETIMES = frozenset({"cacheLife", "unstable_cacheLife"})


@dataclass(frozen=True, slots=True)
class _Site:
    path: str
    span: Span
    loops: int
    lookup: Lookup


class MissingIndex(ProjectDetector):
    """## What it does
    Reads the columns each query finds its rows by (Prisma `where`, relation filters `some`/`every`/`none`/`is`,
    `orderBy`, `cursor`, and the relation reads of `include`/`select`; raw SQL in `$queryRaw`, pg `query`,
    Python `cursor.execute` and SQLAlchemy `text` for `WHERE`, `JOIN ... ON` and `ORDER BY`) and checks them
    against the indexes declared in schema.prisma (`@id`, `@unique`, `@@id`, `@@unique`, `@@index`) and in
    SQL migrations. A query is served when some index starts with a column it narrows by (an equality, join
    or range column, in any order), or, when it reads a limited number of rows (`take`, `findFirst`,
    `LIMIT`) and narrows by nothing, with its first sort column. One finding per missing index, at the first
    query that needs it; the other queries are listed with it, and the suggested index puts foreign keys and
    other equality columns first, then one range or sort column.

    ## Why is this slow?
    Without an index the database reads the whole table for every such query: the cost grows with the table,
    not with the rows returned. PostgreSQL does not index foreign keys by itself, and Prisma does not add
    indexes for relation scalars (`authorId`) on PostgreSQL, so `include: { posts: true }`, `posts: { some }`
    and `where: { authorId }` scan `Post` once the table is large. (MySQL's InnoDB creates an index for each
    foreign key, so those are not reported when the datasource is `mysql`.)

    ## Example
    ```prisma
    model Post {
      id        Int      @id
      authorId  Int
      author    User     @relation(fields: [authorId], references: [id])
      createdAt DateTime
    }
    ```
    ```ts
    const posts = await prisma.post.findMany({ where: { authorId }, orderBy: { createdAt: "desc" } });
    ```

    ## Use instead
    ```prisma
    @@index([authorId, createdAt])
    ```
    or, for a table managed by SQL migrations, `CREATE INDEX "Post_authorId_createdAt_idx" ON "Post"
    ("authorId", "createdAt");`. Equality columns come first, then one range or sort column.

    ## Not reported
    Columns that already lead an index (a compound index serves its first column, not its second alone),
    primary keys and unique columns, tables listed in the `small-tables` option (lookup tables of a few rows,
    by model or table name), substring searches (`contains`, `LIKE '%x%'`: a B-tree index cannot serve a
    leading wildcard, so none is suggested), case-insensitive filters (`mode: "insensitive"` needs an index on
    `lower(column)`), `OR`/`NOT` branches, JSON and list columns, booleans and enums on their own (too few
    distinct values for an index to pay off), sorts without a limit (the whole table is read either way), a
    time column bounded only from above when every row has a value (`updatedAt < cutoff` reads the old rows,
    most of a growing table; a nullable `deletedAt < cutoff` is still reported), queries in functions whose
    result Next.js caches for a period (`cacheLife(...)` in a `"use cache"` function: it runs once per period),
    queries whose filter is a variable or has a spread (the hidden part may already use an index), and test,
    seed and migration files. Without a schema.prisma or SQL migrations that define the table, nothing is
    reported.

    ## Known limits
    Column statistics are unknown: beyond booleans and enums, an index on a column with few distinct values
    may not pay off, and a table that stays small never needs one (list it in `small-tables`). A range on
    its own (`gt`, `lt`) asks for an index only on time columns: `views > 0` matches most rows. Queries
    built with knex, Kysely, SQLAlchemy's ORM or Django are not read. Raw SQL is read when the whole
    statement is one string or template (substitutions become placeholders). With Prisma's
    `relationMode = "prisma"` on MySQL there are no foreign keys, but relation columns are still taken as
    indexed there.

    ## Fix safety
    For a model declared in a schema.prisma, the fix adds the suggested `@@index([...])` as the last line of
    the model block (the description gives the matching `CREATE INDEX`). Safe: an index changes how rows are
    found, never which. It still needs a migration, costs write time and disk, and is worth checking against
    the real query plan (`EXPLAIN ANALYZE`). No fix for tables defined only in SQL migrations.
    """

    id = "missing-index"
    category = Category.MISSING_INDEX
    languages = ("typescript", "tsx", "javascript", "python")
    severity = Severity.WARNING
    options = {"small-tables": ()}

    def check_project(self, project: Project) -> Iterable[Finding]:
        schema = project.schema
        if not schema.tables:
            return []
        small = set(project.config.rule_options(self.id, self.options)["small-tables"])
        implicit_fk = (schema.provider or "").lower() == "mysql"
        groups: dict[tuple[str, str], list[tuple[_Site, tuple[str, ...]]]] = {}
        for site in _sites(project, schema):
            table = schema.tables[site.lookup.table]
            if table.name in small or table.model in small:
                continue
            columns = missing_columns(table, site.lookup, implicit_fk)
            if columns:
                # One index leading with this column serves every lookup of the group: one finding.
                groups.setdefault((table.name, columns[0]), []).append((site, columns))
        return [self._finding(project, schema, schema.tables[name], hits) for (name, _), hits in sorted(groups.items())]

    def _finding(
        self, project: Project, schema: Schema, table: Table, hits: list[tuple[_Site, tuple[str, ...]]]
    ) -> Finding:
        # one entry per query: a call can look the table up twice (its `where` and its `cursor`)
        by_site = {(site.path, site.span.line, site.span.column): (site, cols) for site, cols in reversed(hits)}
        hits = [by_site[key] for key in sorted(by_site)]
        columns = _chosen(hits)
        first = hits[0][0]
        sites = "1 query looks" if len(hits) == 1 else f"{len(hits)} queries look"
        message = (
            f"{sites} up `{table.model or table.name}` by `{_field(table, columns[0])}`, but no index starts with "
            f"it{_foreign_key_note(schema, table, columns)}; add {_suggestion(schema, table, columns)}."
        )
        related = tuple(
            Related(site.path, site.span.line, f"also looks up by {', '.join(_field(table, c) for c in cols)}")
            for site, cols in hits[1:]
        )
        if table.path:
            related += (Related(table.path, table.line, f"`{table.model or table.name}` is declared here"),)
        module = project.modules[first.path]
        return self.finding(
            module,
            first.span,
            message,
            ctx=project.context(first.path, type(self)),
            related=related,
            weight=float(sum(2**site.loops for site, _ in hits)),
            table=table.name,
            columns=list(columns),
        ).with_(fix=_add_index(project, schema, table, columns))


def missing_columns(table: Table, lookup: Lookup, implicit_fk: bool = False) -> tuple[str, ...] | None:
    """The index ``lookup`` needs on ``table`` (database column names), or None when one already serves it.

    Served when an index starts with any column the query narrows by (an equality, join or range column: the
    planner can start there whatever order the query lists them in); a limited read without such columns is
    served by an index that starts with its first sort column. The suggestion: join columns, foreign-key
    columns, the other equality columns in table order, then one range or sort column (so lookups that one
    index would serve suggest the same first column). Booleans and enums narrow too little to
    be worth an index of their own. ``implicit_fk``: the database indexes foreign keys itself (MySQL InnoDB).
    """
    if any(table.column(c) is None for c in (*lookup.equality, *lookup.joined, *lookup.ranged, *lookup.sorted)):
        return None
    indexes = [index.columns for index in table.indexes]
    if implicit_fk:
        indexes += [fk.columns for fk in table.foreign_keys]
    leading = {columns[0] for columns in indexes if columns}
    if leading.intersection((*lookup.equality, *lookup.joined, *lookup.ranged)):
        return None
    equality = [c for c in lookup.equality if _selective(table, c)]
    ranged = [c for c in lookup.ranged if _selective(table, c) and c not in equality]
    sort = [c for c in lookup.sorted if c not in equality]
    if equality:
        keys = {fk.columns[0] for fk in table.foreign_keys if fk.columns}
        position = {column.name: i for i, column in enumerate(table.columns)}
        joined = [c for c in equality if c in lookup.joined]
        others = sorted((c for c in equality if c not in joined), key=lambda c: (c not in keys, position[c]))
        return (*joined, *others, *(ranged or sort)[:1])
    # a range alone is worth an index on time columns (recent rows); `count > 0` on a counter matches most rows,
    # and so does `createdAt < cutoff` on a column every row fills: the old rows are most of a growing table
    timed = [c for c in ranged if _is_time(table, c) and not (c in lookup.older and not table.column(c).nullable)]
    if timed:
        return (timed[0],)
    if sort and lookup.limited and sort[0] not in leading:
        return (sort[0],)
    return None


def _is_time(table: Table, name: str) -> bool:
    column = table.column(name)
    return column is not None and column.type.split("(")[0].upper() in _TIME_TYPES


def _selective(table: Table, name: str) -> bool:
    """A column an index can narrow a lookup by: not JSON, bytes or a list, not a boolean or an enum."""
    column = table.column(name)
    if column is None or column.is_list or column.type.split("(")[0].upper() in _UNSELECTIVE_TYPES:
        return False
    is_enum = bool(table.model) and column.type not in SCALARS and not column.type.startswith("Unsupported")
    return not is_enum


def _sites(project: Project, schema: Schema) -> Iterator[_Site]:
    """Every lookup of every query in application code (tests, seeds and migrations left out)."""
    for path, module in sorted(project.modules.items()):
        file = project.files.get(path)
        if file is not None and (file.is_test or file.is_seed_or_migration):
            continue
        cached = {call.function for call in module.calls if call.callee in _CACHE_LIFETIMES and call.function}
        if module.language != "python":
            yield from _prisma_sites(module, schema, cached)
        for sql in module.sql:
            if sql.function not in cached and sql.text.lstrip().upper().startswith(_READS):
                span = _call_span(module, sql)
                yield from (_Site(path, span, len(sql.loops), lookup) for lookup in sql_lookups(schema, sql.text))


def _prisma_sites(module: ModuleFacts, schema: Schema, cached: set[str | None]) -> Iterator[_Site]:
    """``cached``: functions whose result is cached for a period; their queries are left out."""
    clients = prisma_clients(module)
    for call in module.calls:
        if not call.arg_keys or call.function in cached:  # only Prisma query-object methods have arg_keys
            continue
        db = classify(call, module.language, clients)
        table = schema.by_model(db.target) if db is not None and db.library == "prisma" and db.target else None
        if table is not None:
            for lookup in prisma_lookups(schema, table, call.name, call.arg_keys):
                yield _Site(module.path, call.span, len(call.loops), lookup)


def _call_span(module: ModuleFacts, sql: SqlString) -> Span:
    """The call the SQL is handed to (``pool.query(...)``, ``prisma.$queryRaw`...```), else the string itself."""
    callee = sql.call or sql.tag
    calls = [c.span for c in module.calls if callee and c.callee == callee and c.span.contains(sql.span)]
    return min(calls, key=lambda s: s.end_byte - s.start_byte, default=sql.span)


def _chosen(hits: list[tuple[_Site, tuple[str, ...]]]) -> tuple[str, ...]:
    """The suggestion that serves the whole group best: the longest one the others are all prefixes of, else
    the one most queries asked for (the first site's on a tie)."""
    suggestions = [columns for _, columns in hits]
    longest = max(suggestions, key=len)
    if all(longest[: len(s)] == s for s in suggestions):
        return longest
    counts = Counter(suggestions)
    return max(suggestions, key=lambda s: (counts[s], -suggestions.index(s)))


def _field(table: Table, name: str) -> str:
    column = table.column(name)
    return column.field if column is not None and table.model else name


def _foreign_key_note(schema: Schema, table: Table, columns: tuple[str, ...]) -> str:
    if not any(fk.columns and fk.columns[0] == columns[0] for fk in table.foreign_keys):
        return ""
    if (schema.provider or "").lower() in ("postgresql", "postgres"):
        return " (PostgreSQL does not index foreign keys by itself)"
    return " (a foreign key is not indexed automatically)"


def _add_index(project: Project, schema: Schema, table: Table, columns: tuple[str, ...]) -> Fix | None:
    """The `@@index` line for a model declared in a schema.prisma; SQL-only tables have no file to add it to."""
    if not (table.model and table.path.endswith(".prisma")):
        return None
    source = project.source(table.path)
    if source is None:
        return None
    fields = tuple(_field(table, c) for c in columns)
    edit = index_edit(source, table.line, fields)
    if edit is None:
        return None
    # an index changes how rows are found, never which: safe, though it still needs a migration to apply
    return Fix(
        f"Add `@@index([{', '.join(fields)}])` to model `{table.model}` in {table.path} and run a migration; "
        f"the index it creates: {_create_index(schema, table, columns)}",
        Applicability.SAFE,
        edits=(edit,),
        path=table.path,
    )


def _create_index(schema: Schema, table: Table, columns: tuple[str, ...]) -> str:
    quote = "`" if (schema.provider or "").lower() == "mysql" else '"'
    name = f"{table.name}_{'_'.join(columns)}_idx"
    listed = ", ".join(f"{quote}{c}{quote}" for c in columns)
    return f"`CREATE INDEX {quote}{name}{quote} ON {quote}{table.name}{quote} ({listed});`"


def _suggestion(schema: Schema, table: Table, columns: tuple[str, ...]) -> str:
    """``@@index([authorId, createdAt])`` to model `Post`, or ``CREATE INDEX "Post_authorId_createdAt_idx" ...``."""
    create = _create_index(schema, table, columns)
    if not table.model:
        return create
    fields = ", ".join(_field(table, c) for c in columns)
    return f"`@@index([{fields}])` to model `{table.model}` (or {create})"
