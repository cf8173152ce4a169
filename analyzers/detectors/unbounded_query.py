"""Unbounded queries: reading every matching row of a growing table while a request waits."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from analyzers.detectors._data_access import classify, prisma_clients
from analyzers.detectors._loops import describe
from analyzers.detectors._query_builders import builder_inserts, unbounded_builder_reads
from analyzers.detectors.base import ProjectDetector
from analyzers.facts import Call, ModuleFacts, SqlString
from analyzers.schema import Schema, Table
from analyzers.sql import parse_query
from optimizer.findings import Category, Finding, Related, Severity

if TYPE_CHECKING:
    from optimizer.api import Project

_WRITES = frozenset({"create", "createMany", "createManyAndReturn", "upsert"})
_INSERT_INTO = re.compile(r"\bINSERT\s+(?:OR\s+\w+\s+)?INTO\s+[\"`]?(?:\w+[\"`]?\.[\"`]?)?(\w+)", re.I)
# A read is bounded when it pages (`take`, `cursor`) or names its rows (`where: { id: { in: ids } }`).
_BOUNDING_KEYS = ("take", "cursor")
_ID_LIST = re.compile(r"^where\.(?:\w+\.)?in$")
_WHERE_OBJECT = re.compile(r"\bwhere\s*:\s*\{")
_WHERE_NAME = re.compile(r"\bwhere\s*:\s*([A-Za-z_$][\w$]*)\s*[,}]")
# A list of ids handed in by the caller (`documentIds`, `ids`, `user_ids`).
_ID_LIST_NAME = re.compile(r"(?:^ids|Ids|_ids)$")
_KEY_NAME = re.compile(r"[a-z0-9](?:Id|_id)$")
_LIBRARY_NAMES = {"knex": "knex", "kysely": "Kysely", "sqlalchemy": "SQLAlchemy"}
_BUILDER_BOUNDS = {"knex": "`.limit()` or `.first()`", "kysely": "`.limit()` or `executeTakeFirst()`",
                   "sqlalchemy": "`.limit()` or `.first()`"}


class UnboundedQuery(ProjectDetector):
    """## What it does
    Finds reads on a request path that return every matching row of a table the application keeps
    writing to: Prisma `findMany` without `take` or `cursor`, SQL `SELECT` strings without `LIMIT`, and
    query-builder chains: knex (`knex('t').where(...)` without `.limit()`/`.first()`), Kysely
    (`db.selectFrom('t')...execute()` without `.limit()`; `executeTakeFirst()` is bounded) and SQLAlchemy
    (`session.query(M)...all()`, `M.query...all()`, `session.execute(select(M)).scalars().all()` without
    `.limit()`; `.first()`, `.one()`, `.get()`, `scalar_one()` are bounded).
    "On a request path" means an HTTP route handler reaches the query through calls; "grows with use"
    means the code creates rows of that model or table outside seed, migration and test files (Prisma
    `create`, SQL `INSERT`, knex `.insert()`, Kysely `insertInto`, SQLAlchemy `session.add(M(...))` or
    `insert(M)`).

    ## Why is this slow?
    The response time and memory grow with the table: fine with 100 rows in development, seconds and
    hundreds of megabytes with a million in production. Every row is also serialised and sent.

    ## Example
    ```ts
    router.get('/', async (req, res) => res.json(await prisma.post.findMany({ where: { published: true } })));
    ```

    ## Use instead
    ```ts
    const posts = await prisma.post.findMany({ where: { published: true }, take: 50, cursor, orderBy: { id: 'asc' } });
    ```
    In SQL: `... ORDER BY id LIMIT $1` with keyset pagination (`WHERE id > $2`); with a builder,
    `knex('post').where('id', '>', after).orderBy('id').limit(50)`, `.limit(50).execute()` in Kysely and
    `select(Post).where(Post.id > after).order_by(Post.id).limit(50)` in SQLAlchemy.

    ## Not reported
    Prisma reads of one parent's children: a `where` that pins a foreign key or a to-one relation by equality
    (`where: { pollId }`, `where: { userId: ctx.user.id }`, `where: { poll: { id } }`), such as the options
    of a poll or a user's calendar connections, and rows pinned the same way through relations, also inside
    `AND`/`OR`: the rows a parent belongs to through a join model (`where: { members: { some: { userId } } }`,
    a user's organisations), the tags of those organisations (`{ organisation: { members: { some: { userId } } } }`)
    and a relation filter a helper builds (`{ team: buildTeamWhere(user) }`). `every`/`none`/`isNot` pin nothing:
    they also match rows without such children. These lists grow with one parent,
    not with the table, and screens usually need them whole. Set `per-parent = true` under
    `[tool.perfrewrite.rules.unbounded-query]` to report them too, for parents that own many rows (an
    account's events, a tenant's orders).
    A `where` kept in a variable that a helper built, in the same function, from the caller's id list
    (`const { where } = await buildWhere({ ids: documentIds })`): it names its rows as `{ id: { in: ids } }`
    does, so the result is no longer than the list.

    ## Known limits
    A per-parent list is judged by its filter alone: a parent that owns thousands of children (a busy
    project's log entries) is not told apart from one that owns a handful unless `per-parent` is set.
    A foreign key is read from the Prisma schema; without the model in a schema, a field named like one
    (`pollId`, `poll_id`) counts. SQL strings and query builders are not checked for a parent key.
    A read bounded by another filter (a unique column) still counts as unbounded unless it
    names its rows with `{ in: [...] }`. A builder is read only as one chained expression: a query built
    in steps (`const q = knex('t'); q.where(...)`) or a SQLAlchemy statement kept in a variable is not
    followed, and a select list of aggregates counts as bounded only when it calls `count(`/`fn.`/`func.`.
    Lookup tables that are only seeded never count as growing.

    ## Fix safety
    No automatic fix: paging changes the API's response.
    """

    id = "unbounded-query"
    category = Category.UNBOUNDED_QUERY
    languages = ("typescript", "tsx", "javascript", "python")
    severity = Severity.WARNING
    options = {"per-parent": False}

    def check_project(self, project: Project) -> Iterable[Finding]:
        graph = project.graph
        on_path = graph.request_path_functions()
        if not on_path:
            return
        growing = _growing_tables(project)
        for module, ctx in self.checked_modules(project):
            path = module.path
            clients = prisma_clients(module) if module.language != "python" else frozenset()
            for call in module.calls:
                if call.function is None or graph.function_node(path, call.function) not in on_path:
                    continue
                db = classify(call, module.language, clients)
                if db is None or db.library != "prisma" or db.operation != "findMany" or _bounded(call):
                    continue
                if _where_built_from_ids(module, call):
                    continue
                table = project.schema.by_model(db.target or "")
                if not ctx.options["per-parent"] and _per_parent(call, table, project.schema):
                    continue
                written = growing.get(_model_key(db.target))
                if written is not None:
                    yield self._finding(module, call.span, f"`{describe(call)}` has no `take` or `cursor`", written, ctx)
            for sql in module.sql:
                if sql.function is None or graph.function_node(path, sql.function) not in on_path:
                    continue
                table = _unlimited_select_table(sql)
                written = growing.get(_model_key(table)) if table else None
                if written is not None:
                    yield self._finding(module, sql.span, f"`SELECT … FROM {table}` has no `LIMIT`", written, ctx)
            for read in unbounded_builder_reads(module):
                if read.function is None or graph.function_node(path, read.function) not in on_path:
                    continue
                written = growing.get(_model_key(read.table))
                if written is not None:
                    what = f"this {_LIBRARY_NAMES[read.library]} read of `{read.table}` has no {_BUILDER_BOUNDS[read.library]}"
                    yield self._finding(module, read.span, what, written, ctx)

    def _finding(self, module: ModuleFacts, span, what: str, written: Related, ctx) -> Finding:
        message = (
            f"{what} and runs while a request waits; the table grows with use (rows are created at "
            f"{written.path}:{written.line}), so the response grows with it: page with `take`/`LIMIT` and a cursor."
        )
        return self.finding(module, span, message, ctx=ctx, related=(written,), weight=2.0)


def _bounded(call: Call) -> bool:
    keys = call.arg_keys
    if any(k == "*" or k.startswith("*") for k in keys):
        return True  # a spread may carry `take`: do not guess
    if any(k.split(".", 1)[0] in _BOUNDING_KEYS for k in keys):
        return True
    if any(_ID_LIST.match(k) for k in keys):
        return True
    # facts without key paths (a non-literal argument): look at the text
    return not keys and bool(call.args) and any(word in call.args[0] for word in ("take", "cursor"))


def _per_parent(call: Call, table: Table | None, schema: Schema) -> bool:
    """`where: { pollId }`, `where: { userId: ctx.user.id }`, `where: { poll: { id } }`,
    `where: { members: { some: { userId } } }`, `where: { team: teamFilter(...) }`: the rows of one parent, pinned
    by equality on a foreign key or key, directly or through relations (also inside `AND`/`OR`). A `where` chosen
    at run time (`ownerId ? { ownerId } : {}`) may pin nothing."""
    if not call.args or not _WHERE_OBJECT.search(call.args[0]):
        return False
    return any(
        key.startswith("where.") and _pins_parent(key.split(".")[1:], table, schema) for key in call.arg_keys
    )


def _pins_parent(parts: list[str], table: Table | None, schema: Schema) -> bool:
    """Whether a `where` key path ends in an equality on a key of a row that the filtered rows belong to."""
    while parts and parts[0] in ("AND", "OR"):
        parts = parts[1:]
    if not parts:
        return False
    name, rest = parts[0], parts[1:]
    if rest in ([], ["equals"]) and (_is_foreign_key(name, table) or _is_key(name, table)):
        return True
    relation = next((r for r in table.relations if r.field == name), None) if table is not None else None
    if relation is None:
        return False
    if not rest:
        return True  # a relation filter built elsewhere (`team: teamFilter(user)`) scopes to that relation's rows
    if relation.is_list:
        if rest[0] != "some":  # `every`/`none` hold for rows without children too
            return False
        rest = rest[1:]
    elif rest[0] == "isNot":
        return False
    elif rest[0] == "is":
        rest = rest[1:]
    return _pins_parent(rest, schema.by_model(relation.target), schema)


def _is_key(name: str, table: Table | None) -> bool:
    """The row's own id or a unique column: equality on it names one row."""
    if table is None:
        return name == "id"
    column = table.column(name)
    return column is not None and table.is_unique(column.name)


def _where_built_from_ids(module: ModuleFacts, call: Call) -> bool:
    """`where: envelopeWhere` where `const { envelopeWhere } = await buildWhere({ ids: documentIds })` in the same
    function: a helper that names the rows from the caller's id list, so the result is no larger than the list."""
    match = _WHERE_NAME.search(call.args[0]) if call.args else None
    if match is None:
        return False
    name = match.group(1)
    return any(
        awaited.function == call.function
        and name in awaited.targets
        and awaited.span.start_byte < call.span.start_byte
        and any(_ID_LIST_NAME.search(used) for used in awaited.uses)
        for awaited in module.awaits
    )


def _is_foreign_key(name: str, table: Table | None) -> bool:
    """A field that points at another row; without the model in a schema, a name such as `pollId`/`poll_id`."""
    if table is None:
        return bool(_KEY_NAME.search(name))
    column = table.column(name)
    columns = {column.name, column.field} if column is not None else {name}
    return any(columns & set(r.fields) for r in table.relations) or any(
        columns & set(fk.columns) for fk in table.foreign_keys
    )


def _model_key(name: str | None) -> str | None:
    """`prisma.blogPost` delegate, `BlogPost` model and `blog_post`/`"BlogPost"` table names meet here."""
    return name.replace("_", "").replace('"', "").lower() if name else None


def _growing_tables(project: Project) -> dict[str, Related]:
    """Model/table key -> where the application creates its rows (outside seed, migration and test files)."""
    written: dict[str, Related] = {}
    for path, module in project.modules.items():
        file = project.files.get(path)
        if file is None or file.is_test or file.is_seed_or_migration:
            continue
        clients = prisma_clients(module) if module.language != "python" else frozenset()
        for call in module.calls:
            db = classify(call, module.language, clients)
            if db is not None and db.operation in _WRITES and db.target:
                written.setdefault(_model_key(db.target), Related(path, call.span.line, f"creates `{db.target}` rows"))
        for sql in module.sql:
            match = _INSERT_INTO.search(sql.text)
            if match:
                written.setdefault(_model_key(match.group(1)), Related(path, sql.span.line, f"inserts into `{match.group(1)}`"))
        for table, span in builder_inserts(module):
            written.setdefault(_model_key(table), Related(path, span.line, f"inserts into `{table}`"))
    return written


def _unlimited_select_table(sql: SqlString) -> str | None:
    """The table a single-table-driven SELECT reads without LIMIT, when it returns rows (not only aggregates)."""
    if not sql.text.lstrip("( \n\t").upper().startswith(("SELECT", "WITH")):
        return None
    parsed = parse_query(sql.text)
    if parsed is None:
        return None
    from sqlglot import exp

    tree, _ = parsed
    if not isinstance(tree, exp.Select) or tree.args.get("limit") or tree.args.get("fetch"):
        return None
    if tree.args.get("group") or all(_is_aggregate(item) for item in tree.expressions):
        return None
    source = tree.args.get("from_") or tree.args.get("from")
    table = source.this if source is not None else None
    return table.name if isinstance(table, exp.Table) else None


def _is_aggregate(item) -> bool:
    from sqlglot import exp

    node = item.this if isinstance(item, exp.Alias) else item
    return isinstance(node, exp.AggFunc)


