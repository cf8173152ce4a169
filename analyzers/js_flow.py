"""Where the value of a JS/TS ``await`` goes: the block that runs it, the next mention of what it sets, and
whether an enclosing loop feeds it into its next turn (``Await.block``, ``next_read``, ``loop_carried``)."""

from __future__ import annotations

import re
from bisect import bisect_left

from tree_sitter import Node, Query, QueryCursor

from analyzers.js_functions import KINDS
from analyzers.js_nodes import pattern_names, same_node, text, unwrap
from analyzers.js_queries import grammar
from analyzers.js_result_uses import mention_uses, pattern_reads, value_holder
from analyzers.loop_flow import LoopSummary

# (block, next_read, loop_carried), in the order of the ``Await`` fields
Flow = tuple[int, int, bool]

_BLOCKS = frozenset({"statement_block", "program", "switch_case", "switch_default", "class_static_block"})
_LOOPS = frozenset({"for_statement", "for_in_statement", "while_statement", "do_statement"})
_SHORT_CIRCUIT = frozenset({"&&", "||", "??"})
_ALWAYS_TRUE = frozenset({b"true", b"1"})
_RECEIVERS = frozenset({"member_expression", "subscript_expression"})
# What a loop body can do that ties its turns together: set names, or leave early / hand values out one by one.
_LOOP_QUERY = """
(variable_declarator name: (_) @write value: (_) @read)
(assignment_expression left: (_) @write right: (_) @read)
(augmented_assignment_expression left: (_) @write right: (_) @read)
[(return_statement) (break_statement) (yield_expression)] @exit
"""
_LOOP_QUERIES: dict[str, Query] = {}


