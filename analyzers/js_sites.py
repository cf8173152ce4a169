"""Facts about single JS/TS nodes: call sites, array-method callback loops, awaits, JSX elements, SQL literals."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node, Query, QueryCursor

from analyzers.facts import Await, Call, JsxElement, JsxProp, SqlString
from analyzers.js_nodes import (
    TRANSPARENT,
    code_text,
    named_args,
    pattern_names,
    short_text,
    span,
    span_between,
    string_value,
    template_text,
    text,
    unwrap,
)
from analyzers.sql import looks_like_sql

LOOP_METHODS = frozenset({"forEach", "map", "flatMap", "reduce", "filter", "some", "every", "find"})
BATCHERS = frozenset({"Promise.all", "Promise.allSettled"})
_CALLBACKS = frozenset({"arrow_function", "function_expression"})
_BACKTICK = ord("`")
_UNCHAINED = frozenset({"then", "catch", "finally"})
_PROP_KINDS = {
    "arrow_function": "arrow",
    "function_expression": "function",
    "object": "object",
    "array": "array",
    "identifier": "identifier",
    "call_expression": "call",
    "new_expression": "call",
    "member_expression": "member",
}
_LITERALS = frozenset({"string", "number", "true", "false", "null", "undefined", "regex"})
# ``looks_like_sql`` wants at least 10 characters opening with a statement keyword; checking that on the
# raw bytes first spares decoding the many literals that are not SQL.
_SHORTEST_SQL = 10 + 2
_MAYBE_SQL = re.compile(rb"[\s(]*(?:with|select|insert|update|delete|create|alter|drop|upsert|merge)\b", re.IGNORECASE)
# Prisma delegate methods whose first argument is a query object (``where``, ``orderBy``, ``cursor``, ``include``):
# their key paths become ``Call.arg_keys``, since ``Call.args`` is cut at 200 characters and loses big filters.
QUERY_OBJECT_METHODS = frozenset(
    {
        "findUnique", "findUniqueOrThrow", "findFirst", "findFirstOrThrow", "findMany", "count", "aggregate",
        "groupBy", "update", "updateMany", "delete", "deleteMany", "upsert",
    }
)
# Bounds that keep the walk small on generated or hand-built giant query objects.
_MAX_KEY_DEPTH = 8
_MAX_KEYS = 64


@dataclass(frozen=True, slots=True)
class CallbackLoop:
    """A per-item callback found at its call (``ids.map(id => ...)``), waiting for its function node."""

    kind: str
    iterable: str
    literal_size: int | None
    batched: bool
    result_name: str | None


def callee_node(call: Node) -> tuple[Node | None, bool]:
    """A call's callee, and whether an ``await`` sits inside it: tree-sitter-typescript reads
    ``await f<T>(x)`` as a call of ``await f``, so the callee is ``f`` and the call is awaited."""
    callee = call.child_by_field_name("constructor" if call.type == "new_expression" else "function")
    if callee is not None and callee.type == "await_expression":
        return (unwrap(callee.named_children[0]) if callee.named_child_count else None), True
    return callee, False


def misparsed_await_call(node: Node) -> Node | None:
    """The call an ``await`` really applies to when the grammar put the ``await`` inside its callee."""
    parent = node.parent
    if parent is not None and parent.type == "call_expression" and parent.child_by_field_name("function") == node:
        return parent
    return None


def call_fact(
    source: bytes,
    call: Node,
    callee: str,
    parts: tuple[str, ...],
    arguments: Node | None,
    function: str | None,
    loops: tuple[int, ...],
    awaited: bool,
    is_new: bool,
    first: Node,
) -> Call:
    """``first`` is the node the call's text starts at: the call itself, or its callee when the grammar
    put an ``await`` inside the call (see ``callee_node``)."""
    if arguments is None:
        args: tuple[str, ...] = ()
    elif source[arguments.start_byte] == _BACKTICK:  # a tagged template: the template is the argument
        args = (short_text(source, arguments),)
    else:
        args = tuple([short_text(source, arg) for arg in named_args(arguments)])
    keys: tuple[str, ...] = ()
    if args and parts[-1] in QUERY_OBJECT_METHODS:
        keys = object_key_paths(source, named_args(arguments)[0])
    return Call(callee, parts, span_between(first, call), function, loops, awaited, args, is_new, keys)


def object_key_paths(source: bytes, node: Node) -> tuple[str, ...]:
    """Dotted paths to the leaves of an object literal (see ``Call.arg_keys``); () when ``node`` is not one."""
    node = unwrap(node)
    if node is None or node.type != "object":
        return ()
    found: dict[str, None] = {}
    _key_paths(source, node, "", 0, found)
    return tuple(found)


def _key_paths(source: bytes, node: Node, prefix: str, depth: int, found: dict[str, None]) -> None:
    for child in named_args(node):
        if len(found) >= _MAX_KEYS:
            found[f"{prefix}*"] = None
            return
        if child.type == "shorthand_property_identifier":
            found[prefix + text(source, child)] = None
        elif child.type == "pair":
            key = child.child_by_field_name("key")
            name = text(source, key) if key.type in ("property_identifier", "number") else string_value(source, key)
            _value_paths(source, child.child_by_field_name("value"), prefix + (name or "*"), depth + 1, found)
        elif child.type != "method_definition":  # a spread: keys we cannot see
            found[f"{prefix}*"] = None


def _value_paths(source: bytes, value: Node | None, path: str, depth: int, found: dict[str, None]) -> None:
    """A non-empty object continues the path; so do the object elements of an array (``OR: [{..}, {..}]``) and
    both branches of a conditional (``q ? { contains: q } : undefined``); ``undefined`` is no filter at all."""
    value = unwrap(value)
    kind = value.type if value is not None else ""
    if kind == "undefined":
        return
    if kind in ("ternary_expression", "object") and depth >= _MAX_KEY_DEPTH:
        found[f"{path}.*"] = None
        return
    if kind == "ternary_expression":
        for branch in ("consequence", "alternative"):
            _value_paths(source, value.child_by_field_name(branch), path, depth + 1, found)
        return
    if kind == "object" and named_args(value):
        _key_paths(source, value, path + ".", depth, found)
        return
    elements = [unwrap(e) for e in named_args(value)] if kind == "array" else []
    objects = [e for e in elements if e is not None and e.type == "object" and named_args(e)]
    for element in objects:
        _value_paths(source, element, path, depth, found)
    if len(objects) < len(elements) or not elements:
        found[path] = None


def awaited_calls(source: bytes, node: Node) -> list[int]:
    """Ids of the calls an ``await`` waits for: its operand and the calls chained below it
    (``await db.c('x').find().toArray()``), stopping at ``.then``/``.catch``/``.finally``."""
    found: list[int] = []
    current = unwrap(node.named_children[0]) if node.named_child_count else None
    while current is not None and current.type in ("call_expression", "new_expression"):
        found.append(current.id)
        callee = unwrap(current.child_by_field_name("function"))
        if callee is None or callee.type != "member_expression":
            break
        if text(source, callee.child_by_field_name("property")) in _UNCHAINED:
            break
        current = unwrap(callee.child_by_field_name("object"))
    return found


def callback_loop(
    source: bytes, call: Node, callee: Node, method: str, arguments: Node | None
) -> tuple[Node, CallbackLoop] | None:
    """``xs.forEach(x => ...)`` and friends: the callback node and what the loop will record."""
    args = named_args(arguments)
    if not args or args[0].type not in _CALLBACKS:
        return None
    receiver = callee.child_by_field_name("object")
    batched = method == "map" and _feeds_batch(source, call)
    loop = CallbackLoop(
        kind=method,
        iterable=short_text(source, receiver) if receiver is not None else "",
        literal_size=literal_size(receiver),
        batched=batched,
        result_name=_bound_name(source, call) if method == "map" and not batched else None,
    )
    return args[0], loop


def literal_size(node: Node | None) -> int | None:
    node = unwrap(node)
    if node is None or node.type != "array":
        return None
    return len(named_args(node))


_CONSTANT_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_DEFAULTS = frozenset({"assignment_pattern", "object_assignment_pattern", "required_parameter", "optional_parameter"})


def iterates_constant(source: bytes, iterable: Node | None, function: Node | None) -> bool:
    """``for (const s of STATUSES)``, or over a parameter whose default is one (``{ status = STATUSES }``)."""
    iterable = unwrap(iterable)
    if iterable is None or iterable.type != "identifier":
        return False
    name = text(source, iterable)
    if _CONSTANT_NAME.match(name):
        return True
    formal = function.child_by_field_name("parameters") if function is not None else None
    stack = list(formal.named_children) if formal is not None else []
    while stack:
        node = stack.pop()
        stack.extend(node.named_children)
        if node.type not in _DEFAULTS:
            continue
        target = node.child_by_field_name("left") or node.child_by_field_name("pattern")
        value = node.child_by_field_name("right") or node.child_by_field_name("value")
        if target is not None and value is not None and text(source, target) == name:
            return value.type == "identifier" and bool(_CONSTANT_NAME.match(text(source, value)))
    return False


def _feeds_batch(source: bytes, call: Node) -> bool:
    parent = call.parent
    while parent is not None and (parent.type in TRANSPARENT or parent.type == "await_expression"):
        parent = parent.parent
    outer = parent.parent if parent is not None and parent.type == "arguments" else None
    callee = outer.child_by_field_name("function") if outer is not None and outer.type == "call_expression" else None
    return callee is not None and is_batcher(code_text(source, callee))


def is_batcher(callee: str) -> bool:
    """``Promise.all``-like calls that run an array of queries together, not one after another."""
    # `await Promise.all<T>(...)` parses with `await Promise.all` as the callee (a grammar quirk)
    name = callee.removeprefix("await ").strip()
    # `prisma.$transaction(items.map(...))` sends the whole array as one batched transaction
    return name in BATCHERS or name.endswith(".$transaction")


def _bound_name(source: bytes, call: Node) -> str | None:
    parent = call.parent
    if parent is not None and parent.type == "variable_declarator" and parent.child_by_field_name("value") == call:
        name = parent.child_by_field_name("name")
        if name is not None and name.type == "identifier":
            return text(source, name)
    return None


def batched_name(source: bytes, arguments: Node | None) -> str | None:
    """``Promise.all(promises)``: the variable handed over whole, whose ``.map`` loop then runs batched."""
    args = named_args(arguments)
    if len(args) == 1 and args[0].type == "identifier":
        return text(source, args[0])
    return None


def await_fact(
    source: bytes, node: Node, uses_query: Query, function: str | None, loops: tuple[int, ...]
) -> Await:
    whole = misparsed_await_call(node)
    if whole is not None:
        operand: Node | None = whole
        where = span_between(node, whole)
    else:
        operand = unwrap(node.named_children[0]) if node.named_child_count else None
        where = span(node)
    call = None
    uses: tuple[str, ...] = ()
    if operand is not None:
        callee = callee_node(operand)[0] if operand.type in ("call_expression", "new_expression") else None
        call = code_text(source, callee) if callee is not None else None
        found = sorted(QueryCursor(uses_query).captures(operand).get("id", ()), key=_start)
        uses = tuple(dict.fromkeys(text(source, name) for name in found))
    return Await(where, function, call, _await_targets(source, whole or node), uses, loops)


def _start(node: Node) -> int:
    return node.start_byte


def _await_targets(source: bytes, node: Node) -> tuple[str, ...]:
    parent = node.parent
    while parent is not None and parent.type in TRANSPARENT:
        node, parent = parent, parent.parent
    if parent is None:
        return ()
    if parent.type == "variable_declarator" and parent.child_by_field_name("value") == node:
        return tuple(pattern_names(source, parent.child_by_field_name("name")))
    if parent.type == "assignment_expression" and parent.child_by_field_name("right") == node:
        return tuple(pattern_names(source, parent.child_by_field_name("left")))
    return ()


def jsx_fact(source: bytes, node: Node, function: str | None, loops: tuple[int, ...]) -> JsxElement | None:
    name = node.child_by_field_name("name")
    if name is None:
        return None  # a fragment ``<>``
    props = tuple(_prop(source, attribute) for attribute in node.children_by_field_name("attribute"))
    return JsxElement(code_text(source, name), span(node), function, props, loops)


def _prop(source: bytes, attribute: Node) -> JsxProp:
    parts = named_args(attribute)
    if attribute.type == "jsx_expression":
        spread = parts[0] if parts else attribute
        return JsxProp("...", "spread", span(attribute), short_text(source, spread))
    name = code_text(source, parts[0]) if parts else ""
    value = parts[1] if len(parts) > 1 else None
    if value is None:
        return JsxProp(name, "literal", span(attribute))
    if value.type == "jsx_expression":
        inner = named_args(value)
        value = unwrap(inner[0]) if inner else None
        if value is None:
            return JsxProp(name, "other", span(attribute))
    kind = _PROP_KINDS.get(value.type)
    if kind is None:
        is_literal = value.type in _LITERALS or (
            value.type == "template_string" and not any(c.type == "template_substitution" for c in value.named_children)
        )
        kind = "literal" if is_literal else "other"
    return JsxProp(name, kind, span(attribute), short_text(source, value))


def sql_fact(source: bytes, node: Node, function: str | None, loops: tuple[int, ...]) -> SqlString | None:
    start = node.start_byte
    if node.end_byte - start < _SHORTEST_SQL or not _MAYBE_SQL.match(source, start + 1):
        return None
    if node.type == "string":
        value, kind = source[node.start_byte + 1 : node.end_byte - 1].decode("utf-8", "replace"), "string"
    else:
        value, kind = template_text(source, node), "template"
    if not looks_like_sql(value):
        return None
    tag = call = None
    parent = node.parent
    if parent is not None and parent.type == "call_expression" and parent.child_by_field_name("arguments") == node:
        callee = callee_node(parent)[0]
        kind, tag = "tagged", code_text(source, callee) if callee is not None else None
    elif parent is not None and parent.type == "arguments" and parent.parent is not None:
        callee = callee_node(parent.parent)[0]
        call = code_text(source, callee) if callee is not None else None
    return SqlString(value, span(node), function, kind, tag, call, loops)
