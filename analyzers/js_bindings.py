"""Bindings of names to instances (``const prisma = new PrismaClient()``, ``this.repo = new Repo()``, TS
parameter properties and typed class fields), used later to resolve ``this.repo.find()`` to ``Repo.find``."""

from __future__ import annotations

from tree_sitter import Node

from analyzers.facts import Binding
from analyzers.js_nodes import (
    code_text,
    has_token,
    pattern_names,
    short_text,
    text,
    type_name,
    unwrap,
)


def declarator_binding(source: bytes, node: Node, scope: str | None) -> Binding | None:
    """``const x = new X()`` / ``= make()`` / ``= await make()`` / ``= other``."""
    name = node.child_by_field_name("name")
    if name is None:
        return None
    return _value_binding(source, text(source, name), node.child_by_field_name("value"), node, scope, {})


def literal_binding(source: bytes, node: Node, scope: str | None) -> Binding | None:
    """``const style = { ... }`` / ``const cols = [...]``: a name bound to an object or array literal."""
    name = node.child_by_field_name("name")
    value = unwrap(node.child_by_field_name("value"))
    if name is None or name.type != "identifier" or value is None or value.type not in ("object", "array"):
        return None
    return Binding(text(source, name), short_text(source, value), value.type, node.start_point[0] + 1, scope)


def assignment_binding(
    source: bytes, node: Node, class_scope: str | None, scope: str | None, param_types: dict[str, str]
) -> Binding | None:
    """``this.service = new Service()`` in a class (scope: the class), or ``x = new X()`` (scope: the function)."""
    left = node.child_by_field_name("left")
    if left is None:
        return None
    name = code_text(source, left)
    if name.startswith("this.") and class_scope is not None:
        scope = class_scope
    return _value_binding(source, name, node.child_by_field_name("right"), node, scope, param_types)


def field_binding(source: bytes, node: Node, class_qualname: str, class_name: str) -> Binding | None:
    """A class field: ``private repo = new Repo()`` (new) or ``private repo: Repo`` (param_type)."""
    key = node.child_by_field_name("name") or node.child_by_field_name("property")
    if key is None:
        return None
    owner = class_name if has_token(node, "static") else "this"
    name = f"{owner}.{text(source, key)}"
    value = node.child_by_field_name("value")
    if value is not None:
        return _value_binding(source, name, value, node, class_qualname, {})
    annotated = type_name(source, node)
    if annotated is None:
        return None
    return Binding(name, annotated, "param_type", node.start_point[0] + 1, class_qualname)


def parameter_property_binding(source: bytes, node: Node, class_qualname: str | None) -> Binding | None:
    """TypeScript ``constructor(private readonly repo: Repo)`` declares and assigns ``this.repo``."""
    names = pattern_names(source, node)
    annotated = type_name(source, node)
    if class_qualname is None or len(names) != 1 or annotated is None:
        return None
    return Binding(f"this.{names[0]}", annotated, "param_type", node.start_point[0] + 1, class_qualname)


def _value_binding(
    source: bytes, name: str, value: Node | None, at: Node, scope: str | None, param_types: dict[str, str]
) -> Binding | None:
    value = unwrap(value)
    if value is not None and value.type == "await_expression" and value.named_child_count:
        value = unwrap(value.named_children[0])
    if value is None:
        return None
    line = at.start_point[0] + 1
    kind = value.type
    if kind == "new_expression":
        constructor = value.child_by_field_name("constructor")
        return Binding(name, code_text(source, constructor), "new", line, scope) if constructor is not None else None
    if kind == "call_expression":
        callee = value.child_by_field_name("function")
        if callee is None or callee.type == "import" or text(source, callee) == "require":
            return None  # recorded as an import
        return Binding(name, code_text(source, callee), "call", line, scope)
    if kind == "identifier":
        local = text(source, value)
        if local in param_types:
            return Binding(name, param_types[local], "param_type", line, scope)
        return Binding(name, local, "alias", line, scope)
    if kind == "member_expression":
        written = code_text(source, value)
        if written.startswith("require("):
            return None  # ``require('m').x``: recorded as an import
        return Binding(name, written, "alias", line, scope)
    return None
