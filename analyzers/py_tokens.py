"""Python token streams for clone detection, from the ``ast`` tree the front-end already parsed.

One token per syntax node in source order (names, attributes and literals abstracted), with markers where a
statement block or a call's arguments open and close: the stream carries the structure that indentation
gives the source, and formatting (line breaks, parentheses, quotes) cannot tell two copies apart.
Tokenising the text instead would cost three times the parse.
"""

from __future__ import annotations

import ast
from functools import cache
from typing import Any

from analyzers.facts import Tokens
from analyzers.tokens import BOOLEAN, BREAK, DATA_CLOSE, DATA_OPEN, FIRST_FREE, IDENT, NUMBER, STRING, build_tokens

_MARKERS = ("<block>", "<end>", "<call-end>", "<else>", "<None>", "<...>")
_STATEMENT_LISTS = frozenset({"body", "orelse", "finalbody", "handlers", "cases"})
# fields that hold no child worth a token: contexts, names as strings, flags
_NOT_CHILDREN = frozenset({"ctx", "name", "attr", "arg", "id", "module", "names", "level", "is_async", "kind",
                           "type_comment", "conversion", "simple", "type_ignores", "rest", "kwd_attrs"})  # fmt: skip
_DECORATED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_LITERALS = (ast.Dict, ast.List, ast.Tuple, ast.Set)
_MAYBE_LEFT_OUT = frozenset({ast.Expr, ast.Import, ast.ImportFrom, ast.AnnAssign, ast.If})
# calls such as ``_("Label")`` may be values of a table; their markers are added with the node kinds
_DATA_NODES = (
    ast.Dict, ast.List, ast.Tuple, ast.Set, ast.Attribute, ast.UnaryOp, ast.USub, ast.UAdd, ast.Call, ast.keyword,
)  # fmt: skip
OPENERS = ("<block>", "Call")
CLOSERS = ("<end>", "<call-end>")
CONTINUATIONS = ("<else>",)


@cache
def vocabulary() -> dict[str, int]:
    """Normalised kind of every ``ast`` node class and of the block, call and else markers."""
    names = sorted(name for name, value in vars(ast).items() if isinstance(value, type) and issubclass(value, ast.AST))
    return {name: FIRST_FREE + index for index, name in enumerate([*names, *_MARKERS])}


def kind_of(name: str) -> int:
    """Normalised kind of an ``ast`` class name or a marker (``<block>``, ``<end>``, ``<call-end>``, ``<else>``)."""
    return vocabulary()[name]


@cache
def _layout(cls: type) -> tuple[str, ...]:
    """Child fields in source order; ``""`` is where the node's own token goes (after decorators)."""
    if cls is ast.MatchSingleton:  # its value is True, False or None, not a node
        return ("",)
    fields = [f for f in cls._fields if f not in _NOT_CHILDREN]
    if cls in _DECORATED:
        fields.remove("decorator_list")
        return ("decorator_list", "", *fields)
    return ("", *fields)


def _reversed_layout(cls: type) -> tuple[str, ...]:
    # filled on first sight of each class; the walk looks it up in the dict for every node
    layout = _REVERSED_LAYOUTS[cls] = tuple(reversed(_layout(cls)))
    return layout


_REVERSED_LAYOUTS: dict[type, tuple[str, ...]] = {}


@cache
def _class_kinds() -> dict[type, int]:
    words = vocabulary()
    return {value: words[name] for name, value in vars(ast).items() if isinstance(value, type) and name in words}


@cache
def data_kinds() -> bytes:
    kinds = _class_kinds()
    allowed = {IDENT, NUMBER, STRING, BOOLEAN, DATA_OPEN, DATA_CLOSE, *map(kind_of, ("<None>", "<...>", "<call-end>"))}
    return bytes(sorted(allowed | {kinds[cls] for cls in _DATA_NODES}))


def py_tokens(tree: ast.Module, source: bytes) -> Tokens:
    walk = _Walk()
    walk.run(tree)
    return build_tokens(walk.kinds, walk.lines, source, data_kinds=data_kinds(), literals=walk.literals)


