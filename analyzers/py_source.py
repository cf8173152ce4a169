"""Source text for the Python front-end: decoding, spans and text slices of ``ast`` nodes, call chains."""

from __future__ import annotations

import ast
import codecs
import io
import tokenize
from itertools import accumulate
from typing import Any

from analyzers.facts import Span

TEXT_LIMIT = 200


def decode_source(source: bytes) -> tuple[str, bytes]:
    """Decode as Python does (BOM, PEP 263 cookie, else UTF-8); return the text and its UTF-8 bytes.

    ``ast`` reports columns in UTF-8 bytes of the decoded text, so spans and slices index the UTF-8 form:
    the file's own bytes unless it declares another encoding. Raises ``SyntaxError`` for a bad or unknown
    encoding declaration and ``UnicodeDecodeError`` for undecodable bytes.
    """
    encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    text = source.decode(encoding)
    if encoding in ("utf-8", "utf-8-sig"):
        return text, source
    return text, text.encode("utf-8")


class SourceMap:
    """UTF-8 source plus the byte offset of each line start, to turn ``ast`` positions into spans and text."""

    __slots__ = ("data", "lines", "starts")

    def __init__(self, data: bytes) -> None:
        self.data = data
        # bytes.splitlines breaks at \n, \r\n and \r only: the same line ends the tokenizer counts
        lengths = [len(line) for line in data.splitlines(keepends=True)]
        self.lines = len(lengths)
        self.starts = [0, *accumulate(lengths)]
        if data.startswith(codecs.BOM_UTF8):
            self.starts[0] = len(codecs.BOM_UTF8)  # ast columns on the first line do not count the BOM

    def span(self, node: Any) -> Span:
        starts = self.starts
        line, col = node.lineno, node.col_offset
        end_line, end_col = node.end_lineno, node.end_col_offset
        return Span(line, col + 1, end_line, end_col + 1, starts[line - 1] + col, starts[end_line - 1] + end_col)

    def text(self, node: Any, limit: int = TEXT_LIMIT) -> str:
        """Source text of ``node``, cut to ``limit`` characters."""
        starts = self.starts
        start = starts[node.lineno - 1] + node.col_offset
        end = starts[node.end_lineno - 1] + node.end_col_offset
        # a character is at most 4 UTF-8 bytes, so this cut keeps ``limit`` characters without decoding
        # a huge literal; "ignore" drops a character split by the cut
        end = min(end, start + 4 * limit)
        return self.data[start:end].decode("utf-8", "ignore")[:limit]

    def one_line(self, node: ast.AST, limit: int = TEXT_LIMIT) -> str:
        """Source text of ``node`` with runs of whitespace (line breaks included) collapsed to one space."""
        text = self.text(node, limit)
        return " ".join(text.split()) if "\n" in text else text


def call_chain(node: Any) -> tuple[str, ...]:
    """``self.session.query(User).filter(x).all`` -> ``("self", "session", "query()", "filter()", "all")``.

    A subscript adds ``"?"`` after its base; any other base (a literal, an operator expression, a lambda)
    becomes a leading ``"?"``.
    """
    parts: list[str] = []
    called = False
    while True:
        kind = type(node)
        if kind is ast.Attribute:
            parts.append(node.attr + "()" if called else node.attr)
            called = False
            node = node.value
        elif kind is ast.Call:
            called = True
            node = node.func
        elif kind is ast.Name:
            parts.append(node.id + "()" if called else node.id)
            break
        elif kind is ast.Subscript:
            parts.append("?")
            called = False
            node = node.value
        else:
            parts.append("?")
            break
    parts.reverse()
    return tuple(parts)


def callee_text(func: ast.expr, chain: tuple[str, ...], source: SourceMap) -> str:
    """The chain joined with dots (arguments of inner calls dropped); the source text when a part is complex."""
    return source.one_line(func) if "?" in chain else ".".join(chain)


def annotation_type(node: ast.expr, source: SourceMap) -> str:
    """The type an annotation names: ``Optional[Repo]``, ``Repo | None`` and ``"Repo"`` all give ``Repo``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.strip()
    if isinstance(node, ast.Subscript) and call_chain(node.value)[-1] == "Optional":
        return annotation_type(node.slice, source)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = node.left, node.right
        if isinstance(right, ast.Constant) and right.value is None:
            return annotation_type(left, source)
        if isinstance(left, ast.Constant) and left.value is None:
            return annotation_type(right, source)
    return source.one_line(node)
