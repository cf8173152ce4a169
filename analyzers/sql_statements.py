"""Pure passes over all tables: one per DDL statement, composed in ``STATEMENTS``, and one per ALTER TABLE action,
composed in ``ALTER_ACTIONS``; each takes the tables and returns new ones."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import replace

from sqlglot import exp

from analyzers.schema import Index, Table
from analyzers.sql_tables import At, column_names, name_of, set_column, with_column, with_element, with_index

Tables = dict[str, Table]


def _find(tables: Tables, name: str) -> str | None:
    """The key for ``name``: exact, else case-insensitive (unquoted names fold case in SQL)."""
    if name in tables:
        return name
    return next((key for key in tables if key.lower() == name.lower()), None)


def _without(table: Table, *, columns: AbstractSet[str] = frozenset(), names: AbstractSet[str] = frozenset()) -> Table:
    """Drop ``columns`` with the indexes and foreign keys over them, and the constraints or indexes called ``names``."""
    return replace(
        table,
        columns=[c for c in table.columns if c.name not in columns],
        indexes=[i for i in table.indexes if i.name not in names and not columns & set(i.columns)],
        foreign_keys=[fk for fk in table.foreign_keys if fk.name not in names and not columns & set(fk.columns)],
    )


def _rename_column(table: Table, old: str, new: str) -> Table:
    def rename(columns: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(new if c == old else c for c in columns)

    return replace(
        table,
        columns=[replace(c, name=new, field=new) if c.name == old else c for c in table.columns],
        indexes=[replace(i, columns=rename(i.columns)) for i in table.indexes],
        foreign_keys=[replace(fk, columns=rename(fk.columns)) for fk in table.foreign_keys],
    )


# ALTER TABLE actions: each is (tables, table key, action, at) -> tables.
Action = Callable[[Tables, str, exp.Expression, At], Tables]


def add_column(tables: Tables, key: str, action: exp.ColumnDef, at: At) -> Tables:
    """``ADD COLUMN "x" INTEGER NOT NULL``."""
    return {**tables, key: with_column(tables[key], action, at)}


def add_constraint(tables: Tables, key: str, action: exp.AddConstraint, at: At) -> Tables:
    """``ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id")``."""
    table = tables[key]
    for element in action.expressions:
        table = with_element(table, element, at)
    return {**tables, key: table}


def drop_part(tables: Tables, key: str, action: exp.Drop, at: At) -> Tables:
    """``DROP COLUMN "x"``, ``DROP CONSTRAINT "User_pkey"``, MySQL ``DROP INDEX `i``` / ``DROP FOREIGN KEY `f```."""
    names = {name_of(node) for node in action.args.get("tables") or []}
    if str(action.args.get("kind") or "").upper() == "COLUMN":
        return {**tables, key: _without(tables[key], columns=names)}
    return {**tables, key: _without(tables[key], names=names)}


def drop_primary_key(tables: Tables, key: str, action: exp.DropPrimaryKey, at: At) -> Tables:
    """MySQL ``DROP PRIMARY KEY``."""
    table = tables[key]
    return {**tables, key: replace(table, indexes=[i for i in table.indexes if i.kind != "primary"])}


def alter_column(tables: Tables, key: str, action: exp.AlterColumn, at: At) -> Tables:
    """``ALTER COLUMN "name" SET NOT NULL`` / ``DROP NOT NULL`` / ``SET DATA TYPE VARCHAR(3)``."""
    table = tables[key]
    if "allow_null" in action.args:
        table = set_column(table, action.name, nullable=bool(action.args["allow_null"]))
    if action.args.get("dtype"):
        table = set_column(table, action.name, type=action.args["dtype"].sql(dialect=at.dialect))
    return {**tables, key: table}


def modify_column(tables: Tables, key: str, action: exp.ModifyColumn, at: At) -> Tables:
    """MySQL ``MODIFY `a` INT NOT NULL`` and ``CHANGE `a` `b` INT`` (a rename, then the new definition)."""
    table = tables[key]
    old = action.args.get("rename_from")
    if old is not None:
        table = _rename_column(table, old.name, action.this.name)
    return {**tables, key: with_column(table, action.this, at)}


def rename_column(tables: Tables, key: str, action: exp.RenameColumn, at: At) -> Tables:
    """``RENAME COLUMN "a" TO "b"``: the column and the indexes and foreign keys over it."""
    return {**tables, key: _rename_column(tables[key], action.this.name, action.args["to"].name)}


def rename_table(tables: Tables, key: str, action: exp.AlterRename, at: At) -> Tables:
    """``ALTER TABLE "new_Post" RENAME TO "Post"`` (SQLite's redefine); foreign keys elsewhere follow the name."""
    new = name_of(action.this)
    renamed = {k: t for k, t in tables.items() if k != key} | {new: replace(tables[key], name=new)}
    return {k: _retarget(t, key, new) for k, t in renamed.items()}


def _retarget(table: Table, old: str, new: str) -> Table:
    keys = [replace(fk, references_table=new) if fk.references_table == old else fk for fk in table.foreign_keys]
    return replace(table, foreign_keys=keys)


def rename_index_action(tables: Tables, key: str, action: exp.RenameIndex, at: At) -> Tables:
    """MySQL ``RENAME INDEX `a` TO `b```."""
    return {**tables, key: _renamed_index(tables[key], action.this.name, action.args["to"].name)}


