"""How a JS/TS function, method or class is named: its own name, or the variable, property, field or
export it is assigned to, seen through wrappers such as ``memo(...)`` and ``useCallback(...)``."""

from __future__ import annotations

from dataclasses import dataclass, field

from tree_sitter import Node

from analyzers.facts import Function
from analyzers.js_nodes import (
    TRANSPARENT,
    last_name,
    named_args,
    span,
    string_value,
    text,
    unwrap,
)

KINDS = {
    "function_declaration": "function",
    "generator_function_declaration": "function",
    "function_expression": "function",
    "generator_function": "function",
    "arrow_function": "arrow",
    "method_definition": "method",
    "class_declaration": "class",
    "abstract_class_declaration": "class",
    "class": "class",
}
_DECLARATIONS = frozenset(
    {"function_declaration", "generator_function_declaration", "class_declaration", "abstract_class_declaration"}
)
_GENERATORS = frozenset({"generator_function_declaration", "generator_function"})
_LITERALS = frozenset({"object", "array"})
_CLASS_FIELDS = frozenset({"public_field_definition", "field_definition"})
# Calls that wrap a function without changing what it is: the wrapped function takes the variable's name.
WRAPPERS = frozenset({"memo", "forwardRef", "useCallback", "useMemo", "observer", "lazy"})


@dataclass(slots=True)
class FunctionRecord:
    """A function while the sweep is still learning about it (whether it renders JSX)."""

    qualname: str
    name: str
    kind: str
    node: Node
    class_name: str | None
    parent: str | None
    top_level: bool
    params: tuple[str, ...] = ()
    param_types: dict[str, str] = field(default_factory=dict)
    has_jsx: bool = False

    def freeze(self, exported_locals: set[str], decorators: dict[int, list[str]]) -> Function:
        node = self.node
        tokens = {child.type for child in node.children}
        return Function(
            qualname=self.qualname,
            name=self.name,
            kind=self.kind,
            span=span(node),
            is_async="async" in tokens,
            is_component=self.has_jsx and self.name[:1].isupper(),
            class_name=self.class_name,
            parent=self.parent,
            params=self.params,
            decorators=tuple(decorators.get(node.id, ())),
            exported=self.top_level and self.qualname in exported_locals,
            is_generator=node.type in _GENERATORS or "*" in tokens,
            returns_literal=self.kind != "class" and _returns_literal(node),
        )


def _returns_literal(fn: Node) -> bool:
    """Whether ``fn`` returns an object or array literal: its expression body, or a ``return`` in its own body
    (nested functions return for themselves)."""
    body = fn.child_by_field_name("body")
    if body is None or body.type != "statement_block":
        return _is_literal(body)
    pending = list(body.named_children)
    while pending:
        node = pending.pop()
        if node.type == "return_statement":
            if any(_is_literal(child) for child in node.named_children):
                return True
        elif node.type not in KINDS:
            pending.extend(node.named_children)
    return False


def _is_literal(node: Node | None) -> bool:
    node = unwrap(node)
    return node is not None and node.type in _LITERALS


@dataclass(frozen=True, slots=True)
class Naming:
    """What the surroundings say about a function: its name, the object or class it is a member of, and
    whether it is an anonymous callback handed to a call."""

    name: str | None
    owner: str | None = None
    callback: bool = False
    member: bool = False


def naming(source: bytes, fn: Node) -> Naming:
    own = fn.child_by_field_name("name")
    own_name = _key_name(source, own) if own is not None else None
    if fn.type in _DECLARATIONS:
        return Naming(own_name)
    if fn.type == "method_definition":
        parent = fn.parent
        if parent is not None and parent.type == "object":
            return Naming(own_name, owner=_object_owner(source, parent))
        return Naming(own_name, member=True)
    node, parent = _climb(source, fn)
    if parent is None:
        return Naming(own_name)
    kind = parent.type
    if kind == "variable_declarator" and parent.child_by_field_name("value") == node:
        declared = parent.child_by_field_name("name")
        if declared is not None and declared.type == "identifier":
            return Naming(text(source, declared))
    elif kind == "assignment_expression" and parent.child_by_field_name("right") == node:
        return Naming(_assigned_name(source, parent.child_by_field_name("left"), own_name))
    elif kind == "pair" and parent.child_by_field_name("value") == node:
        owner = _object_owner(source, parent.parent) if parent.parent is not None else None
        return Naming(_key_name(source, parent.child_by_field_name("key")), owner=owner)
    elif kind in _CLASS_FIELDS and (parent.child_by_field_name("value") == node):
        key = parent.child_by_field_name("name") or parent.child_by_field_name("property")
        return Naming(_key_name(source, key), member=True)
    elif kind == "export_statement":
        return Naming(own_name or "default")
    elif own_name is None and (
        kind == "arguments" or (kind == "call_expression" and parent.child_by_field_name("function") == node)
    ):
        # Passed to a call, or called on the spot: the body runs in the caller's flow.
        return Naming(None, callback=True)
    return Naming(own_name)


def _climb(source: bytes, fn: Node) -> tuple[Node, Node | None]:
    """Go up from a function expression through parentheses, casts and wrapper calls like ``memo(fn)``."""
    node, parent = fn, fn.parent
    while parent is not None:
        if parent.type in TRANSPARENT:
            node, parent = parent, parent.parent
            continue
        call = parent.parent
        if (
            parent.type == "arguments"
            and call is not None
            and call.type == "call_expression"
            and named_args(parent)[:1] == [node]
            and (callee := call.child_by_field_name("function")) is not None
            and last_name(source, callee) in WRAPPERS
        ):
            node, parent = call, call.parent
            continue
        break
    return node, parent


def _assigned_name(source: bytes, left: Node | None, own_name: str | None) -> str | None:
    if left is None:
        return own_name
    if left.type == "identifier":
        return text(source, left)
    if left.type == "member_expression":
        if text(source, left) == "module.exports":
            return own_name or "default"
        return text(source, left.child_by_field_name("property"))
    return own_name


def _object_owner(source: bytes, obj: Node) -> str | None:
    """The name an object literal is known by: ``const api = {...}`` -> api; ``export default {...}``."""
    parent = obj.parent
    while parent is not None and parent.type in TRANSPARENT:
        obj, parent = parent, parent.parent
    if parent is None:
        return None
    if parent.type == "variable_declarator":
        declared = parent.child_by_field_name("name")
        return text(source, declared) if declared is not None and declared.type == "identifier" else None
    if parent.type == "export_statement":
        return "default"
    return None


def _key_name(source: bytes, key: Node | None) -> str | None:
    if key is None:
        return None
    return string_value(source, key) or text(source, key)


def decorated(node: Node) -> Node | None:
    """The class, method, field or parameter a ``decorator`` node applies to. TypeScript puts method
    decorators before the method in the class body, and a class's before ``export``."""
    parent = node.parent
    if parent is None:
        return None
    if parent.type == "class_body":
        target = node.next_named_sibling
        while target is not None and target.type == "decorator":
            target = target.next_named_sibling
        return target
    if parent.type == "export_statement":
        return parent.child_by_field_name("declaration")
    return parent