class _Walk:
    """Pre-order over the tree with an explicit stack (deep expressions must not hit the recursion limit).

    Stack entries are ``(node, line)`` to visit, ``(kind, line)`` to emit, or ``(-1 - start, entries)`` to
    close the literal whose first token is ``start``.
    """

    def __init__(self) -> None:
        self.kinds: list[int] = []
        self.lines: list[int] = []
        self.literals: list[tuple[int, int, int]] = []  # (first token, end token, entries)
        words = vocabulary()
        self.block, self.end, self.call_end, self.orelse = (words[m] for m in _MARKERS[:4])
        self.none, self.ellipsis = words["<None>"], words["<...>"]
        self.call = words["Call"]

    def run(self, tree: ast.Module) -> None:
        classes = _class_kinds()
        kinds, lines = self.kinds, self.lines
        stack: list[tuple[Any, int]] = []
        stack.extend((child, child.lineno) for child in reversed(tree.body))
        while stack:
            item, value = stack.pop()
            if type(item) is int:
                if item >= 0:
                    kinds.append(item)
                    lines.append(value)
                else:
                    self.literals.append((-1 - item, len(kinds), value))
                continue
            line = getattr(item, "lineno", value)
            cls = type(item)
            if cls is ast.Name:
                kinds.append(IDENT)
                lines.append(line)
            elif cls is ast.Constant:
                kinds.append(self._constant(item.value))
                lines.append(line)
            elif cls not in _MAYBE_LEFT_OUT or not self._left_out(item, cls):
                self._visit(item, cls, classes[cls], line, stack)

    def _left_out(self, node: Any, cls: type) -> bool:
        """Docstrings and other bare strings are dropped; imports, bare annotations and ``if TYPE_CHECKING:``
        blocks become a BREAK."""
        if cls is ast.Expr and type(node.value) is ast.Constant and type(node.value.value) is str:
            return True
        declaration = (
            cls is ast.Import
            or cls is ast.ImportFrom
            or (cls is ast.AnnAssign and node.value is None)
            or (cls is ast.If and _names_type_checking(node.test))
        )
        if declaration and (not self.kinds or self.kinds[-1] != BREAK):
            self.kinds.append(BREAK)
            self.lines.append(node.lineno)
        return declaration

    def _visit(self, node: Any, cls: type, kind: int, line: int, stack: list[tuple[Any, int]]) -> None:
        if cls in _LITERALS:
            stack.append((-1 - len(self.kinds), len(node.keys if cls is ast.Dict else node.elts)))
        elif kind == self.call:
            stack.append((self.call_end, getattr(node, "end_lineno", line)))
        for name in _REVERSED_LAYOUTS.get(cls) or _reversed_layout(cls):
            if not name:
                stack.append((kind, line))
                continue
            value = getattr(node, name)
            if type(value) is list:
                if name in _STATEMENT_LISTS:
                    self._push_block(stack, value, name)
                else:
                    stack.extend((child, line) for child in reversed(value) if child is not None)
            elif value is not None:
                stack.append((value, line))

    def _push_block(self, stack: list[tuple[Any, int]], body: list[Any], name: str) -> None:
        if not body:
            return
        first = _first_line(body[0])
        stack.append((self.end, _last_line(body[-1])))
        stack.extend((child, line) for child in reversed(body) if (line := _first_line(child)))
        stack.append((self.block, first))
        if name == "orelse":
            stack.append((self.orelse, first))

    def _constant(self, value: object) -> int:
        if value is None:
            return self.none
        if value is Ellipsis:
            return self.ellipsis
        if type(value) is bool:
            return BOOLEAN
        if isinstance(value, (str, bytes)):
            return STRING
        return NUMBER


def _first_line(node: Any) -> int:
    # ``match_case`` has no position of its own
    return node.lineno if type(node) is not ast.match_case else node.pattern.lineno


def _last_line(node: Any) -> int:
    return node.end_lineno if type(node) is not ast.match_case else node.body[-1].end_lineno


def _names_type_checking(test: ast.expr) -> bool:
    return (type(test) is ast.Name and test.id == "TYPE_CHECKING") or (
        type(test) is ast.Attribute and test.attr == "TYPE_CHECKING"
    )
