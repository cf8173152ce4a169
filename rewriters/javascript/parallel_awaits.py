"""parallel-independent-awaits: `const a = await f(x); const b = await g(y);` ->
`const [a, b] = await Promise.all([f(x), g(y)]);`.

The runs are the ones `sequential-independent-awaits` reports, found again on the current source; tree-sitter
then checks that each await is a whole statement, so the rewrite drops nothing that ran between them.
"""

from __future__ import annotations

from collections.abc import Collection
from itertools import pairwise

from tree_sitter import Node

from analyzers.detectors.sequential_independent_awaits import independent_runs
from optimizer.findings import Edit
from rewriters.edits import NoFix
from rewriters.javascript._tree import asked_for, line, node_text, tree_and_facts

CODEMOD_ID = "parallel-independent-awaits"


def compute_edits(source: bytes, language: str, lines: Collection[int] | None = None) -> list[Edit]:
    """One edit per reported run that replaces its statements with one `Promise.all`; NoFix when one is unsure."""
    root, module = tree_and_facts(source, language)
    edits = []
    for run in independent_runs(module):
        if not asked_for(lines, run[0][0].span.line, run[-1][0].span.end_line or run[-1][0].span.line):
            continue
        awaits = [_await_node(root, awaited.span.start_byte, awaited.span.end_byte) for awaited, _ in run]
        edits.append(_combine(awaits))
    return edits


def _await_node(root: Node, start: int, end: int) -> Node:
    """The node spanning the awaited expression the facts record at ``start``: an `await_expression`, or the call
    that tree-sitter makes of `await f<T>(x)` (a call of `await f` with type arguments)."""
    node = root.descendant_for_byte_range(start, end)
    while node is not None and node.type != "await_expression" and not _misread_await(node):
        node = node.parent
    if node is None:
        raise NoFix(f"no await expression at byte {start}")
    return node


def _misread_await(node: Node) -> bool:
    function = node.child_by_field_name("function") if node.type == "call_expression" else None
    return function is not None and function.type == "await_expression"


def _awaited(node: Node) -> str:
    """The text after `await`: the whole call `f<T>(x)` also when tree-sitter put `await` inside it."""
    inner = (node.child_by_field_name("function") if _misread_await(node) else node).named_children[0]
    return (node.text or b"")[inner.start_byte - node.start_byte :].decode("utf-8")


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
            end = before.end_point[0] + 1
            raise NoFix(f"code or a comment runs between the awaits after line {end}; they cannot be merged")
    if len(keywords) > 1:
        raise NoFix(f"the awaits on line {line(statements[0])} mix `const` and `let` declarations")
    calls = ", ".join(_awaited(node) for node in awaits)
    combined = f"await Promise.all([{calls}])"
    if keywords:
        # a bare await keeps its place in the list as a hole in the pattern; holes at the end need no place
        while not targets[-1]:
            targets.pop()
        combined = f"{keywords.pop()} [{', '.join(targets)}] = {combined}"
    semicolon = ";" if node_text(statements[-1]).endswith(";") else ""
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
        raise NoFix(f"the await on line {line(node)} is not a whole `const x = await ...` statement")
    name = parent.child_by_field_name("name")
    keyword = declaration.children[0]
    return node_text(keyword), node_text(name) if name is not None else "", declaration


