"""schema.prisma -> the schema model: models become tables with columns, keys, indexes and relations."""

from __future__ import annotations

from dataclasses import dataclass, field

from analyzers.prisma_syntax import Block, Call, Cursor, Malformed, Token, arguments, attributes, blocks, tokenize
from analyzers.schema import Column, ForeignKey, Index, Relation, Schema, Table

_TABLE_BLOCKS = frozenset({"model", "view"})
SCALARS = frozenset({"String", "Boolean", "Int", "BigInt", "Float", "Decimal", "DateTime", "Json", "Bytes"})


def parse_prisma(path: str, text: str) -> Schema:
    """Read one .prisma file; malformed blocks and lines become ``Schema.errors`` entries and are skipped.

    ``model User { id Int @id  posts Post[] }`` gives table ``User`` with column ``id`` (primary key) and a
    list relation ``posts`` to ``Post``.
    """
    schema = Schema()
    errors: list[str] = []
    models: set[str] = set()
    for block in blocks(tokenize(text.lstrip("\ufeff")), errors):
        if block.keyword == "datasource":
            schema.provider = _setting(block, "provider")
        if block.keyword not in _TABLE_BLOCKS:
            continue
        table = _table(path, block, errors)
        if block.name in models or table.name in schema.tables:
            errors.append(f"line {block.line}: {block.keyword} {block.name} repeats a model or table name")
            continue
        models.add(block.name)
        schema.tables[table.name] = table
    schema.errors.extend((path, message) for message in errors)
    resolve_references(schema)
    return schema


def resolve_references(schema: Schema) -> None:
    """Link Prisma relations across all models known to ``schema``; call again after ``Schema.merge``.

    A field typed with a model from another file (``posts Post[]``) is read as a column until that model is
    known; here it becomes a relation, and ``@relation(fields, references)`` become foreign keys on the target's
    table name with database column names on both sides.
    """
    models = {table.model: table for table in schema.tables.values() if table.model}
    for table in models.values():
        stray = [col for col in table.columns if col.type in models]
        table.columns = [col for col in table.columns if col not in stray]
        table.relations.extend(Relation(col.field, col.type, col.is_list, line=col.line) for col in stray)
        for relation in table.relations:
            target = models.get(relation.target)
            if target is None or not relation.fields:
                continue
            fk = ForeignKey(
                columns=_column_names(table, relation.fields),
                references_table=target.name,
                references_columns=_column_names(target, relation.references),
                line=relation.line,
            )
            if fk not in table.foreign_keys:
                table.foreign_keys.append(fk)