class AwaitFlows:
    """Flow facts for the awaits of one file; mentions per function and loop summaries are built once."""

    def __init__(self, source: bytes, language: str, uses: Query) -> None:
        self.source = source
        self.uses = uses
        query = _LOOP_QUERIES.get(language)
        if query is None:
            query = _LOOP_QUERIES[language] = Query(grammar(language).parser.language, _LOOP_QUERY)
        self.loop_query = query
        self._mentions: dict[int, dict[str, list[int]]] = {}  # function node id -> name -> start bytes
        self._loops: dict[int, LoopSummary] = {}

    def flow(self, expression: Node, uses: tuple[str, ...]) -> Flow:
        """``expression`` is the await, or the call the grammar put it in (see ``misparsed_await_call``)."""
        bound, after = self._bound(expression)
        next_read = self._next_mention(expression, bound, after) if bound else self._next_state_read(expression)
        return _block(expression), next_read, self._carried(expression, bound, uses)

    def _bound(self, expression: Node) -> tuple[list[str], int]:
        """Names the await's statement sets from its value, and where that setting ends."""
        source = self.source
        names: list[str] = []
        after = expression.end_byte
        child, parent = expression, expression.parent
        while parent is not None and parent.type not in _BLOCKS and parent.type not in KINDS:
            kind = parent.type
            if kind == "variable_declarator" and same_node(parent.child_by_field_name("value"), child):
                names.extend(pattern_names(source, parent.child_by_field_name("name")))
                after = parent.end_byte
            elif kind in ("assignment_expression", "augmented_assignment_expression") and same_node(
                parent.child_by_field_name("right"), child
            ):
                names.extend(_set_names(source, parent.child_by_field_name("left")))
                after = parent.end_byte
            elif kind == "arguments" and parent.parent is not None:
                # ``out.push(await f())``: the value ends up in the receiver
                callee = parent.parent.child_by_field_name("function")
                if callee is not None and callee.type == "member_expression":
                    names.extend(_set_names(source, callee.child_by_field_name("object")))
                    after = parent.end_byte
            child, parent = parent, parent.parent
        return names, after

    def _next_state_read(self, expression: Node) -> int:
        """``await doc.loadInfo();`` fills ``doc`` rather than returning a value, and a stateful local object
        takes its calls in order: the next mention of ``doc`` depends on the await. Only for a name the function
        declares (``const doc = new Sheet(id)``); parameters and module-level clients (``api``, ``prisma``, an
        imported service) take independent calls."""
        receiver = _state_receiver(expression)
        if receiver is None:
            return -1
        name, scope = text(self.source, receiver), _scope(expression)
        size = len(name.encode())
        positions = self._mentions_in(scope).get(name, ())
        if not any(_declares(scope.descendant_for_byte_range(p, p + size)) for p in positions if p < expression.start_byte):
            return -1
        index = bisect_left(positions, expression.end_byte)
        return positions[index] if index < len(positions) else -1

    def result_uses(self, expression: Node) -> tuple[str, ...]:
        """How each later mention of the names the await sets reads them (see ``Await.result_uses``)."""
        holder = value_holder(expression)
        if holder is None:
            return ("",)  # returned, passed to a call, put in an object: all of it may be read
        if holder.type == "expression_statement":
            return ()
        target = unwrap(holder.child_by_field_name("name" if holder.type == "variable_declarator" else "left"))
        if target is None or target.type != "identifier":
            return pattern_reads(self.source, target)
        name, after = text(self.source, target), holder.end_byte
        scope = _scope(expression)
        size = len(name.encode())
        uses: list[str] = []
        for start in self._mentions_in(scope).get(name, ()):
            if start >= after:
                uses.extend(mention_uses(self.source, scope.descendant_for_byte_range(start, start + size), self.uses))
        return tuple(uses)

    def _mentions_in(self, scope: Node) -> dict[str, list[int]]:
        mentions = self._mentions.get(scope.id)
        if mentions is None:
            mentions = self._mentions[scope.id] = {}
            for node in QueryCursor(self.uses).captures(scope).get("id", ()):
                mentions.setdefault(text(self.source, node), []).append(node.start_byte)
            for positions in mentions.values():
                positions.sort()
        return mentions

    def _next_mention(self, expression: Node, names: list[str], after: int) -> int:
        if not names:
            return -1
        scope = _scope(expression)
        mentions = self._mentions_in(scope)
        found = []
        for name in names:
            if name.startswith("this."):
                pattern = re.compile(rb"\bthis\s*\.\s*" + re.escape(name[5:].encode()) + rb"\b")
                match = pattern.search(self.source, after, scope.end_byte)
                if match:
                    found.append(match.start())
                continue
            positions = mentions.get(name, [])
            index = bisect_left(positions, after)
            if index < len(positions):
                found.append(positions[index])
        return min(found, default=-1)

    def _carried(self, expression: Node, bound: list[str], uses: tuple[str, ...]) -> bool:
        loop, in_condition = _enclosing_loop(expression)
        if loop is None:
            return False
        if in_condition:
            return True
        summary = self._loops.get(loop.id)
        if summary is None:
            summary = self._loops[loop.id] = self._summarize(loop)
        return summary.carries(bound, set(uses))

    def _summarize(self, loop: Node) -> LoopSummary:
        source = self.source
        condition = None if loop.type == "for_in_statement" else unwrap(loop.child_by_field_name("condition"))
        stops = loop.type != "for_in_statement" and (
            condition is None
            or condition.type == "empty_statement"
            or source[condition.start_byte : condition.end_byte] in _ALWAYS_TRUE
        )
        # the part a loop runs once, before its first turn
        once = loop.child_by_field_name("right" if loop.type == "for_in_statement" else "initializer")
        assignments = []
        for _, match in QueryCursor(self.loop_query).matches(loop):
            if "exit" in match:
                stops = stops or _leaves(match["exit"][0], loop)
                continue
            written, read = match["write"][0], match["read"][0]
            if once is not None and once.start_byte <= written.start_byte < once.end_byte:
                continue
            assignments.append((frozenset(_set_names(source, written)), self._reads(read)))
        reads = self._reads(condition) if condition is not None and not stops else frozenset()
        return LoopSummary(tuple(assignments), reads, stops)

    def _reads(self, node: Node) -> frozenset[str]:
        return frozenset(text(self.source, n) for n in QueryCursor(self.uses).captures(node).get("id", ()))