ALTER_ACTIONS: dict[type[exp.Expression], Action] = {
    exp.ColumnDef: add_column,
    exp.AddConstraint: add_constraint,
    exp.Drop: drop_part,
    exp.DropPrimaryKey: drop_primary_key,
    exp.AlterColumn: alter_column,
    exp.ModifyColumn: modify_column,
    exp.RenameColumn: rename_column,
    exp.AlterRename: rename_table,
    exp.RenameIndex: rename_index_action,
}


# Statements: each is (tables, statement, at) -> tables and never mutates its input.
Step = Callable[[Tables, exp.Expression, At], Tables]


def create_table(tables: Tables, statement: exp.Create, at: At) -> Tables:
    """``CREATE TABLE "User" ("id" SERIAL NOT NULL, CONSTRAINT "User_pkey" PRIMARY KEY ("id"))`` -> table User."""
    name = name_of(statement.this)
    if statement.args.get("exists") and _find(tables, name):
        return tables
    table = Table(name=name, path=at.path, line=at.line)
    if isinstance(statement.this, exp.Schema):
        for element in statement.this.expressions:
            table = with_element(table, element, at)
    sorting_key = _merge_tree_key(statement)
    if sorting_key:
        table = with_index(table, Index(sorting_key, "primary", None, at.line))
    return {**tables, name: table}


def _merge_tree_key(statement: exp.Create) -> tuple[str, ...]:
    """ClickHouse ``ENGINE = MergeTree ORDER BY (website_id, toStartOfHour(created_at))``: the primary key (else
    the sorting key) is the table's index; a function of a column stands for the column."""
    properties = statement.args.get("properties")
    parts = {type(p): p for p in properties.expressions} if properties is not None else {}
    engine = parts.get(exp.EngineProperty)
    key = parts.get(exp.PrimaryKey) or parts.get(exp.Order)
    if engine is None or key is None or "MERGETREE" not in engine.this.name.upper():
        return ()
    items = [item.this if isinstance(item, exp.Ordered) else item for item in key.expressions]
    if len(items) == 1 and isinstance(items[0], exp.Tuple):
        items = items[0].expressions
    columns = [item if isinstance(item, exp.Identifier) else item.find(exp.Column) for item in items]
    return tuple(column.name for column in columns if column is not None)


def create_index(tables: Tables, statement: exp.Create, at: At) -> Tables:
    """``CREATE UNIQUE INDEX "User_email_key" ON "User"("email")`` -> unique index (email) on User."""
    index = statement.this
    params = index.args.get("params")
    columns = column_names(params.args.get("columns") or []) if params else ()
    key = _find(tables, name_of(index.args.get("table")))
    table = tables[key] if key else Table(name=name_of(index.args.get("table")), path=at.path, line=at.line)
    kind = "unique" if statement.args.get("unique") else "index"
    return {**tables, table.name: with_index(table, Index(columns, kind, index.name or None, at.line))}


def drop_table(tables: Tables, statement: exp.Drop, at: At) -> Tables:
    """``DROP TABLE "Post"`` removes the table (foreign keys pointing at it stay, as SQLite's redefine needs)."""
    dropped = {_find(tables, name_of(node)) for node in statement.args.get("tables") or []}
    return {key: table for key, table in tables.items() if key not in dropped}


def drop_index(tables: Tables, statement: exp.Drop, at: At) -> Tables:
    """``DROP INDEX "User_email_key"`` (PostgreSQL, any table) or ``DROP INDEX `i` ON `Post``` (MySQL)."""
    names = {name_of(node) for node in statement.args.get("tables") or []}
    on = statement.args.get("cluster")
    only = _find(tables, name_of(on.this)) if isinstance(on, exp.OnProperty) else None
    return {
        key: replace(table, indexes=[i for i in table.indexes if i.name not in names]) if only in (None, key) else table
        for key, table in tables.items()
    }


def rename_index(tables: Tables, statement: exp.Alter, at: At) -> Tables:
    """PostgreSQL ``ALTER INDEX "a" RENAME TO "b"``."""
    old = name_of(statement.this)
    new = next((name_of(a.this) for a in statement.actions if isinstance(a, exp.AlterRename)), old)
    return {key: _renamed_index(table, old, new) for key, table in tables.items()}


def _renamed_index(table: Table, old: str, new: str) -> Table:
    return replace(table, indexes=[replace(i, name=new) if i.name == old else i for i in table.indexes])


def alter_table(tables: Tables, statement: exp.Alter, at: At) -> Tables:
    """``ALTER TABLE "Post" ADD CONSTRAINT ..., DROP COLUMN "x"``: each action in order, see ``ALTER_ACTIONS``."""
    name = name_of(statement.this)
    key = _find(tables, name)
    if key is None:  # a partial migration history: the table was created before the first file we have
        key, tables = name, {**tables, name: Table(name=name, path=at.path, line=at.line)}
    for action in statement.actions:
        rule = ALTER_ACTIONS.get(type(action))
        if rule is not None:
            tables = rule(tables, key, action, at)
            key = name_of(action.this) if isinstance(action, exp.AlterRename) else key
    return tables


STATEMENTS: dict[str, Step] = {
    "CREATE TABLE": create_table,
    "CREATE INDEX": create_index,
    "ALTER TABLE": alter_table,
    "ALTER INDEX": rename_index,
    "DROP TABLE": drop_table,
    "DROP INDEX": drop_index,
}