def _column_names(table: Table, fields: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(col.name if (col := table.column(name)) else name for name in fields)


def _setting(block: Block, key: str) -> str | None:
    """``provider = "postgresql"`` in a datasource block; ``env("X")`` or a missing key gives None."""
    for statement in block.statements:
        if len(statement) == 3 and statement[0].text == key and statement[1].kind == "=" and statement[2].kind == "str":
            return statement[2].text[1:-1]
    return None


def _names(value: object, what: str, line: int) -> tuple[str, ...]:
    """``[a, b(sort: Desc)]`` -> ``("a", "b")``; Prisma also takes a single bare field (``@@index(a)``)."""
    if isinstance(value, (str, Call)):
        value = [value]
    if not isinstance(value, list) or not value:
        raise Malformed(f"{what} needs a list of fields", line)
    names = tuple(item.name if isinstance(item, Call) else item for item in value)
    if not all(isinstance(name, str) for name in names):
        raise Malformed(f"{what} lists something that is not a field name", line)
    return names


def _string_arg(call: Call, key: str) -> str | None:
    """``@map("x")`` or ``@map(name: "x")``."""
    value = call.kwargs.get(key, call.args[0] if call.args else None)
    return value if isinstance(value, str) else None


def _kwarg_str(call: Call, key: str) -> str | None:
    value = call.kwargs.get(key)
    return value if isinstance(value, str) else None


@dataclass(slots=True)
class _Model:
    """What one model block says, in Prisma field names; ``_table`` maps it to database names."""

    table_name: str
    columns: list[Column] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    indexes: list[tuple[tuple[str, ...], str, str | None, int]] = field(default_factory=list)


def _table(path: str, block: Block, errors: list[str]) -> Table:
    model = _Model(block.name)
    for statement in block.statements:
        try:
            if statement[0].kind == "attr" and statement[0].text.startswith("@@"):
                _block_attributes(model, statement)
            else:
                _field(model, statement)
        except Malformed as error:
            errors.append(str(error))
    fields = {col.field: col.name for col in model.columns}
    seen: set[str] = set()
    for col in model.columns:
        if col.field in seen:
            errors.append(f"line {col.line}: field {col.field!r} is defined twice in {block.name}")
        seen.add(col.field)
    indexes = []
    for names, kind, name, line in model.indexes:
        unknown = [n for n in names if n not in fields]
        if unknown:
            errors.append(f"line {line}: {kind} index names unknown field(s) {', '.join(unknown)} in {block.name}")
        indexes.append(Index(tuple(fields.get(n, n) for n in names), kind, name, line))
    return Table(
        name=model.table_name,
        model=block.name,
        path=path,
        line=block.line,
        columns=model.columns,
        indexes=indexes,
        relations=model.relations,
    )


def _block_attributes(model: _Model, statement: list[Token]) -> None:
    """``@@id``, ``@@unique``, ``@@index``, ``@@map``; ``@@schema``, ``@@fulltext``, ``@@ignore`` change no lookup."""
    for token, call in attributes(Cursor(statement)):
        kind = {"@@id": "primary", "@@unique": "unique", "@@index": "index"}.get(token.text)
        if kind is not None:
            name = _kwarg_str(call, "map") or _kwarg_str(call, "name")
            fields = call.kwargs.get("fields", call.args[0] if call.args else None)
            model.indexes.append((_names(fields, token.text, token.line), kind, name, token.line))
        elif token.text == "@@map":
            table_name = _string_arg(call, "name")
            if not table_name:
                raise Malformed("@@map needs a table name string", token.line)
            model.table_name = table_name


def _field(model: _Model, statement: list[Token]) -> None:
    """``authorId Int? @map("author_id")`` or ``author User @relation(fields: [authorId], references: [id])``."""
    cursor = Cursor(statement)
    name = cursor.take("name")
    if not cursor.at("name"):
        raise Malformed(f"field {name.text!r} has no type", name.line)
    type_text = cursor.take().text
    if cursor.at("("):  # Unsupported("circle")
        start = cursor.pos
        arguments(cursor)
        type_text += "".join(token.text for token in statement[start : cursor.pos])
    is_list = cursor.accept("[")
    if is_list:
        cursor.take("]")
    nullable = cursor.accept("?")
    column_name = name.text
    relation: Call | None = None
    native = ""
    keys: list[tuple[str, str | None]] = []
    for attr, call in attributes(cursor):
        if attr.text == "@map":
            column_name = _string_arg(call, "name") or column_name
        elif attr.text == "@relation":
            relation = call
        elif attr.text.startswith("@db."):
            native = attr.text[4:]
        elif attr.text in ("@id", "@unique"):
            keys.append(("primary" if attr.text == "@id" else "unique", _kwarg_str(call, "map")))
    if relation is not None and type_text not in SCALARS:
        model.relations.append(
            Relation(
                field=name.text,
                target=type_text,
                is_list=is_list,
                fields=_optional_names(relation, "fields", name.line),
                references=_optional_names(relation, "references", name.line),
                line=name.line,
                name=_string_arg(relation, "name"),
            )
        )
        return
    if relation is not None:
        raise Malformed(f"@relation on scalar field {name.text!r}", name.line)
    model.columns.append(Column(column_name, name.text, type_text, nullable, is_list, name.line, native))
    model.indexes.extend(((name.text,), kind, index_name, name.line) for kind, index_name in keys)


def _optional_names(relation: Call, key: str, line: int) -> tuple[str, ...]:
    """``fields:`` / ``references:`` of ``@relation``; the back side of a relation has neither."""
    return _names(relation.kwargs[key], f"@relation {key}", line) if key in relation.kwargs else ()