def _block(expression: Node) -> int:
    """Start byte of the statement list whose statement always runs ``expression``; -1 on conditional paths."""
    child, parent = expression, expression.parent
    while parent is not None:
        kind = parent.type
        if kind in _BLOCKS:
            return parent.start_byte
        if kind in KINDS or kind in _LOOPS:
            return -1
        if kind in ("ternary_expression", "if_statement") and not same_node(
            parent.child_by_field_name("condition"), child
        ):
            return -1
        if kind == "binary_expression" and same_node(parent.child_by_field_name("right"), child):
            operator = parent.child_by_field_name("operator")
            if operator is not None and operator.type in _SHORT_CIRCUIT:
                return -1
        child, parent = parent, parent.parent
    return -1


def _scope(node: Node) -> Node:
    """The innermost function around ``node``, or the whole file."""
    current = node
    while current.parent is not None and current.parent.type not in KINDS:
        current = current.parent
    return current.parent or current


def _enclosing_loop(node: Node) -> tuple[Node | None, bool]:
    """The innermost loop of the same function whose turns run ``node``, and whether it is in the condition."""
    child, parent = node, node.parent
    while parent is not None and parent.type not in KINDS:
        if parent.type in _LOOPS:
            if same_node(parent.child_by_field_name("condition"), child):
                return parent, True
            if any(same_node(parent.child_by_field_name(field), child) for field in ("body", "increment")):
                return parent, False
        child, parent = parent, parent.parent
    return None, False


def _leaves(exit_node: Node, loop: Node) -> bool:
    """Whether a return/break/yield inside ``loop`` belongs to it (not to a nested function, loop or switch)."""
    is_break = exit_node.type == "break_statement"
    if is_break and exit_node.child_by_field_name("label") is not None:
        return True
    current = exit_node.parent
    while current is not None and current.id != loop.id:
        if current.type in KINDS or (is_break and (current.type in _LOOPS or current.type == "switch_statement")):
            return False
        current = current.parent
    return True


def _state_receiver(expression: Node) -> Node | None:
    """``obj`` of ``await obj.m(...);`` standing alone as a statement, when ``obj`` is a plain name."""
    statement = expression.parent
    while statement is not None and statement.type == "parenthesized_expression":
        statement = statement.parent
    if statement is None or statement.type != "expression_statement":
        return None
    call = unwrap(expression.named_children[0]) if expression.type == "await_expression" and expression.named_child_count else expression
    callee = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    receiver = unwrap(callee.child_by_field_name("object")) if callee is not None and callee.type == "member_expression" else None
    return receiver if receiver is not None and receiver.type == "identifier" else None


def _declares(name: Node | None) -> bool:
    """The mention is the name a ``const``/``let``/``var`` declares."""
    parent = name.parent if name is not None else None
    return (
        parent is not None and parent.type == "variable_declarator"
        and same_node(parent.child_by_field_name("name"), name)
    )


def _set_names(source: bytes, target: Node | None) -> list[str]:
    """Names an assignment target sets: ``{a, b}`` -> a, b; ``state.user`` -> state; ``this.user.x`` -> this.user."""
    target = unwrap(target)
    if target is None:
        return []
    if target.type not in _RECEIVERS:
        return pattern_names(source, target)
    member = target
    inner = unwrap(target.child_by_field_name("object"))
    while inner is not None and inner.type in _RECEIVERS:
        member, inner = inner, unwrap(inner.child_by_field_name("object"))
    if inner is None:
        return []
    if inner.type == "identifier":
        return [text(source, inner)]
    prop = member.child_by_field_name("property")
    if inner.type == "this" and member.type == "member_expression" and prop is not None:
        return ["this." + text(source, prop)]
    return []
