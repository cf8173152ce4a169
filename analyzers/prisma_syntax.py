"""schema.prisma text -> ``keyword Name { ... }`` blocks of statements (logical lines of tokens), and the cursor
that reads a statement's type, attributes and their arguments."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

_BLOCK_KEYWORDS = frozenset({"model", "view", "enum", "datasource", "generator", "type"})

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
class Token:
    kind: str  # nl, str, attr, name, num, bad, or the punctuation character itself
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Call:
    """``now()``, ``b(sort: Desc)``, ``dbgenerated("...")``: a name applied to arguments."""

    name: str
    args: tuple[object, ...]
    kwargs: dict[str, object]


@dataclass(slots=True)
class Block:
    keyword: str
    name: str
    line: int
    statements: list[list[Token]] = field(default_factory=list)


class Malformed(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(f"line {line}: {message}")


def tokenize(text: str) -> list[Token]:
    tokens = []
    line = 1
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "bad"
        if kind == "nl":
            tokens.append(Token("nl", "\n", line))
            line += 1
        elif kind == "punct":
            tokens.append(Token(match.group(), match.group(), line))
        elif kind != "space":
            tokens.append(Token(kind, match.group(), line))
    return tokens


def _is_block_header(tokens: list[Token], i: int) -> bool:
    """``model User {`` at ``tokens[i]``."""
    return (
        i + 2 < len(tokens)
        and tokens[i].kind == "name"
        and tokens[i].text in _BLOCK_KEYWORDS
        and tokens[i + 1].kind == "name"
        and tokens[i + 2].kind == "{"
    )


def _starts_statement(tokens: list[Token], i: int) -> bool:
    """A field (``name Type``), a block attribute, the end of the block, or a new block starts at ``tokens[i]``."""
    if i >= len(tokens):
        return True
    token = tokens[i]
    if token.kind == "}" or token.kind == "attr" and token.text.startswith("@@"):
        return True
    return token.kind == "name" and i + 1 < len(tokens) and tokens[i + 1].kind == "name"


def blocks(tokens: list[Token], errors: list[str]) -> Iterator[Block]:
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
        block = Block(token.text, tokens[i + 1].text if known else "", token.line)
        i, closed = _read_body(tokens, header_end + 1, block)
        if not closed:
            errors.append(f"line {block.line}: {block.keyword} {block.name} is not closed with '}}'")
        if known:
            yield block


def _read_body(tokens: list[Token], i: int, block: Block) -> tuple[int, bool]:
    """Collect the block's statements (logical lines) from ``tokens[i]``; return where it ended and if ``}`` closed it.

    A statement continues over newlines while a bracket is open (a multi-line ``@@index([...])``) unless the next
    line starts a statement of its own, so one unbalanced bracket costs one statement, not the rest of the model.
    """
    statement: list[Token] = []
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


class Cursor:
    """Reads one statement's tokens left to right; every malformed spot raises ``Malformed``."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    def at(self, kind: str, ahead: int = 0) -> bool:
        i = self.pos + ahead
        return i < len(self.tokens) and self.tokens[i].kind == kind

    def done(self) -> bool:
        return self.pos >= len(self.tokens)

    def take(self, kind: str | None = None) -> Token:
        if self.done():
            raise Malformed(f"line ends early, after {self.tokens[-1].text!r}", self.tokens[-1].line)
        token = self.tokens[self.pos]
        if kind is not None and token.kind != kind:
            raise Malformed(f"expected {kind!r}, found {token.text!r}", token.line)
        self.pos += 1
        return token

    def accept(self, kind: str) -> bool:
        if self.at(kind):
            self.pos += 1
            return True
        return False


# Deeper nesting than any real attribute has; the limit keeps hostile input from exhausting the stack.
_MAX_NESTING = 16


def arguments(cursor: Cursor, depth: int = 0) -> tuple[tuple[object, ...], dict[str, object]]:
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


def _value(cursor: Cursor, depth: int) -> object:
    """A string (unquoted), a number or name (as text), a list, or a ``Call``."""
    token = cursor.take()
    if depth > _MAX_NESTING:
        raise Malformed("arguments nested too deeply", token.line)
    if token.kind == "str":
        return token.text[1:-1].replace('\\"', '"')
    if token.kind == "num":
        return token.text
    if token.text == '"':
        raise Malformed("unterminated string", token.line)
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
            return Call(token.text, *arguments(cursor, depth))
        return token.text
    raise Malformed(f"unexpected {token.text!r}", token.line)


def attributes(cursor: Cursor) -> Iterator[tuple[Token, Call]]:
    """The ``@attr(...)`` / ``@@attr(...)`` sequence that ends a statement."""
    while not cursor.done():
        token = cursor.take("attr")
        args, kwargs = arguments(cursor) if cursor.at("(") else ((), {})
        yield token, Call(token.text, args, kwargs)
