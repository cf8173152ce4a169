"""The `for…of` loops the JS/TS codemods turn into a callback per item, and when they may.

A loop body can become `async (x) => { ... }` only when no turn hands anything to the next one: no jump
out of the loop, no write to a name declared outside it, no element added to an outer collection (the
order of its elements would follow the order the calls finish in).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from analyzers.facts import Span
from analyzers.js_functions import KINDS
from rewriters.edits import NoFix
from rewriters.javascript._tree import line, node_text, pattern_names, walk

# a jump or a write inside these belongs to them, not to the loop turn; a name they declare is theirs
OWN_SCOPES = frozenset(KINDS)  # every function and class kind (abstract classes too)
_JUMPS = frozenset({"break_statement", "continue_statement", "return_statement", "yield_expression"})
# what an unlabelled `continue` (loops) or `break` (loops and switches) inside the turn jumps to, not out of it
_INNER_LOOPS = frozenset({"for_statement", "for_in_statement", "while_statement", "do_statement"})
_INNER_BREAK_TARGETS = _INNER_LOOPS | {"switch_statement"}
_WRITES = frozenset({"assignment_expression", "augmented_assignment_expression", "update_expression"})
# methods that add to a collection in call order: run together, the order follows which call finishes first
_ORDERED_ADDS = frozenset({"push", "unshift", "splice", "set", "add", "append"})
# `items`, `order.lines`: what facts record of an iterable that can be read twice
PLAIN_REFERENCE = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")
_DECLARED_BY = frozenset({"variable_declarator", "required_parameter", "optional_parameter", "catch_clause"})
# an annotation that keeps `.map` on the iterable: `User[]`, `Array<User>`, `readonly User[]`
_ARRAY_TYPE = re.compile(r":\s*(?:readonly\s+)?(?:\S.*\[\]|(?:Readonly)?Array<.*>)\s*$", re.S)


def statement_at(root: Node, loop: Span) -> Node:
    """The loop statement the facts record at ``loop``."""
    node = root.descendant_for_byte_range(loop.start_byte, loop.start_byte)
    while node is not None and not (node.type == "for_in_statement" and node.start_byte == loop.start_byte):
        node = node.parent
    if node is None:
        raise NoFix(f"no `for…of` loop on line {loop.line}")
    return node


@dataclass(frozen=True)
class ForOf:
    """`for (const <item> of <items>) <body>` with the parts a callback needs."""

    statement: Node
    item: Node  # the loop variable or destructuring pattern, copied as the callback's parameter
    items: Node
    body: Node  # a statement block

    @property
    def statements(self) -> list[Node]:
        return [child for child in self.body.named_children if child.type != "comment"]


def for_of(statement: Node) -> ForOf:
    """The parts of a loop that can become `items.map(async (item) => ...)`; NoFix for any other loop."""
    where = f"the loop on line {line(statement)}"
    tokens = [child.type for child in statement.children if not child.is_named]
    if statement.type != "for_in_statement" or "of" not in tokens:
        raise NoFix(f"{where} is not a `for…of` loop")
    if "await" in tokens:
        raise NoFix(f"{where} is a `for await` loop, which reads a stream one item at a time")
    if "const" not in tokens and "let" not in tokens:
        raise NoFix(f"{where} does not declare its variable with `const` or `let`")
    if statement.parent is not None and statement.parent.type == "labeled_statement":
        raise NoFix(f"{where} has a label")
    item, items, body = (statement.child_by_field_name(name) for name in ("left", "right", "body"))
    if item is None or items is None or body is None or body.type != "statement_block":
        raise NoFix(f"{where} has no block body")
    if not _plain_reference(items):
        raise NoFix(f"{where} iterates over `{node_text(items)}`, not over a name or a member of one")
    return ForOf(statement, item, items, body)


def _plain_reference(node: Node) -> bool:
    """`items`, `this.items`, `order.lines`: read twice, it gives the same value (no call, no `?.`)."""
    while node.type == "member_expression":
        if any(child.type == "optional_chain" for child in node.children):
            return False
        node = node.child_by_field_name("object")
    return node.type in ("identifier", "this")


def check_array(loop: ForOf) -> None:
    """NoFix when the file shows the iterable is no array (`new Set(...)`, `map.values()`, a `Map<...>`
    annotation): `for…of` walks any iterable, `.map` needs an array."""
    if loop.items.type != "identifier":
        return
    name = node_text(loop.items)
    scope = loop.statement
    while scope.parent is not None:
        scope = scope.parent
        for node in walk(scope) if scope.type in OWN_SCOPES or scope.parent is None else ():
            if node.type not in ("variable_declarator", "required_parameter", "optional_parameter"):
                continue
            target = node.child_by_field_name("name") or node.child_by_field_name("pattern")
            if target is None or node_text(target) != name:
                continue
            annotation, value = node.child_by_field_name("type"), node.child_by_field_name("value")
            if annotation is not None and not _ARRAY_TYPE.match(node_text(annotation)):
                raise NoFix(f"`{name}` is declared as `{node_text(annotation).lstrip(': ')}`, which has no `.map`")
            if value is not None and (value.type == "new_expression" or _iterator_call(value)):
                raise NoFix(f"`{name}` is built with `{node_text(value)}`, which has no `.map`")
            return


def _iterator_call(value: Node) -> bool:
    """`map.values()`, `set.entries()`, `text.matchAll(re)`: iterators, not arrays (but `Object.keys(o)` is one)."""
    callee = value.child_by_field_name("function") if value.type == "call_expression" else None
    if callee is None or callee.type != "member_expression":
        return False
    method, receiver = callee.child_by_field_name("property"), callee.child_by_field_name("object")
    iterator = node_text(method) in ("keys", "values", "entries", "matchAll")
    return iterator and node_text(receiver) not in ("Object", "Reflect")


def check_independent(loop: ForOf, allowed: Node | None = None) -> list[Node]:
    """NoFix when a turn can stop the loop or hand state to the next turn; ``allowed`` is one call to skip
    (the `out.push(...)` a codemod turns into the callback's result). Returns the `continue` statements that
    end a turn early: in a callback per item, `return` does the same."""
    local = declared_names(loop.body) | declared_names(loop.item) | {node_text(loop.item)}
    turn_ends: list[Node] = []
    for node, in_function in _body_nodes(loop.body, allowed):
        where = f"line {line(node)}"
        if node.type in _JUMPS and not in_function and not _jumps_within(node, loop.body):
            if node.type != "continue_statement" or node.child_by_field_name("label") is not None:
                raise NoFix(f"`{node.children[0].type}` on {where} leaves the loop or its turn")
            turn_ends.append(node)
        if node.type in _WRITES:
            target = node.child_by_field_name("left") or node.child_by_field_name("argument")
            root = _root_name(target)
            if root not in local:
                raise NoFix(f"{where} writes to `{root}`, declared outside the loop: turns would share it")
        if node.type == "call_expression":
            callee = node.child_by_field_name("function")
            method = callee.child_by_field_name("property") if callee and callee.type == "member_expression" else None
            if method is not None and node_text(method) in _ORDERED_ADDS:
                root = _root_name(callee.child_by_field_name("object"))
                if root not in local and (node.parent is None or node.parent.type != "await_expression"):
                    raise NoFix(f"{where} adds to `{root}` in loop order; run together, the order would change")
    return turn_ends


def _jumps_within(jump: Node, body: Node) -> bool:
    """Whether an unlabelled `break`/`continue` goes to a loop or switch inside ``body`` (the turn goes on)."""
    if jump.type not in ("break_statement", "continue_statement") or jump.child_by_field_name("label") is not None:
        return False
    targets = _INNER_BREAK_TARGETS if jump.type == "break_statement" else _INNER_LOOPS
    node = jump.parent
    while node is not None and node != body:
        if node.type in targets:
            return True
        node = node.parent
    return False


def _body_nodes(node: Node, skip: Node | None, in_function: bool = False) -> Iterator[tuple[Node, bool]]:
    """The nodes under ``node`` but ``skip``, each with whether a function defined in the body holds it (a
    jump there is the function's own; a write there still reaches the outer name)."""
    for child in node.children:
        if child != skip:
            yield child, in_function
            yield from _body_nodes(child, skip, in_function or child.type in OWN_SCOPES)


def _root_name(node: Node | None) -> str:
    while node is not None and node.type in ("member_expression", "subscript_expression", "parenthesized_expression"):
        node = node.child_by_field_name("object") or (node.named_children[0] if node.named_children else None)
    return node_text(node) if node is not None else "?"


def declared_names(node: Node) -> set[str]:
    """Names a subtree declares: variables, parameters, catch and loop variables, functions, patterns."""
    names: set[str] = set()
    for child in walk(node):
        if child.type in _DECLARED_BY:
            fields = ("name", "pattern", "parameter")
        elif child.type in OWN_SCOPES:
            fields = ("name", "parameters", "parameter")
        elif child.type == "for_in_statement" and {"const", "let", "var"} & {c.type for c in child.children}:
            fields = ("left",)
        else:
            continue
        for target in filter(None, map(child.child_by_field_name, fields)):
            names |= pattern_names(target)
    return names


def collector(loop: ForOf) -> tuple[Node, str] | None:
    """`const out = [];` right before the loop: (its declaration, `out`), else None."""
    declaration = loop.statement.prev_named_sibling
    if declaration is None or declaration.type != "lexical_declaration" or len(declaration.named_children) != 1:
        return None
    declarator = declaration.named_children[0]
    name, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
    if name is None or name.type != "identifier" or value is None or node_text(value) != "[]":
        return None
    return declaration, node_text(name)


def push_argument(statement: Node, name: str) -> Node | None:
    """``E`` when ``statement`` is `name.push(E);` with one plain argument."""
    call = statement.named_children[0] if statement.type == "expression_statement" else None
    callee = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    if callee is None or callee.type != "member_expression" or node_text(callee) != f"{name}.push":
        return None
    arguments = [a for a in call.child_by_field_name("arguments").named_children if a.type != "comment"]
    if len(arguments) != 1 or arguments[0].type == "spread_element":
        return None
    return arguments[0]


def awaited_call(node: Node) -> Node | None:
    """`f(x)` of `await f(x)`."""
    inner = node.named_children[0] if node.type == "await_expression" and node.named_children else None
    return inner if inner is not None and inner.type == "call_expression" else None


def declared_from_await(statement: Node, name: str) -> Node | None:
    """`f(x)` when ``statement`` is `const name = await f(x);` (or `let`) without a type annotation."""
    if statement.type != "lexical_declaration" or len(statement.named_children) != 1:
        return None
    declarator = statement.named_children[0]
    target, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
    if target is None or node_text(target) != name or declarator.child_by_field_name("type") is not None:
        return None
    return awaited_call(value) if value is not None else None
