"""Pure passes over one table: the columns and constraints of ``CREATE TABLE (...)`` and ``ALTER TABLE ... ADD``,
each constraint kind applied by its rule in ``TABLE_CONSTRAINTS``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlglot import exp

from analyzers.schema import Column, ForeignKey, Index, Table


@dataclass(frozen=True, slots=True)
class At:
    """Where a statement starts; sqlglot gives nodes inside it lines relative to that start."""

    path: str
    line: int
    dialect: str

    def line_of(self, node: exp.Expression | None) -> int:
        identifier = node if isinstance(node, exp.Identifier) else node.find(exp.Identifier) if node else None
        relative = identifier.meta.get("line") if identifier is not None else None
        return self.line + relative - 1 if isinstance(relative, int) else self.line


def name_of(node: exp.Expression | None) -> str:
    """``"public"."User"`` -> ``User``; a table inside ``Schema`` (``"User" ("id" ...)``) -> ``User``."""
    if isinstance(node, exp.Schema):
        node = node.this
    return node.name if node is not None else ""


def column_names(nodes: list[exp.Expression]) -> tuple[str, ...]:
    """``("a", "b" DESC)`` -> ``("a", "b")``; an expression such as ``lower(email)`` keeps its SQL text."""
    names = []
    for node in nodes:
        node = node.this if isinstance(node, exp.Ordered) else node
        names.append(node.name if isinstance(node, (exp.Identifier, exp.Column)) else node.sql())
    return tuple(names)


def _reference(table: Table, columns: tuple[str, ...], node: exp.Reference, name: str | None, at: At) -> Table:
    """``REFERENCES "User"("id")`` on ``columns``; ``REFERENCES users`` alone means its primary key, left empty."""
    target = node.this
    references = column_names(target.expressions) if isinstance(target, exp.Schema) else ()
    fk = ForeignKey(columns, name_of(target), references, at.line_of(node), name)
    return replace(table, foreign_keys=[*table.foreign_keys, fk])


def with_index(table: Table, index: Index) -> Table:
    columns = table.columns
    if index.kind == "primary":  # primary key columns are NOT NULL whether or not the DDL says so
        columns = [replace(c, nullable=False) if c.name in index.columns else c for c in columns]
    return replace(table, columns=columns, indexes=[*table.indexes, index])


# Table constraints, in CREATE TABLE or ALTER TABLE ... ADD: each is (table, node, constraint name, at) -> table.


def primary_key(table: Table, node: exp.Expression, name: str | None, at: At) -> Table:
    """``CONSTRAINT "User_pkey" PRIMARY KEY ("id")`` -> primary index (id) named User_pkey."""
    return with_index(table, Index(column_names(node.expressions), "primary", name, at.line_of(node)))


def unique_key(table: Table, node: exp.Expression, name: str | None, at: At) -> Table:
    """``UNIQUE (a, b)`` or MySQL ``UNIQUE INDEX `User_email_key`(`email`)`` -> unique index."""
    columns = node.this
    if isinstance(columns, exp.Schema):
        name = name or (columns.this.name if columns.this else None)
    return with_index(table, Index(column_names(columns.expressions), "unique", name, at.line_of(node)))


def plain_index(table: Table, node: exp.Expression, name: str | None, at: At) -> Table:
    """MySQL ``INDEX `Post_authorId_idx`(`authorId`)`` / ``KEY k (a)`` -> index; FULLTEXT and SPATIAL are skipped."""
    if node.args.get("kind"):
        return table
    name = name or (node.this.name if node.this else None)
    return with_index(table, Index(column_names(node.expressions), "index", name, at.line_of(node)))


def foreign_key(table: Table, node: exp.Expression, name: str | None, at: At) -> Table:
    """``CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id")`` -> foreign key."""
    return _reference(table, column_names(node.expressions), node.args["reference"], name, at)


TABLE_CONSTRAINTS: dict[type[exp.Expression], Callable[[Table, exp.Expression, str | None, At], Table]] = {
    exp.PrimaryKey: primary_key,
    exp.UniqueColumnConstraint: unique_key,
    exp.IndexColumnConstraint: plain_index,
    exp.ForeignKey: foreign_key,
}


def with_element(table: Table, node: exp.Expression, at: At) -> Table:
    """One entry of ``CREATE TABLE (...)`` or ``ADD ...``: a column, or a (possibly named) table constraint."""
    if isinstance(node, exp.ColumnDef):
        return with_column(table, node, at)
    name = None
    parts = [node]
    if isinstance(node, exp.Constraint):
        name, parts = node.name, node.expressions
    for part in parts:
        rule = TABLE_CONSTRAINTS.get(type(part))
        if rule is not None:
            table = rule(table, part, name, at)
    return table


def with_column(table: Table, node: exp.ColumnDef, at: At) -> Table:
    """``"email" TEXT NOT NULL UNIQUE REFERENCES x(y)`` -> the column, plus its inline keys."""
    kind = node.args.get("kind")
    column = Column(
        name=node.name,
        field=node.name,
        type=_type_text(kind, at.dialect),
        nullable=True,
        is_list=bool(kind and kind.is_type(exp.DataType.Type.ARRAY)),
        line=at.line_of(node),
    )
    if table.column(column.name) is None:
        table = replace(table, columns=[*table.columns, column])
    else:  # MySQL MODIFY/CHANGE restates a column in place
        table = replace(table, columns=[column if c.name == column.name else c for c in table.columns])
    for constraint in node.constraints:
        rule = constraint.kind
        name = constraint.name or None
        if isinstance(rule, exp.NotNullColumnConstraint):
            table = set_column(table, column.name, nullable=bool(rule.args.get("allow_null")))
        elif isinstance(rule, exp.PrimaryKeyColumnConstraint):
            table = with_index(table, Index((column.name,), "primary", name, column.line))
        elif isinstance(rule, exp.UniqueColumnConstraint):
            table = with_index(table, Index((column.name,), "unique", name, column.line))
        elif isinstance(rule, exp.Reference):
            table = _reference(table, (column.name,), rule, name, at)
    return table


def _type_text(kind: exp.DataType | None, dialect: str) -> str:
    """sqlglot's rendering in the statement's dialect; a user-defined type (a PostgreSQL enum) by its bare name."""
    if kind is None:
        return ""
    if kind.this == exp.DataType.Type.USERDEFINED and isinstance(kind.args.get("kind"), exp.Identifier):
        return kind.args["kind"].name
    return kind.sql(dialect=dialect)


def set_column(table: Table, name: str, **changes: object) -> Table:
    return replace(table, columns=[replace(c, **changes) if c.name == name else c for c in table.columns])
