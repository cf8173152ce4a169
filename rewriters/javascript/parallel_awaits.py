"""parallel-independent-awaits: `const a = await f(x); const b = await g(y);` ->
`const [a, b] = await Promise.all([f(x), g(y)]);`.

The runs are the ones `sequential-independent-awaits` reports, found again on the current source; tree-sitter
then checks that each await is a whole statement, so the rewrite drops nothing that ran between them.
"""

from __future__ import annotations

from itertools import pairwise

from tree_sitter import Node

from analyzers.detectors.sequential_independent_awaits import independent_runs
from analyzers.frontends import parse_source
from analyzers.js_queries import grammar
from optimizer.findings import Edit
from rewriters.edits import UNREADABLE, NoFix

CODEMOD_ID = "parallel-independent-awaits"
# the front-end only reads the path for messages; the language is passed explicitly
_PATH = {"typescript": "input.ts", "tsx": "input.tsx", "javascript": "input.js"}


def compute_edits(source: bytes, language: str) -> list[Edit]:
    """One edit per reported run that replaces its statements with one `Promise.all`; NoFix when one is unsure."""
    root = grammar(language).parser.parse(source).root_node
    if root.has_error:
        raise NoFix(UNREADABLE)
    module = parse_source(_PATH.get(language, "input.js"), language, source)
    edits = []
    for run in independent_runs(module):
        awaits = [_await_node(root, awaited.span.start_byte, awaited.span.end_byte) for awaited, _ in run]
        edits.append(_combine(awaits))
    return edits


def _await_node(root: Node, start: int, end: int) -> Node:
    node = root.descendant_for_byte_range(start, end)
    while node is not None and node.type != "await_expression":
        node = node.parent
    if node is None:
        raise NoFix(f"no await expression at byte {start}")
    return node


def _combine(awaits: list[Node]) -> Edit:
    keywords: set[str] = set()
    targets: list[str] = []
    statements: list[Node] = []
    for node in awaits:
        keyword, target, statement = _shape(node)
        if keyword:
            keywords.add(keyword)
        targets.append(target)
        statements.append(statement)
    for before, after in pairwise(statements):
        if before.next_named_sibling != after:
            line = before.end_point[0] + 1
            raise NoFix(f"code or a comment runs between the awaits after line {line}; they cannot be merged")
    if len(keywords) > 1:
        raise NoFix(f"the awaits on line {_line(statements[0])} mix `const` and `let` declarations")
    calls = ", ".join(_text(node.named_children[0]) for node in awaits)
    combined = f"await Promise.all([{calls}])"
    if keywords:
        # a bare await keeps its place in the list as a hole in the pattern; holes at the end need no place
        while not targets[-1]:
            targets.pop()
        combined = f"{keywords.pop()} [{', '.join(targets)}] = {combined}"
    semicolon = ";" if _text(statements[-1]).endswith(";") else ""
    return Edit(statements[0].start_byte, statements[-1].end_byte, combined + semicolon)


def _shape(node: Node) -> tuple[str, str, Node]:
    """(`const`/`let` or "" for a bare await, the target pattern text, the statement); NoFix for other shapes."""
    parent = node.parent
    if parent is not None and parent.type == "expression_statement":
        return "", "", parent
    declaration = parent.parent if parent is not None else None
    if (
        parent is None
        or parent.type != "variable_declarator"
        or parent.child_by_field_name("value") != node
        or parent.child_by_field_name("type") is not None
        or declaration is None
        or declaration.type != "lexical_declaration"
        or len(declaration.named_children) != 1
    ):
        raise NoFix(f"the await on line {_line(node)} is not a whole `const x = await ...` statement")
    name = parent.child_by_field_name("name")
    keyword = declaration.children[0]
    return _text(keyword), _text(name) if name is not None else "", declaration


def _line(node: Node) -> int:
    return node.start_point[0] + 1


def _text(node: Node) -> str:
    return (node.text or b"").decode("utf-8")
