"""What later code reads from an awaited JS/TS value (``Await.result_uses``): member chains, presence tests, the
keys a pattern destructures, and what per-item callbacks and ``for … of`` loops read from each element."""

from __future__ import annotations

from tree_sitter import Node, Query, QueryCursor

from analyzers.facts import RESULT_ELEMENT as ELEMENT
from analyzers.facts import RESULT_PRESENCE as PRESENCE
from analyzers.js_nodes import TRANSPARENT, named_args, same_node, text, unwrap

_SEE_THROUGH = frozenset({"non_null_expression", "parenthesized_expression"})
_EQUALITY = frozenset({"==", "!=", "===", "!=="})
_VALUE_WRAPPERS = TRANSPARENT | {"type_assertion"}
# Array methods that hand each element to a callback, and the position of the element among its parameters.
_ITEM_CALLBACKS = {"map": 0, "forEach": 0, "some": 0, "every": 0, "flatMap": 0, "filter": 0, "find": 0,
                   "findIndex": 0, "reduce": 1}
_CALLBACKS = frozenset({"arrow_function", "function_expression", "function"})


def value_holder(expression: Node) -> Node | None:
    """The declaration or assignment that takes the awaited value as it is, the statement that drops it, or None."""
    child, parent = expression, expression.parent
    while parent is not None and parent.type in _VALUE_WRAPPERS:
        child, parent = parent, parent.parent
    if parent is None:
        return None
    if parent.type == "expression_statement":
        return parent
    if parent.type == "variable_declarator" and same_node(parent.child_by_field_name("value"), child):
        return parent
    if parent.type == "assignment_expression" and same_node(parent.child_by_field_name("right"), child):
        return parent
    return None


def pattern_reads(source: bytes, pattern: Node | None) -> tuple[str, ...]:
    """``const { name, posts: list, ...rest } = await f()`` reads ``name`` and ``posts``; the rest takes all."""
    if pattern is None or pattern.type != "object_pattern":
        return ("",)  # `this.user = …`, `state.x = …`, `[first] = …`: the value goes on as a whole
    reads = []
    for child in pattern.named_children:
        if child.type == "object_assignment_pattern":
            child = child.child_by_field_name("left") or child
        if child.type == "shorthand_property_identifier_pattern":
            reads.append(text(source, child))
        elif child.type == "pair_pattern":
            key = child.child_by_field_name("key")
            plain = key is not None and key.type in ("property_identifier", "string")
            reads.append(text(source, key).strip("'\"") if plain else "")
        elif child.type != "comment":
            reads.append("")
    return tuple(reads)


def mention_uses(source: bytes, node: Node | None, uses: Query) -> list[str]:
    """The use of one mention, then, for a list handed to a per-item callback or ``for … of``, what is read from
    each element (``rows.map((r) => r.title)`` -> ``["map", "[]title"]``; an element passed on -> ``"[]"``)."""
    chain, called = _member_chain(source, node)
    found = [chain]
    method = chain.split(".", 1)[0]
    if called is not None and method in _ITEM_CALLBACKS:
        found.extend(ELEMENT + use for use in _callback_reads(source, called, _ITEM_CALLBACKS[method], uses))
        if method == "find":  # `rows.find(f)?.title` reads the found element's title; `rows.find(f)` hands it on
            found.append(ELEMENT + chain.partition(".")[2])
        elif method == "filter" and chain != "filter.length":
            found.append(ELEMENT)  # the elements themselves come out of the call
    elif chain == "" and node is not None:
        loop = _iterated_by(node)
        if loop is not None:
            found[0] = "of"
            found.extend(ELEMENT + use for use in _loop_reads(source, loop, uses))
    return found


def _member_chain(source: bytes, node: Node | None) -> tuple[str, Node | None]:
    """``rows.filter(f).length`` read at ``rows`` -> ``"filter.length"``; ``if (!row)`` -> ``"!"``; the bare
    value -> ``""``. Also the call of the chain's first method, when it is called (``rows.map(f)``)."""
    parts: list[str] = []
    called = None
    while node is not None and node.parent is not None and len(parts) < 2:
        parent = node.parent
        if parent.type in _SEE_THROUGH:
            node = parent  # `row!.name`, `(row).name` read the same value
        elif parent.type == "member_expression" and same_node(parent.child_by_field_name("object"), node):
            parts.append(text(source, parent.child_by_field_name("property")))
            node = parent
        elif parent.type == "call_expression" and same_node(parent.child_by_field_name("function"), node) and parts:
            called = called or (parent if len(parts) == 1 else None)
            node = parent  # `.filter(...)` is called: the chain goes on from the call's result
        else:
            break
    if not parts and node is not None and _only_tested(node):
        return PRESENCE, None
    return ".".join(parts), called


def _only_tested(node: Node) -> bool:
    """Whether the value is only checked for presence here: ``!row``, ``if (row)``, ``row && …``, ``row == null``."""
    parent = node.parent
    if parent is None:
        return False
    kind = parent.type
    operator = parent.child_by_field_name("operator")
    if kind == "unary_expression":
        return operator is not None and operator.type == "!"
    if kind in ("if_statement", "while_statement", "ternary_expression"):
        return same_node(parent.child_by_field_name("condition"), node)
    if kind != "binary_expression" or operator is None:
        return False
    if operator.type == "&&":
        return same_node(parent.child_by_field_name("left"), node)
    if operator.type in _EQUALITY:
        left, right = parent.child_by_field_name("left"), parent.child_by_field_name("right")
        other = right if same_node(left, node) else left
        return other is not None and other.type in ("null", "undefined")
    return False


def _callback_reads(source: bytes, call: Node, position: int, uses: Query) -> list[str]:
    """What ``(row) => …`` (or ``function (row) {…}``) passed first to ``call`` reads from its element parameter."""
    arguments = call.child_by_field_name("arguments")
    callback = arguments.named_children[0] if arguments is not None and arguments.named_children else None
    if callback is None or callback.type not in _CALLBACKS:
        return [""]  # `rows.map(toDto)`: the element goes to code we do not see here
    single = callback.child_by_field_name("parameter")
    params = callback.child_by_field_name("parameters")
    listed = [single] if single is not None else named_args(params)
    if len(listed) <= position:
        return []
    param = listed[position]
    if param.type in ("required_parameter", "optional_parameter"):
        param = param.child_by_field_name("pattern") or param
    return _reads_of(source, param, callback.child_by_field_name("body"), uses)


def _iterated_by(node: Node) -> Node | None:
    """The ``for (const row of rows)`` loop whose list is ``node``."""
    parent = node.parent
    if parent is None or parent.type != "for_in_statement" or not same_node(parent.child_by_field_name("right"), node):
        return None
    operator = parent.child_by_field_name("operator")
    return parent if operator is not None and operator.type == "of" else None


def _loop_reads(source: bytes, loop: Node, uses: Query) -> list[str]:
    return _reads_of(source, unwrap(loop.child_by_field_name("left")), loop.child_by_field_name("body"), uses)


def _reads_of(source: bytes, binding: Node | None, body: Node | None, uses: Query) -> list[str]:
    """Reads of the element bound to ``binding`` (a name or an object pattern) within ``body``."""
    if binding is None or body is None:
        return [""]
    if binding.type != "identifier":
        return list(pattern_reads(source, binding))
    name = text(source, binding)
    mentions = [n for n in QueryCursor(uses).captures(body).get("id", ()) if text(source, n) == name]
    return [_member_chain(source, mention)[0] for mention in sorted(mentions, key=lambda n: n.start_byte)]
