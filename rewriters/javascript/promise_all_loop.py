"""promise-all-loop: `for (const x of items) { await f(x); }` ->
`await Promise.all(items.map(async (x) => { await f(x); }));`.

A loop that only fills a fresh array declared right before it, `const out = []; for (...) { out.push(await f(x)); }`,
becomes `const out = await Promise.all(items.map(async (x) => f(x)));`: `Promise.all` keeps the items' order,
so `out` holds the same values. The loops are the ones `sequential-await-in-loop` offers the fix for, found
again on the current source; any turn that can stop the loop or hand state to the next leaves it alone. A
`continue` that ends a turn becomes a `return` from the callback (not in the collecting form, where the turn
would add `undefined`); `break`/`continue` to a loop or switch inside the turn stay as they are.
"""

from __future__ import annotations

from collections.abc import Collection

from tree_sitter import Node

from analyzers.detectors.sequential_await_in_loop import fixable_loops
from optimizer.findings import Edit
from rewriters.edits import NoFix
from rewriters.javascript._loops import (
    ForOf,
    awaited_call,
    check_array,
    check_independent,
    collector,
    declared_from_await,
    for_of,
    push_argument,
    statement_at,
)
from rewriters.javascript._tree import asked_for, line, mentions, node_text, tree_and_facts, walk

CODEMOD_ID = "promise-all-loop"


def compute_edits(source: bytes, language: str, lines: Collection[int] | None = None) -> list[Edit]:
    """Edits that start the turns of every fixable loop together; NoFix when one of them is unsure."""
    root, module = tree_and_facts(source, language)
    edits: list[Edit] = []
    for loop in fixable_loops(module):
        if not asked_for(lines, loop.span.line, loop.span.end_line or loop.span.line):
            continue
        edits.extend(_rewrite(for_of(statement_at(root, loop.span))))
    return edits


def _rewrite(loop: ForOf) -> list[Edit]:
    check_array(loop)
    found = collector(loop)
    statements = loop.statements
    result = push_argument(statements[-1], found[1]) if found and statements else None
    if found is None or result is None:
        turn_ends = check_independent(loop)
        text = f"await {_promise_all(loop, _returning(loop.body, turn_ends))};"
        return [Edit(loop.statement.start_byte, loop.statement.end_byte, text)]
    declaration, name = found
    push = statements[-1]
    turn_ends = check_independent(loop, allowed=push)
    if turn_ends:
        # a turn that skips the push would give `undefined` for its item in the results
        raise NoFix(f"`continue` on line {line(turn_ends[0])} skips the push to `{name}`")
    if len(mentions(loop.body, name)) != 1:
        raise NoFix(f"the loop on line {line(loop.statement)} uses `{name}` besides pushing to it")
    value = declaration.named_children[0].child_by_field_name("value")
    assert value is not None  # collector() found `[]` there
    return [
        Edit(value.start_byte, value.end_byte, f"await {_promise_all(loop, _result(loop, push, result))}"),
        # the loop goes with the newline and indentation before it; the declaration now holds the results
        Edit(declaration.end_byte, loop.statement.end_byte, ""),
    ]


def _promise_all(loop: ForOf, callback_body: str) -> str:
    return f"Promise.all({node_text(loop.items)}.map(async ({node_text(loop.item)}) => {callback_body}))"


def _returning(body: Node, turn_ends: list[Node]) -> str:
    """The loop body's text with each `continue` that ends the turn made a `return` from the callback."""
    text = body.text or b""
    for statement in sorted(turn_ends, key=lambda node: node.start_byte, reverse=True):
        keyword = statement.children[0]  # `continue`; a `;` after it stays
        start, end = keyword.start_byte - body.start_byte, keyword.end_byte - body.start_byte
        text = text[:start] + b"return" + text[end:]
    return text.decode("utf-8")


def _result(loop: ForOf, push: Node, result: Node) -> str:
    """The callback body giving what a turn pushed: the awaited call itself when the turn is only
    `out.push(await f(x))` or `const r = await f(x); out.push(r);`, else the block returning the value."""
    others = loop.statements[:-1]
    plain = not any(node.type == "comment" for node in walk(loop.body))
    call = awaited_call(result)
    if plain and not others and call is not None:
        return node_text(call)
    if plain and len(others) == 1 and result.type == "identifier":
        call = declared_from_await(others[0], node_text(result))
        if call is not None and len(mentions(loop.body, node_text(result))) == 2:
            return node_text(call)
    body = loop.body.text or b""
    start, end = push.start_byte - loop.body.start_byte, push.end_byte - loop.body.start_byte
    returned = f"return {node_text(result)};".encode()
    return (body[:start] + returned + body[end:]).decode("utf-8")
