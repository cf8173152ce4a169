"""Imports and exports of a JS/TS module: ESM statements, ``require``, dynamic ``import()``, CommonJS exports."""

from __future__ import annotations

from tree_sitter import Node

from analyzers.facts import Export, Import, ImportedName
from analyzers.js_functions import KINDS, WRAPPERS
from analyzers.js_nodes import (
    TRANSPARENT,
    has_token,
    last_name,
    named_args,
    pattern_names,
    span,
    string_value,
    text,
    unwrap,
)

_DECLARATION_LISTS = frozenset({"lexical_declaration", "variable_declaration"})


def esm_import(source: bytes, node: Node) -> Import | None:
    """``import d, {a as b} from 'm'``, ``import * as ns from 'm'``, ``import 'm'``, TS ``import x = require('m')``."""
    names: list[ImportedName] = []
    specifier = string_value(source, node.child_by_field_name("source"))
    for clause in node.named_children:
        if clause.type == "import_require_clause":
            local = clause.named_children[0]
            required = string_value(source, clause.child_by_field_name("source"))
            if required is None:
                return None
            return Import(required, (ImportedName("*", text(source, local)),), "require", span(node))
        if clause.type == "import_clause":
            names.extend(_clause_names(source, clause))
    if specifier is None:
        return None
    return Import(specifier, tuple(names), "esm", span(node), type_only=has_token(node, "type"))


def _clause_names(source: bytes, clause: Node) -> list[ImportedName]:
    names: list[ImportedName] = []
    for part in clause.named_children:
        if part.type == "identifier":
            names.append(ImportedName("default", text(source, part)))
        elif part.type == "namespace_import":
            names.append(ImportedName("*", text(source, part.named_children[0])))
        elif part.type == "named_imports":
            for item in part.named_children:
                if item.type == "import_specifier":
                    imported = _name(source, item.child_by_field_name("name"))
                    alias = item.child_by_field_name("alias")
                    names.append(ImportedName(imported, _name(source, alias) if alias is not None else imported))
    return names


def export_statement(source: bytes, node: Node) -> tuple[list[Export], Import | None]:
    """The exports an ``export ...`` statement makes, and the import it implies when it re-exports."""
    line = node.start_point[0] + 1
    origin = node.child_by_field_name("source")
    if origin is not None:
        return _reexports(source, node, origin, line)
    exports: list[Export] = []
    declaration = node.child_by_field_name("declaration")
    value = node.child_by_field_name("value")
    if declaration is not None and has_token(node, "default"):
        exports.append(Export("default", _declared_name(source, declaration), "default", line))
    elif declaration is not None:
        exports.extend(Export(name, name, "named", line) for name in _declared_names(source, declaration))
    elif value is not None:
        exports.append(Export("default", _value_name(source, value), "default", line))
    for child in node.named_children:
        if child.type == "export_clause":
            for local, exported, item_line in _specifiers(source, child):
                kind = "default" if exported == "default" else "named"
                exports.append(Export(exported, local, kind, item_line))
        elif declaration is None and value is None and child.type == "identifier":
            # TypeScript ``export = name``
            exports.append(Export("default", text(source, child), "default", line))
    return exports, None


def _specifiers(source: bytes, clause: Node):
    """(name, exported as, line) for each ``a`` / ``a as b`` of an ``export { ... }`` clause."""
    for item in clause.named_children:
        if item.type == "export_specifier":
            name = _name(source, item.child_by_field_name("name"))
            alias = item.child_by_field_name("alias")
            yield name, _name(source, alias) if alias is not None else name, item.start_point[0] + 1


def _reexports(source: bytes, node: Node, origin: Node, line: int) -> tuple[list[Export], Import | None]:
    specifier = string_value(source, origin)
    if specifier is None:
        return [], None
    exports: list[Export] = []
    names: list[ImportedName] = []
    for child in node.named_children:
        if child.type == "export_clause":
            for imported, exported, item_line in _specifiers(source, child):
                exports.append(Export(exported, imported, "reexport", item_line, specifier))
                names.append(ImportedName(imported, exported))
        elif child.type == "namespace_export":
            exported = _name(source, child.named_children[0])
            exports.append(Export(exported, None, "reexport", line, specifier))
            names.append(ImportedName("*", exported))
    if not exports:
        exports.append(Export("*", None, "all", line, specifier))
    imported = Import(specifier, tuple(names), "esm", span(node), type_only=has_token(node, "type"))
    return exports, imported


