"""Which columns a query finds its rows by: Prisma query objects (from ``Call.arg_keys``) and raw SQL (via sqlglot),
each turned into ``Lookup``s of one table that an index could serve. Names are mapped to the schema's database
column names; anything the schema does not know ends the reading of that query (precision over recall)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from analyzers.schema import Column, Relation, Schema, Table


@dataclass(frozen=True, slots=True)
class Lookup:
    """One table read by one query, in database column names. ``equality``: columns compared with ``=`` / ``IN``,
    and the join key when the table is probed by it; ``joined``: the columns it is joined on (a relation's foreign
    key, a ``JOIN ... ON``), which an index can serve the join by; ``ranged``: ``<``, ``>=``, ``BETWEEN`` columns;
    ``sorted``: ORDER BY columns; ``limited``: the query stops early (LIMIT, ``take``, ``findFirst``), the only
    case where an index on the sort columns alone saves work; ``older``: the ranged columns bounded only from
    above (``< $1``, ``{ lt: cutoff }``), a read of the old rows."""

    table: str
    equality: tuple[str, ...] = ()
    ranged: tuple[str, ...] = ()
    sorted: tuple[str, ...] = ()
    joined: tuple[str, ...] = ()
    limited: bool = False
    older: tuple[str, ...] = ()


# --- Prisma query objects ----------------------------------------------------------------------------------

Tree = dict[str, "Tree"]  # key -> sub-keys; a leaf (a value we cannot see into) has none

_SINGLE_ROW = frozenset({"findUnique", "findUniqueOrThrow", "findFirst", "findFirstOrThrow"})
_EQUALITY_OPERATORS = frozenset({"equals", "in"})
_RANGE_OPERATORS = frozenset({"lt", "lte", "gt", "gte"})
_UPPER_BOUNDS = frozenset({"lt", "lte"})
_LIST_FILTERS = frozenset({"some", "every", "none"})
_TO_ONE_FILTERS = frozenset({"is", "isNot"})


def key_tree(paths: tuple[str, ...]) -> Tree:
    """``("where.id", "where.author.name", "take")`` -> ``{"where": {"id": {}, "author": {"name": {}}}, "take": {}}``"""
    root: Tree = {}
    for path in paths:
        node = root
        for part in path.split("."):
            node = node.setdefault(part, {})
    return root


def prisma_lookups(schema: Schema, table: Table, method: str, arg_keys: tuple[str, ...]) -> list[Lookup]:
    """The lookups of ``prisma.<model>.<method>({...})``: its ``where`` and ``orderBy`` on ``table``, its
    ``cursor``, relation filters (``some``/``every``/``none``/``is``) and the relation reads of ``include`` and
    ``select``, which query the related table by its foreign key."""
    tree = key_tree(arg_keys)
    found: list[Lookup] = []
    _read(schema, table, tree, (), method in _SINGLE_ROW or "take" in tree, found)
    cursor = tree.get("cursor")
    if cursor:
        selector = _filter(schema, table, cursor, found)
        if selector is not None and selector.equality:
            found.append(Lookup(table.name, tuple(selector.equality)))
    return found


@dataclass(slots=True)
class _Filter:
    equality: list[str] = field(default_factory=list)
    ranged: list[str] = field(default_factory=list)
    lower_bounded: list[str] = field(default_factory=list)


def _read(
    schema: Schema, table: Table, query: Tree, joined: tuple[str, ...], limited: bool, found: list[Lookup]
) -> None:
    """One query object on ``table`` (the whole call, or a nested ``include: { posts: {...} }``)."""
    where = query.get("where")
    condition = _filter(schema, table, where, found) if where is not None else _Filter()
    sort = _sort_columns(table, query.get("orderBy", {}))
    if condition is None:  # a filter we cannot see into: only the join key is certain
        condition, sort = _Filter(), []
    equality = _unique([*joined, *condition.equality])
    if equality or condition.ranged or sort:
        ranged = _unique(condition.ranged)
        older = tuple(c for c in ranged if c not in condition.lower_bounded)
        found.append(Lookup(table.name, equality, ranged, _unique(sort), joined, limited, older))
    for key in ("include", "select"):
        for name, nested in query.get(key, {}).items():
            _read_relation(schema, table, name, nested, found)


def _read_relation(schema: Schema, table: Table, name: str, nested: Tree, found: list[Lookup]) -> None:
    """``include: { posts: true }`` reads Post by its key to ``table``; ``_count: { select: { posts: true } }``
    counts Post rows by that key."""
    if name == "_count":
        for counted, inner in nested.get("select", {}).items():
            _read_relation(schema, table, counted, {"where": inner["where"]} if "where" in inner else {}, found)
        return
    relation = _relation(table, name)
    if relation is None:
        return
    target, key = _join(schema, table, relation)
    if target is not None:
        _read(schema, target, nested, key, "take" in nested, found)


def _filter(schema: Schema, table: Table, where: Tree, found: list[Lookup]) -> _Filter | None:
    """Columns a ``where`` compares; relation filters add their own lookups to ``found``. None when some part
    cannot be read (a variable, a spread, an unknown key): the filter may then use columns we do not see."""
    if not where:
        return None
    condition = _Filter()
    for key, value in where.items():
        column = _column(table, key)
        if key == "AND":
            inner = _filter(schema, table, value, found)
            if inner is None:
                return None
            condition.equality += inner.equality
            condition.ranged += inner.ranged
            condition.lower_bounded += inner.lower_bounded
        elif key in ("OR", "NOT"):
            continue  # each branch may be served by another index; left alone
        elif column is not None:
            role = _operator_role(value)
            if role == "equality":
                condition.equality.append(column.name)
            elif role == "range":
                condition.ranged.append(column.name)
                if not set(value) <= _UPPER_BOUNDS:
                    condition.lower_bounded.append(column.name)
        elif (relation := _relation(table, key)) is not None:
            condition.equality += _relation_filter(schema, table, relation, value, found)
        elif value and all(_column(table, part) for part in value):  # compound selector `a_b: { a, b }`
            condition.equality += [_column(table, part).name for part in value]
        else:
            return None
    return condition


def _operator_role(value: Tree) -> str | None:
    """``{ authorId }`` / ``{ in: ids }`` compare for equality; ``{ gte: t }`` is a range; ``contains``, ``mode``,
    ``not``, ``has``... are not served by a plain B-tree index."""
    if not value or set(value) <= _EQUALITY_OPERATORS:
        return "equality"
    if set(value) <= _RANGE_OPERATORS:
        return "range"
    return None


def _relation_filter(schema: Schema, table: Table, relation: Relation, value: Tree, found: list[Lookup]) -> list[str]:
    """``posts: { some: { title } }`` checks Post rows by their key to ``table`` and by ``title``. Returns the
    columns of ``table`` that a ``some``/``is`` filter finds its rows by (``id IN (SELECT author_id ...)``):
    the related rows can drive the lookup. ``none``/``every``/``isNot`` exclude rows, so they drive nothing."""
    target, key = _join(schema, table, relation)
    if target is None or not value:
        return []
    if relation.is_list:
        branches = [value[op] for op in _LIST_FILTERS if op in value]
        driving = "some" in value
    else:
        branches = [value[op] for op in _TO_ONE_FILTERS if op in value] or [value]
        driving = "isNot" not in value
    for branch in branches:
        _read(schema, target, {"where": branch}, key, False, found)
    return list(_own_key(schema, table, relation)) if driving else []


def _own_key(schema: Schema, table: Table, relation: Relation) -> tuple[str, ...]:
    """The columns of ``table`` a relation joins on: its foreign key, or the columns the other side references."""
    if relation.fields:
        names = relation.fields
    else:
        target = schema.by_model(relation.target)
        back = [r for r in target.relations if r.target == table.model and r.fields and r.name == relation.name] if target else []
        names = back[0].references if len(back) == 1 else ()
    columns = [_column(table, name) for name in names]
    return tuple(column.name for column in columns) if columns and None not in columns else ()


def _join(schema: Schema, table: Table, relation: Relation) -> tuple[Table | None, tuple[str, ...]]:
    """The related table and the columns on it that point back at ``table`` (a foreign key on the target
    side); () when ``table`` holds the key itself (the target is then found by the key it references) or when
    the back side cannot be told apart (an implicit many-to-many, or two unnamed relations)."""
    target = schema.by_model(relation.target)
    if target is None or relation.fields:
        return target, ()
    back = [r for r in target.relations if r.target == table.model and r.fields and r.name == relation.name]
    if len(back) != 1:
        return target, ()
    columns = [_column(target, name) for name in back[0].fields]
    if any(column is None for column in columns):
        return target, ()
    return target, tuple(column.name for column in columns)


def _sort_columns(table: Table, order: Tree) -> list[str]:
    """``orderBy: [{ createdAt: 'desc' }, { id: 'asc' }]`` -> ``[created_at, id]``, up to the first key that is
    not a column of ``table`` (a relation or ``_count``: no index on ``table`` can give that order)."""
    columns = []
    for key in order:
        column = _column(table, key)
        if column is None:
            break
        columns.append(column.name)
    return columns


def _column(table: Table, name: str) -> Column | None:
    return table.column(name) if name != "*" else None


def _relation(table: Table, name: str) -> Relation | None:
    return next((r for r in table.relations if r.field == name), None)


def _unique(names: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


# --- raw SQL -----------------------------------------------------------------------------------------------

_DIALECTS = {"postgresql": "postgres", "postgres": "postgres", "cockroachdb": "postgres", "mysql": "mysql",
             "sqlite": "sqlite", "sqlserver": "tsql"}
_RANGE_NODES = (exp.GT, exp.GTE, exp.LT, exp.LTE)
_SCOPES = (exp.Select, exp.Update, exp.Delete)


@dataclass(frozen=True, slots=True)
class ColumnUse:
    """A column as one clause of one SELECT/UPDATE/DELETE uses it: ``qualifier`` is the table or alias written
    before it (``""`` if none); ``role``: equality | range | below | join | sort (``below``: a range bounded
    only from above, ``created_at < $1``)."""

    qualifier: str
    column: str
    role: str


def where_uses(scope: exp.Expression) -> Iterator[ColumnUse]:
    """``WHERE a = $1 AND b > now() AND c LIKE '%x%' AND (d = 1 OR e = 2)`` -> a (equality), b (range); ``LIKE``,
    functions of a column and ``OR``/``NOT`` branches give nothing."""
    where = scope.args.get("where")
    if where is not None:
        for predicate in _conjuncts(where.this):
            yield from _predicate_uses(predicate)


def join_uses(scope: exp.Expression) -> Iterator[ColumnUse]:
    """``JOIN comments c ON c.post_id = p.id`` -> c.post_id (join), p.id (join)."""
    for join in scope.args.get("joins") or []:
        on = join.args.get("on")
        if on is not None:
            for predicate in _conjuncts(on):
                yield from _predicate_uses(predicate)


def sort_uses(scope: exp.Expression) -> Iterator[ColumnUse]:
    """``ORDER BY p.created_at DESC, lower(name)`` -> p.created_at (sort); stops at the first non-column."""
    order = scope.args.get("order")
    for ordered in order.expressions if order is not None else []:
        if not isinstance(ordered.this, exp.Column):
            return
        yield ColumnUse(ordered.this.table, ordered.this.name, "sort")


# The passes over each SELECT/UPDATE/DELETE scope, in this order.
SQL_PASSES: tuple[Callable[[exp.Expression], Iterator[ColumnUse]], ...] = (where_uses, join_uses, sort_uses)


def _conjuncts(node: exp.Expression) -> Iterator[exp.Expression]:
    node = node.unnest() if isinstance(node, exp.Paren) else node
    if isinstance(node, exp.And):
        yield from _conjuncts(node.this)
        yield from _conjuncts(node.expression)
    else:
        yield node


def _predicate_uses(node: exp.Expression) -> Iterator[ColumnUse]:
    left, right = node.this, node.args.get("expression")
    if isinstance(node, exp.EQ):
        if isinstance(left, exp.Column) and isinstance(right, exp.Column):
            yield ColumnUse(left.table, left.name, "join")
            yield ColumnUse(right.table, right.name, "join")
            return
        column = left if isinstance(left, exp.Column) else right if isinstance(right, exp.Column) else None
        if column is not None:
            yield ColumnUse(column.table, column.name, "equality")
    elif isinstance(node, exp.In) and isinstance(left, exp.Column):
        yield ColumnUse(left.table, left.name, "equality")
    elif isinstance(node, _RANGE_NODES):
        column = left if isinstance(left, exp.Column) else right if isinstance(right, exp.Column) else None
        if column is not None and not (isinstance(left, exp.Column) and isinstance(right, exp.Column)):
            # `c < x` and `x > c` bound the column from above only
            below = isinstance(node, (exp.LT, exp.LTE)) == (column is left)
            yield ColumnUse(column.table, column.name, "below" if below else "range")
    elif isinstance(node, exp.Between) and isinstance(left, exp.Column):
        yield ColumnUse(left.table, left.name, "range")


def sql_lookups(schema: Schema, text: str) -> list[Lookup]:
    """Lookups of each SELECT/UPDATE/DELETE in ``text`` (subqueries included) on tables the schema knows.

    A join column counts only when another table of the same scope is filtered: then that table drives the
    join and this one is probed by the join key; otherwise the join is a scan of both sides that no index saves.
    """
    found: list[Lookup] = []
    for statement in _parse(text, schema.provider):
        for scope in statement.find_all(*_SCOPES):
            tables = _scope_tables(schema, scope)
            if tables:
                found.extend(_scope_lookups(scope, tables))
    return found


def _parse(text: str, provider: str | None) -> list[exp.Expression]:
    dialect = _DIALECTS.get(provider or "")
    for candidate in (dialect,) if dialect else ("postgres", "mysql"):
        try:
            return [s for s in sqlglot.parse(text, read=candidate) if s is not None]
        except SqlglotError:
            continue
    return []


def _scope_tables(schema: Schema, scope: exp.Expression) -> dict[str, Table]:
    """Alias (or name), lower-cased -> table, for the tables this scope reads directly (not its subqueries)."""
    sources = [scope.this] if isinstance(scope, (exp.Update, exp.Delete)) else []
    sources += [value.this for value in scope.args.values() if isinstance(value, exp.From)]
    sources += [join.this for join in scope.args.get("joins") or []]
    sources += scope.args.get("using") or []
    tables: dict[str, Table] = {}
    for source in sources:
        if isinstance(source, exp.Table):
            table = _find_table(schema, source.name)
            if table is not None:
                tables[source.alias_or_name.lower()] = table
    return tables


def _find_table(schema: Schema, name: str) -> Table | None:
    table = schema.tables.get(name)
    if table is None:
        table = next((t for key, t in schema.tables.items() if key.lower() == name.lower()), None)
    return table


def _scope_lookups(scope: exp.Expression, tables: dict[str, Table]) -> Iterator[Lookup]:
    uses: dict[str, dict[str, list[str]]] = {}  # alias -> role -> columns
    for find in SQL_PASSES:
        for use in find(scope):
            alias = _owner(use, tables)
            if alias is None:
                return  # a column we cannot place: the schema or the reading is incomplete
            name = tables[alias].column(use.column).name
            roles = uses.setdefault(alias, {})
            roles.setdefault(use.role, []).append(name)
            if use.role in ("range", "below"):
                roles.setdefault("ranged", []).append(name)  # both kinds, in the order written
    filtered = {alias for alias, roles in uses.items() if roles.keys() & {"equality", "ranged"}}
    limited = scope.args.get("limit") is not None
    for alias, roles in uses.items():
        joined = _unique(roles.get("join", []))
        equality = _unique([*(joined if filtered - {alias} else ()), *roles.get("equality", [])])
        ranged, sort = _unique(roles.get("ranged", [])), _unique(roles.get("sort", []))
        older = tuple(c for c in ranged if c not in roles.get("range", []))
        if equality or ranged or sort:
            yield Lookup(tables[alias].name, equality, ranged, sort, joined, limited, older)


def _owner(use: ColumnUse, tables: dict[str, Table]) -> str | None:
    """The alias of the table a column belongs to: its qualifier, or the one table of the scope that has it."""
    if use.qualifier:
        alias = use.qualifier.lower()
        table = tables.get(alias)
        return alias if table is not None and table.column(use.column) is not None else None
    owners = [alias for alias, table in tables.items() if table.column(use.column) is not None]
    return owners[0] if len(owners) == 1 else None
