"""schema.prisma -> the schema model: models become tables with columns, keys, indexes and relations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from analyzers.schema import Column, ForeignKey, Index, Relation, Schema, Table

_BLOCK_KEYWORDS = frozenset({"model", "view", "enum", "datasource", "generator", "type"})
_TABLE_BLOCKS = frozenset({"model", "view"})
_SCALARS = frozenset({"String", "Boolean", "Int", "BigInt", "Float", "Decimal", "DateTime", "Json", "Bytes"})

# `//` comments (and `///` doc comments) are whitespace; strings come first so "http://x" stays one string.
_TOKEN = re.compile(
    r"""(?P<space>[ \t\r\f\v]+|//[^\n]*)
      |(?P<nl>\n)
      |(?P<str>"(?:[^"\\\n]|\\.)*")
      |(?P<attr>@@?[A-Za-z_][\w.]*)
      |(?P<name>[A-Za-z_]\w*)
      |(?P<num>-?\d+(?:\.\d+)?)
      |(?P<punct>[{}()\[\],:?=])
      |(?P<bad>.)""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # nl, str, attr, name, num, bad, or the punctuation character itself
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class _Call:
    """``now()``, ``b(sort: Desc)``, ``dbgenerated("...")``: a name applied to arguments."""

    name: str
    args: tuple[object, ...]
    kwargs: dict[str, object]


@dataclass(slots=True)
class _Block:
    keyword: str
    name: str
    line: int
    statements: list[list[_Token]] = field(default_factory=list)


