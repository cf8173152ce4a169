"""SQL migrations -> the schema model: CREATE/ALTER/DROP of tables and indexes, applied statement by statement."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, SqlglotError
from sqlglot.tokens import TokenType

from analyzers.schema import Column, ForeignKey, Index, Schema, Table

Tables = dict[str, Table]


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


# Only statements that can change tables or indexes are parsed: data changes, PRAGMAs, CREATE TYPE/EXTENSION
# and DO blocks cannot, and sqlglot does not need to understand them. FULLTEXT/SPATIAL indexes are left out
# because they do not serve the equality and range lookups the schema model answers for.
_SCHEMA_DDL = re.compile(
    r"(?:CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:UNIQUE|TEMP|TEMPORARY|UNLOGGED|GLOBAL|LOCAL)\s+)*(?:TABLE|INDEX)"
    r"|ALTER\s+(?:TABLE|INDEX)|DROP\s+(?:TABLE|INDEX))\b",
    re.IGNORECASE,
)
_LEADING_COMMENTS = re.compile(r"(?:\s+|--[^\n]*|/\*.*?\*/)*", re.DOTALL)
_TOKEN_REPR = re.compile(r"<Token token_type: [^,]*, text: (.*?), line: .*?>")


def parse_migration(path: str, text: str, dialect: str | None = None) -> Schema:
    """Read one migration file; a statement sqlglot cannot parse becomes an error and the rest still apply.

    ``dialect`` None tries PostgreSQL first, then SQLite and MySQL, per statement (MySQL first for statements
    with backquotes, which PostgreSQL would only read as an opaque command).
    """
    return apply_migrations([(path, text)], dialect)


def apply_migrations(paths_and_texts: list[tuple[str, str]], dialect: str | None = None) -> Schema:
    """Apply migration files in path order, numbers compared as numbers (``V2__x.sql`` before ``V10__x.sql``)."""
    schema = Schema()
    tables: Tables = {}
    for path, text in sorted(paths_and_texts, key=lambda item: _natural_key(item[0])):
        tables = _apply_file(tables, schema.errors, path, text, dialect)
    schema.tables = tables
    return schema


def _natural_key(path: str) -> list[object]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path)]


def _apply_file(tables: Tables, errors: list[tuple[str, str]], path: str, text: str, dialect: str | None) -> Tables:
    for line, statement_text in _statements(text, dialect):
        if not _SCHEMA_DDL.match(statement_text):
            continue
        parsed, used, error = _parse(statement_text, line, dialect)
        if parsed is None:
            errors.append((path, error))
            continue
        step = STATEMENTS.get(_statement_kind(parsed))
        if step is None:
            continue
        try:
            tables = step(tables, parsed, At(path, line, used))
        # sqlglot's trees differ across versions and dialects; an unexpected shape costs one statement.
        except (AttributeError, TypeError, ValueError) as failure:
            errors.append((path, f"line {line}: could not apply {_statement_kind(parsed)}: {failure}"))
    return tables


def _dialects(text: str, dialect: str | None) -> tuple[str, ...]:
    if dialect:
        return (dialect,)
    return ("mysql", "postgres", "sqlite") if "`" in text else ("postgres", "sqlite", "mysql")


def _statements(text: str, dialect: str | None) -> Iterator[tuple[int, str]]:
    """(first line, text) of each statement, split at semicolons that are not inside strings or comments."""
    for candidate in _dialects(text, dialect):
        try:
            tokens = Dialect.get_or_raise(candidate).tokenize(text)
        except SqlglotError:
            continue
        start = None
        for token in tokens:
            if token.token_type == TokenType.SEMICOLON:
                if start is not None:
                    yield start.line, text[start.start : token.start]
                start = None
            elif start is None:
                start = token
        if start is not None:
            yield start.line, text[start.start :]
        return
    # No dialect can tokenize the whole file (an unterminated quote, say): split at line-ending semicolons so
    # the damage stays in one statement.
    line = 1
    for chunk in re.split(r"(?<=;)[ \t]*\n", text):
        if chunk.strip():
            lead = _LEADING_COMMENTS.match(chunk).end()
            yield line + chunk.count("\n", 0, lead), chunk[lead:].rstrip().rstrip(";")
        line += chunk.count("\n") + 1


def _parse(text: str, line: int, dialect: str | None) -> tuple[exp.Expression | None, str, str]:
    """The first dialect that reads ``text`` as a real statement (not sqlglot's opaque Command) wins."""
    first_error = ""
    for candidate in _dialects(text, dialect):
        try:
            parsed = sqlglot.parse_one(text, read=candidate)
        except ParseError as error:
            detail = error.errors[0] if error.errors else {}
            description = _TOKEN_REPR.sub(_token_text, str(detail.get("description", error)))
            first_error = first_error or f"line {line + int(detail.get('line') or 1) - 1}: {description}"
            continue
        except SqlglotError as error:
            first_error = first_error or f"line {line}: {error}"
            continue
        if not isinstance(parsed, exp.Command):
            return parsed, candidate, ""
        first_error = first_error or f"line {line}: not understood as {candidate}: {' '.join(text.split())[:80]}"
    return None, "", first_error


def _token_text(match: re.Match[str]) -> str:
    """sqlglot names tokens by their repr; the message only needs the text, or where the statement ended."""
    return "the end of the statement" if match.group(1) == "SENTINEL" else repr(match.group(1))


def _statement_kind(statement: exp.Expression) -> str:
    """``CREATE UNIQUE INDEX ...`` -> ``"CREATE INDEX"``; ``ALTER TABLE ...`` -> ``"ALTER TABLE"``."""
    return f"{type(statement).__name__.upper()} {str(statement.args.get('kind') or '').upper()}"


def _name(node: exp.Expression | None) -> str:
    """``"public"."User"`` -> ``User``; a table inside ``Schema`` (``"User" ("id" ...)``) -> ``User``."""
    if isinstance(node, exp.Schema):
        node = node.this
    return node.name if node is not None else ""


def _find(tables: Tables, name: str) -> str | None:
    """The key for ``name``: exact, else case-insensitive (unquoted names fold case in SQL)."""
    if name in tables:
        return name
    return next((key for key in tables if key.lower() == name.lower()), None)


def _column_names(nodes: list[exp.Expression]) -> tuple[str, ...]:
    """``("a", "b" DESC)`` -> ``("a", "b")``; an expression such as ``lower(email)`` keeps its SQL text."""
    names = []
    for node in nodes:
        node = node.this if isinstance(node, exp.Ordered) else node
        names.append(node.name if isinstance(node, (exp.Identifier, exp.Column)) else node.sql())
    return tuple(names)


def _reference(table: Table, columns: tuple[str, ...], node: exp.Reference, name: str | None, at: At) -> Table:
    """``REFERENCES "User"("id")`` on ``columns``; ``REFERENCES users`` alone means its primary key, left empty."""
    target = node.this
    references = _column_names(target.expressions) if isinstance(target, exp.Schema) else ()
    fk = ForeignKey(columns, _name(target), references, at.line_of(node), name)
    return replace(table, foreign_keys=[*table.foreign_keys, fk])


def _index(table: Table, index: Index) -> Table:
    columns = table.columns
    if index.kind == "primary":  # primary key columns are NOT NULL whether or not the DDL says so
        columns = [replace(c, nullable=False) if c.name in index.columns else c for c in columns]
    return replace(table, columns=columns, indexes=[*table.indexes, index])


# Table constraints, in CREATE TABLE or ALTER TABLE ... ADD: each is (table, node, constraint name, at) -> table.


def primary_key(table: Table, node: exp.Expression, name: str | None, at: At) -> Table:
    """``CONSTRAINT "User_pkey" PRIMARY KEY ("id")`` -> primary index (id) named User_pkey."""
    return _index(table, Index(_column_names(node.expressions), "primary", name, at.line_of(node)))


def unique_key(table: Table, node: exp.Expression, name: str | None, at: At) -> Table:
    """``UNIQUE (a, b)`` or MySQL ``UNIQUE INDEX `User_email_key`(`email`)`` -> unique index."""
    columns = node.this
    if isinstance(columns, exp.Schema):
        name = name or (columns.this.name if columns.this else None)
    return _index(table, Index(_column_names(columns.expressions), "unique", name, at.line_of(node)))


def plain_index(table: Table, node: exp.Expression, name: str | None, at: At) -> Table:
    """MySQL ``INDEX `Post_authorId_idx`(`authorId`)`` / ``KEY k (a)`` -> index; FULLTEXT and SPATIAL are skipped."""
    if node.args.get("kind"):
        return table
    name = name or (node.this.name if node.this else None)
    return _index(table, Index(_column_names(node.expressions), "index", name, at.line_of(node)))


def foreign_key(table: Table, node: exp.Expression, name: str | None, at: At) -> Table:
    """``CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id")`` -> foreign key."""
    return _reference(table, _column_names(node.expressions), node.args["reference"], name, at)


TABLE_CONSTRAINTS: dict[type[exp.Expression], Callable[[Table, exp.Expression, str | None, At], Table]] = {
    exp.PrimaryKey: primary_key,
    exp.UniqueColumnConstraint: unique_key,
    exp.IndexColumnConstraint: plain_index,
    exp.ForeignKey: foreign_key,
}


def _table_element(table: Table, node: exp.Expression, at: At) -> Table:
    """One entry of ``CREATE TABLE (...)`` or ``ADD ...``: a column, or a (possibly named) table constraint."""
    if isinstance(node, exp.ColumnDef):
        return _column(table, node, at)
    name = None
    parts = [node]
    if isinstance(node, exp.Constraint):
        name, parts = node.name, node.expressions
    for part in parts:
        rule = TABLE_CONSTRAINTS.get(type(part))
        if rule is not None:
            table = rule(table, part, name, at)
    return table


def _column(table: Table, node: exp.ColumnDef, at: At) -> Table:
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
            table = _set_column(table, column.name, nullable=bool(rule.args.get("allow_null")))
        elif isinstance(rule, exp.PrimaryKeyColumnConstraint):
            table = _index(table, Index((column.name,), "primary", name, column.line))
        elif isinstance(rule, exp.UniqueColumnConstraint):
            table = _index(table, Index((column.name,), "unique", name, column.line))
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


def _set_column(table: Table, name: str, **changes: object) -> Table:
    return replace(table, columns=[replace(c, **changes) if c.name == name else c for c in table.columns])


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
    return {**tables, key: _column(tables[key], action, at)}


def add_constraint(tables: Tables, key: str, action: exp.AddConstraint, at: At) -> Tables:
    """``ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id")``."""
    table = tables[key]
    for element in action.expressions:
        table = _table_element(table, element, at)
    return {**tables, key: table}


def drop_part(tables: Tables, key: str, action: exp.Drop, at: At) -> Tables:
    """``DROP COLUMN "x"``, ``DROP CONSTRAINT "User_pkey"``, MySQL ``DROP INDEX `i``` / ``DROP FOREIGN KEY `f```."""
    names = {_name(node) for node in action.args.get("tables") or []}
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
        table = _set_column(table, action.name, nullable=bool(action.args["allow_null"]))
    if action.args.get("dtype"):
        table = _set_column(table, action.name, type=action.args["dtype"].sql(dialect=at.dialect))
    return {**tables, key: table}


def modify_column(tables: Tables, key: str, action: exp.ModifyColumn, at: At) -> Tables:
    """MySQL ``MODIFY `a` INT NOT NULL`` and ``CHANGE `a` `b` INT`` (a rename, then the new definition)."""
    table = tables[key]
    old = action.args.get("rename_from")
    if old is not None:
        table = _rename_column(table, old.name, action.this.name)
    return {**tables, key: _column(table, action.this, at)}


def rename_column(tables: Tables, key: str, action: exp.RenameColumn, at: At) -> Tables:
    """``RENAME COLUMN "a" TO "b"``: the column and the indexes and foreign keys over it."""
    return {**tables, key: _rename_column(tables[key], action.this.name, action.args["to"].name)}


def rename_table(tables: Tables, key: str, action: exp.AlterRename, at: At) -> Tables:
    """``ALTER TABLE "new_Post" RENAME TO "Post"`` (SQLite's redefine); foreign keys elsewhere follow the name."""
    new = _name(action.this)
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
    name = _name(statement.this)
    if statement.args.get("exists") and _find(tables, name):
        return tables
    table = Table(name=name, path=at.path, line=at.line)
    if isinstance(statement.this, exp.Schema):
        for element in statement.this.expressions:
            table = _table_element(table, element, at)
    return {**tables, name: table}


def create_index(tables: Tables, statement: exp.Create, at: At) -> Tables:
    """``CREATE UNIQUE INDEX "User_email_key" ON "User"("email")`` -> unique index (email) on User."""
    index = statement.this
    params = index.args.get("params")
    columns = _column_names(params.args.get("columns") or []) if params else ()
    key = _find(tables, _name(index.args.get("table")))
    table = tables[key] if key else Table(name=_name(index.args.get("table")), path=at.path, line=at.line)
    kind = "unique" if statement.args.get("unique") else "index"
    return {**tables, table.name: _index(table, Index(columns, kind, index.name or None, at.line))}


def drop_table(tables: Tables, statement: exp.Drop, at: At) -> Tables:
    """``DROP TABLE "Post"`` removes the table (foreign keys pointing at it stay, as SQLite's redefine needs)."""
    dropped = {_find(tables, _name(node)) for node in statement.args.get("tables") or []}
    return {key: table for key, table in tables.items() if key not in dropped}


def drop_index(tables: Tables, statement: exp.Drop, at: At) -> Tables:
    """``DROP INDEX "User_email_key"`` (PostgreSQL, any table) or ``DROP INDEX `i` ON `Post``` (MySQL)."""
    names = {_name(node) for node in statement.args.get("tables") or []}
    on = statement.args.get("cluster")
    only = _find(tables, _name(on.this)) if isinstance(on, exp.OnProperty) else None
    return {
        key: replace(table, indexes=[i for i in table.indexes if i.name not in names]) if only in (None, key) else table
        for key, table in tables.items()
    }


def rename_index(tables: Tables, statement: exp.Alter, at: At) -> Tables:
    """PostgreSQL ``ALTER INDEX "a" RENAME TO "b"``."""
    old = _name(statement.this)
    new = next((_name(a.this) for a in statement.actions if isinstance(a, exp.AlterRename)), old)
    return {key: _renamed_index(table, old, new) for key, table in tables.items()}


def _renamed_index(table: Table, old: str, new: str) -> Table:
    return replace(table, indexes=[replace(i, name=new) if i.name == old else i for i in table.indexes])


def alter_table(tables: Tables, statement: exp.Alter, at: At) -> Tables:
    """``ALTER TABLE "Post" ADD CONSTRAINT ..., DROP COLUMN "x"``: each action in order, see ``ALTER_ACTIONS``."""
    name = _name(statement.this)
    key = _find(tables, name)
    if key is None:  # a partial migration history: the table was created before the first file we have
        key, tables = name, {**tables, name: Table(name=name, path=at.path, line=at.line)}
    for action in statement.actions:
        rule = ALTER_ACTIONS.get(type(action))
        if rule is not None:
            tables = rule(tables, key, action, at)
            key = _name(action.this) if isinstance(action, exp.AlterRename) else key
    return tables


STATEMENTS: dict[str, Step] = {
    "CREATE TABLE": create_table,
    "CREATE INDEX": create_index,
    "ALTER TABLE": alter_table,
    "ALTER INDEX": rename_index,
    "DROP TABLE": drop_table,
    "DROP INDEX": drop_index,
}
