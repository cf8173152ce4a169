"""Source text for the Python front-end: decoding, spans and text slices of ``ast`` nodes, call chains."""

from __future__ import annotations

import ast
import codecs
import io
import tokenize
from itertools import accumulate
from typing import Any

from analyzers.facts import Binding, Span

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


# typing names of containers whose elements a subscript or ``.get()`` reads: mappings give their value type
_MAPPINGS = frozenset({"Dict", "dict", "Mapping", "MutableMapping", "DefaultDict", "defaultdict", "OrderedDict"})
_SEQUENCES = frozenset({"List", "list", "Sequence", "MutableSequence", "Deque", "deque"})
_TUPLES = frozenset({"Tuple", "tuple"})  # only ``Tuple[X, ...]``: the elements of ``Tuple[A, B]`` differ


def typed_binding(name: str, annotation: ast.expr, line: int, scope: str | None, source: SourceMap) -> Binding:
    """The binding an annotation gives ``name``: ``param_type`` of the class it names, or ``items`` of the element
    class of a typed container (``Dict[str, Model]``, ``list[Model]``: the value is ``Model``)."""
    element = _element_type(_unwrapped(annotation))
    if element is not None:
        return Binding(name, annotation_type(element, source), "items", line, scope)
    return Binding(name, annotation_type(annotation, source), "param_type", line, scope)


def _unwrapped(node: ast.expr) -> ast.expr:
    """``Optional[X]`` and ``X | None`` -> ``X``."""
    if isinstance(node, ast.Subscript) and call_chain(node.value)[-1] == "Optional":
        return _unwrapped(node.slice)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        if isinstance(node.right, ast.Constant) and node.right.value is None:
            return _unwrapped(node.left)
        if isinstance(node.left, ast.Constant) and node.left.value is None:
            return _unwrapped(node.right)
    return node


def _element_type(node: ast.expr) -> ast.expr | None:
    """The element annotation of a container annotation when it names a class (not another container)."""
    if not isinstance(node, ast.Subscript):
        return None
    base = call_chain(node.value)[-1]
    arguments = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    if base in _MAPPINGS and len(arguments) == 2:
        element = arguments[1]
    elif base in _SEQUENCES and len(arguments) == 1:
        element = arguments[0]
    elif base in _TUPLES and len(arguments) == 2 and _is_ellipsis(arguments[1]):
        element = arguments[0]
    else:
        return None
    element = _unwrapped(element)
    named = isinstance(element, (ast.Name, ast.Attribute))
    return element if named or isinstance(element, ast.Constant) and isinstance(element.value, str) else None


def _is_ellipsis(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is ...


def annotation_type(node: ast.expr, source: SourceMap) -> str:
    """The type an annotation names: ``Optional[Repo]``, ``Repo | None`` and ``"Repo"`` all give ``Repo``."""
    node = _unwrapped(node)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.strip()
    return source.one_line(node)