class _Malformed(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(f"line {line}: {message}")


def parse_prisma(path: str, text: str) -> Schema:
    """Read one .prisma file; malformed blocks and lines become ``Schema.errors`` entries and are skipped.

    ``model User { id Int @id  posts Post[] }`` gives table ``User`` with column ``id`` (primary key) and a
    list relation ``posts`` to ``Post``.
    """
    schema = Schema()
    errors: list[str] = []
    models: set[str] = set()
    for block in _blocks(_tokenize(text.lstrip("\ufeff")), errors):
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


def _tokenize(text: str) -> list[_Token]:
    tokens = []
    line = 1
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "bad"
        if kind == "nl":
            tokens.append(_Token("nl", "\n", line))
            line += 1
        elif kind == "punct":
            tokens.append(_Token(match.group(), match.group(), line))
        elif kind != "space":
            tokens.append(_Token(kind, match.group(), line))
    return tokens


def _is_block_header(tokens: list[_Token], i: int) -> bool:
    """``model User {`` at ``tokens[i]``."""
    return (
        i + 2 < len(tokens)
        and tokens[i].kind == "name"
        and tokens[i].text in _BLOCK_KEYWORDS
        and tokens[i + 1].kind == "name"
        and tokens[i + 2].kind == "{"
    )


def _starts_statement(tokens: list[_Token], i: int) -> bool:
    """A field (``name Type``), a block attribute, the end of the block, or a new block starts at ``tokens[i]``."""
    if i >= len(tokens):
        return True
    token = tokens[i]
    if token.kind == "}" or token.kind == "attr" and token.text.startswith("@@"):
        return True
    return token.kind == "name" and i + 1 < len(tokens) and tokens[i + 1].kind == "name"


def _blocks(tokens: list[_Token], errors: list[str]) -> Iterator[_Block]:
    """Split the token stream into ``keyword Name { ... }`` blocks; unknown top-level text is an error."""
    i, n = 0, len(tokens)
    while i < n:
        token = tokens[i]
        if token.kind == "nl":
            i += 1
            continue
        known = _is_block_header(tokens, i)
        header_end = i
        while header_end < n and tokens[header_end].kind not in ("nl", "{"):
            header_end += 1
        if not known:
            errors.append(f"line {token.line}: expected a block such as 'model Name {{', found {token.text!r}")
            if header_end >= n or tokens[header_end].kind != "{":
                i = header_end
                continue
        block = _Block(token.text, tokens[i + 1].text if known else "", token.line)
        i, closed = _read_body(tokens, header_end + 1, block)
        if not closed:
            errors.append(f"line {block.line}: {block.keyword} {block.name} is not closed with '}}'")
        if known:
            yield block


def _read_body(tokens: list[_Token], i: int, block: _Block) -> tuple[int, bool]:
    """Collect the block's statements (logical lines) from ``tokens[i]``; return where it ended and if ``}`` closed it.

    A statement continues over newlines while a bracket is open (a multi-line ``@@index([...])``) unless the next
    line starts a statement of its own, so one unbalanced bracket costs one statement, not the rest of the model.
    """
    statement: list[_Token] = []
    depth = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind == "}":
            if statement:
                block.statements.append(statement)
            return i + 1, True
        if token.kind == "nl":
            i += 1
            if depth == 0 or _starts_statement(tokens, i):
                if statement:
                    block.statements.append(statement)
                statement, depth = [], 0
            continue
        if not statement and _is_block_header(tokens, i):
            break
        if token.kind in ("(", "["):
            depth += 1
        elif token.kind in (")", "]"):
            depth = max(depth - 1, 0)
        statement.append(token)
        i += 1
    if statement:
        block.statements.append(statement)
    return i, False


class _Cursor:
    """Reads one statement's tokens left to right; every malformed spot raises ``_Malformed``."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    def at(self, kind: str, ahead: int = 0) -> bool:
        i = self.pos + ahead
        return i < len(self.tokens) and self.tokens[i].kind == kind

    def done(self) -> bool:
        return self.pos >= len(self.tokens)

    def take(self, kind: str | None = None) -> _Token:
        if self.done():
            raise _Malformed(f"line ends early, after {self.tokens[-1].text!r}", self.tokens[-1].line)
        token = self.tokens[self.pos]
        if kind is not None and token.kind != kind:
            raise _Malformed(f"expected {kind!r}, found {token.text!r}", token.line)
        self.pos += 1
        return token

    def accept(self, kind: str) -> bool:
        if self.at(kind):
            self.pos += 1
            return True
        return False


# Deeper nesting than any real attribute has; the limit keeps hostile input from exhausting the stack.
_MAX_NESTING = 16


def _arguments(cursor: _Cursor, depth: int = 0) -> tuple[tuple[object, ...], dict[str, object]]:
    """``(fields: [a, b(sort: Desc)], map: "x")`` -> positional and keyword values; the cursor is on ``(``."""
    args: list[object] = []
    kwargs: dict[str, object] = {}
    cursor.take("(")
    while not cursor.accept(")"):
        if cursor.at("name") and cursor.at(":", ahead=1):
            key = cursor.take().text
            cursor.take(":")
            kwargs[key] = _value(cursor, depth + 1)
        else:
            args.append(_value(cursor, depth + 1))
        if not cursor.accept(","):
            cursor.take(")")
            break
    return tuple(args), kwargs


def _value(cursor: _Cursor, depth: int) -> object:
    """A string (unquoted), a number or name (as text), a list, or a ``_Call``."""
    token = cursor.take()
    if depth > _MAX_NESTING:
        raise _Malformed("arguments nested too deeply", token.line)
    if token.kind == "str":
        return token.text[1:-1].replace('\\"', '"')
    if token.kind == "num":
        return token.text
    if token.text == '"':
        raise _Malformed("unterminated string", token.line)
    if token.kind == "[":
        items: list[object] = []
        while not cursor.accept("]"):
            items.append(_value(cursor, depth + 1))
            if not cursor.accept(","):
                cursor.take("]")
                break
        return items
    if token.kind == "name":
        if cursor.at("("):
            return _Call(token.text, *_arguments(cursor, depth))
        return token.text
    raise _Malformed(f"unexpected {token.text!r}", token.line)


def _attributes(cursor: _Cursor) -> Iterator[tuple[_Token, _Call]]:
    """The ``@attr(...)`` / ``@@attr(...)`` sequence that ends a statement."""
    while not cursor.done():
        token = cursor.take("attr")
        args, kwargs = _arguments(cursor) if cursor.at("(") else ((), {})
        yield token, _Call(token.text, args, kwargs)


def _names(value: object, what: str, line: int) -> tuple[str, ...]:
    """``[a, b(sort: Desc)]`` -> ``("a", "b")``."""
    if not isinstance(value, list) or not value:
        raise _Malformed(f"{what} needs a list of fields", line)
    names = tuple(item.name if isinstance(item, _Call) else item for item in value)
    if not all(isinstance(name, str) for name in names):
        raise _Malformed(f"{what} lists something that is not a field name", line)
    return names


def _string_arg(call: _Call, key: str) -> str | None:
    """``@map("x")`` or ``@map(name: "x")``."""
    value = call.kwargs.get(key, call.args[0] if call.args else None)
    return value if isinstance(value, str) else None


def _kwarg_str(call: _Call, key: str) -> str | None:
    value = call.kwargs.get(key)
    return value if isinstance(value, str) else None


@dataclass(slots=True)
class _Model:
    """What one model block says, in Prisma field names; ``_table`` maps it to database names."""

    table_name: str
    columns: list[Column] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    indexes: list[tuple[tuple[str, ...], str, str | None, int]] = field(default_factory=list)


def _table(path: str, block: _Block, errors: list[str]) -> Table:
    model = _Model(block.name)
    for statement in block.statements:
        try:
            if statement[0].kind == "attr" and statement[0].text.startswith("@@"):
                _block_attributes(model, statement)
            else:
                _field(model, statement)
        except _Malformed as error:
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


def _block_attributes(model: _Model, statement: list[_Token]) -> None:
    """``@@id``, ``@@unique``, ``@@index``, ``@@map``; ``@@schema``, ``@@fulltext``, ``@@ignore`` change no lookup."""
    for token, call in _attributes(_Cursor(statement)):
        kind = {"@@id": "primary", "@@unique": "unique", "@@index": "index"}.get(token.text)
        if kind is not None:
            name = _kwarg_str(call, "map") or _kwarg_str(call, "name")
            fields = call.kwargs.get("fields", call.args[0] if call.args else None)
            model.indexes.append((_names(fields, token.text, token.line), kind, name, token.line))
        elif token.text == "@@map":
            table_name = _string_arg(call, "name")
            if not table_name:
                raise _Malformed("@@map needs a table name string", token.line)
            model.table_name = table_name


def _field(model: _Model, statement: list[_Token]) -> None:
    """``authorId Int? @map("author_id")`` or ``author User @relation(fields: [authorId], references: [id])``."""
    cursor = _Cursor(statement)
    name = cursor.take("name")
    if not cursor.at("name"):
        raise _Malformed(f"field {name.text!r} has no type", name.line)
    type_text = cursor.take().text
    if cursor.at("("):  # Unsupported("circle")
        start = cursor.pos
        _arguments(cursor)
        type_text += "".join(token.text for token in statement[start : cursor.pos])
    is_list = cursor.accept("[")
    if is_list:
        cursor.take("]")
    nullable = cursor.accept("?")
    column_name = name.text
    relation: _Call | None = None
    keys: list[tuple[str, str | None]] = []
    for attr, call in _attributes(cursor):
        if attr.text == "@map":
            column_name = _string_arg(call, "name") or column_name
        elif attr.text == "@relation":
            relation = call
        elif attr.text in ("@id", "@unique"):
            keys.append(("primary" if attr.text == "@id" else "unique", _kwarg_str(call, "map")))
    if relation is not None and type_text not in _SCALARS:
        model.relations.append(
            Relation(
                field=name.text,
                target=type_text,
                is_list=is_list,
                fields=_optional_names(relation, "fields", name.line),
                references=_optional_names(relation, "references", name.line),
                line=name.line,
            )
        )
        return
    if relation is not None:
        raise _Malformed(f"@relation on scalar field {name.text!r}", name.line)
    model.columns.append(Column(column_name, name.text, type_text, nullable, is_list, name.line))
    model.indexes.extend(((name.text,), kind, index_name, name.line) for kind, index_name in keys)


def _optional_names(relation: _Call, key: str, line: int) -> tuple[str, ...]:
    """``fields:`` / ``references:`` of ``@relation``; the back side of a relation has neither."""
    return _names(relation.kwargs[key], f"@relation {key}", line) if key in relation.kwargs else ()