def call_import(source: bytes, call: Node, callee: Node, function: str | None) -> Import | None:
    """``require('m')`` / ``import('m')`` with the names bound from it: ``const {a} = require('m')``."""
    kind = "dynamic" if callee.type == "import" else "require"
    args = named_args(call.child_by_field_name("arguments"))
    specifier = string_value(source, args[0]) if args else None
    if specifier is None:
        return None
    return Import(specifier, _required_names(source, call), kind, span(call), function=function)


def _required_names(source: bytes, call: Node) -> tuple[ImportedName, ...]:
    node, parent = call, call.parent
    while parent is not None and (parent.type in TRANSPARENT or parent.type == "await_expression"):
        node, parent = parent, parent.parent
    imported = "*"
    if parent is not None and parent.type == "member_expression" and parent.child_by_field_name("object") == node:
        imported = text(source, parent.child_by_field_name("property"))
        node, parent = parent, parent.parent
    if parent is None or parent.type != "variable_declarator" or parent.child_by_field_name("value") != node:
        return ()
    target = parent.child_by_field_name("name")
    if target is None:
        return ()
    if target.type == "identifier":
        return (ImportedName(imported, text(source, target)),)
    if target.type != "object_pattern" or imported != "*":
        return tuple(ImportedName("*", name) for name in pattern_names(source, target))
    names: list[ImportedName] = []
    for part in target.named_children:
        if part.type == "pair_pattern":
            key = _name(source, part.child_by_field_name("key"))
            names.extend(ImportedName(key, local) for local in pattern_names(source, part.child_by_field_name("value")))
        elif part.type == "rest_pattern":
            names.extend(ImportedName("*", local) for local in pattern_names(source, part))
        else:
            names.extend(ImportedName(local, local) for local in pattern_names(source, part))
    return tuple(names)


def commonjs_exports(source: bytes, assignment: Node) -> list[Export]:
    """``module.exports = X`` / ``= {a, b}``, ``module.exports.x = ...``, ``exports.x = ...``."""
    left = assignment.child_by_field_name("left")
    right = unwrap(assignment.child_by_field_name("right"))
    if left is None or right is None or left.type != "member_expression":
        return []
    target = text(source, left)
    line = assignment.start_point[0] + 1
    if target == "module.exports":
        if right.type != "object":
            return [Export("default", _value_name(source, right), "default", line)]
        exports = []
        for part in right.named_children:
            if part.type == "shorthand_property_identifier":
                name = text(source, part)
                exports.append(Export(name, name, "named", part.start_point[0] + 1))
            elif part.type in ("pair", "method_definition"):
                key = part.child_by_field_name("key") or part.child_by_field_name("name")
                name = _name(source, key)
                value = part.child_by_field_name("value")
                local = name if value is None else _value_name(source, value, name)
                exports.append(Export(name, local, "named", part.start_point[0] + 1))
        return exports
    obj = left.child_by_field_name("object")
    if obj is not None and text(source, obj) in ("module.exports", "exports"):
        name = text(source, left.child_by_field_name("property"))
        return [Export(name, _value_name(source, right, name), "named", line)]
    return []


def _declared_name(source: bytes, declaration: Node) -> str | None:
    name = declaration.child_by_field_name("name")
    return text(source, name) if name is not None else None


def _declared_names(source: bytes, declaration: Node) -> list[str]:
    if declaration.type == "ambient_declaration" and declaration.named_child_count:
        declaration = declaration.named_children[0]
    if declaration.type in _DECLARATION_LISTS:
        return [
            name
            for declarator in declaration.named_children
            if declarator.type == "variable_declarator"
            for name in pattern_names(source, declarator.child_by_field_name("name"))
        ]
    name = _declared_name(source, declaration)
    return [name] if name else []


def _value_name(source: bytes, value: Node, assigned: str | None = None) -> str | None:
    """The local a default/CommonJS export refers to: an identifier, or the function/class it defines,
    named the way the front-end names it (after the property it is assigned to, else its own name)."""
    value = unwrap(value)
    if value is None:
        return None
    if value.type == "identifier":
        return text(source, value)
    if value.type in KINDS:
        return assigned or _declared_name(source, value) or "default"
    if value.type == "call_expression":
        # ``export default memo(List)``: the export is the wrapped component
        callee = value.child_by_field_name("function")
        args = named_args(value.child_by_field_name("arguments"))
        wrapped = args[0] if args and args[0].type == "identifier" else None
        if wrapped is not None and callee is not None and last_name(source, callee) in WRAPPERS:
            return text(source, wrapped)
    return None


def _name(source: bytes, node: Node | None) -> str:
    if node is None:
        return ""
    return string_value(source, node) or text(source, node)
