"""Small, pure helpers over tree-sitter JS/TS nodes: spans, text, receiver chains, binding patterns."""

from __future__ import annotations

import re

from tree_sitter import Node

from analyzers.facts import Span

MAX_TEXT = 200

# Expression wrappers that do not change what value flows through (TypeScript casts, parentheses).
TRANSPARENT = frozenset({"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression"})
_NAME_NODES = frozenset({"identifier", "this", "super", "property_identifier", "private_property_identifier", "import"})
# Annotations that can name a class; ``string``, unions and object types cannot.
_CLASS_TYPES = frozenset({"type_identifier", "nested_type_identifier"})
_RECEIVERS = frozenset({"member_expression", "subscript_expression"})
_DOTTED = re.compile(r"[\w$#]+(?:\??\.[\w$#]+)*\Z")
_LINE_BREAK = re.compile(r"\s*\n\s*")
_SPACES = re.compile(r"\s+")


def span(node: Node) -> Span:
    start, end = node.start_point, node.end_point
    return Span(start[0] + 1, start[1] + 1, end[0] + 1, end[1] + 1, node.start_byte, node.end_byte)


def span_between(first: Node, last: Node) -> Span:
    """From the start of ``first`` to the end of ``last``."""
    start, end = first.start_point, last.end_point
    return Span(start[0] + 1, start[1] + 1, end[0] + 1, end[1] + 1, first.start_byte, last.end_byte)


def text(source: bytes, node: Node) -> str:
    return source[node.start_byte : node.end_byte].decode("utf-8", "replace")


def short_text(source: bytes, node: Node) -> str:
    """At most ``MAX_TEXT`` characters; only the bytes that can hold them are decoded (4 per character)."""
    start, end = node.start_byte, node.end_byte
    if end - start > 4 * MAX_TEXT:
        end = start + 4 * MAX_TEXT
    return source[start:end].decode("utf-8", "replace")[:MAX_TEXT]


def code_text(source: bytes, node: Node) -> str:
    """Source text with whitespace collapsed, at most ``MAX_TEXT`` characters (a callee can be a whole
    function expression); a chain split over lines (``a\\n  .b``) joins up as ``a.b``."""
    raw = short_text(source, node)
    if "\n" in raw:
        raw = _LINE_BREAK.sub("", raw)
    return _SPACES.sub(" ", raw) if "  " in raw or "\t" in raw else raw


def unwrap(node: Node | None) -> Node | None:
    """Strip parentheses and TypeScript casts around an expression."""
    while node is not None and node.type in TRANSPARENT:
        node = node.named_children[0] if node.named_child_count else None
    return node


def same_node(node: Node | None, other: Node) -> bool:
    """Whether ``node``, a child field that may be missing, is the node ``other``."""
    return node is not None and node.id == other.id


def named_args(node: Node | None) -> list[Node]:
    """Named children without comments (the only "extra" nodes in these grammars)."""
    if node is None:
        return []
    return [child for child in node.named_children if not child.is_extra]


def string_value(source: bytes, node: Node | None) -> str | None:
    """The value of a plain string literal or a template without substitutions, else None."""
    if node is None:
        return None
    if node.type == "string" or (node.type == "template_string" and not _has_child(node, "template_substitution")):
        return source[node.start_byte + 1 : node.end_byte - 1].decode("utf-8", "replace")
    return None


def template_text(source: bytes, node: Node) -> str:
    """A template literal's text between the backticks, each ``${...}`` replaced by ``?``."""
    pieces: list[bytes] = []
    pos = node.start_byte + 1
    for child in node.named_children:
        if child.type == "template_substitution":
            pieces.append(source[pos : child.start_byte])
            pieces.append(b"?")
            pos = child.end_byte
    pieces.append(source[pos : node.end_byte - 1])
    return b"".join(pieces).decode("utf-8", "replace")


def chain(source: bytes, node: Node, written: str) -> tuple[str, ...]:
    """Receiver chain of a callee: ``this.a.b`` -> (this, a, b); ``db.c('x').find`` -> (db, c(), find).

    ``written`` is the callee's text; plain dotted names, the common case, are split without the tree.
    """
    if len(written) < MAX_TEXT and _DOTTED.match(written):
        return tuple(written.replace("?.", ".").split("."))
    parts: list[str] = []
    called = False
    current: Node | None = node
    while current is not None:
        kind = current.type
        if kind in TRANSPARENT:
            current = unwrap(current)
            continue
        if kind in ("call_expression", "new_expression"):
            called = True
            current = current.child_by_field_name("function" if kind == "call_expression" else "constructor")
            continue
        if kind in _NAME_NODES:
            part = text(source, current)
        elif kind == "member_expression":
            part = text(source, current.child_by_field_name("property"))
        elif kind == "subscript_expression":
            part = string_value(source, current.child_by_field_name("index")) or "?"
        else:
            part = "?"
        parts.append(part + "()" if called and part != "?" else part)
        called = False
        current = current.child_by_field_name("object") if kind in _RECEIVERS else None
    parts.reverse()
    return tuple(parts)


def last_name(source: bytes, callee: Node) -> str:
    """The called name: ``React.memo`` -> ``memo``."""
    return chain(source, callee, code_text(source, callee))[-1]


def pattern_names(source: bytes, node: Node | None) -> list[str]:
    """Names a binding pattern introduces: ``{a, b: c, ...d}`` -> [a, c, d]; ``[x = 1, y]`` -> [x, y]."""
    if node is None:
        return []
    kind = node.type
    if kind in ("identifier", "shorthand_property_identifier_pattern"):
        return [text(source, node)]
    if kind in ("object_pattern", "array_pattern", "rest_pattern"):
        return [name for child in node.named_children for name in pattern_names(source, child)]
    if kind == "pair_pattern":
        return pattern_names(source, node.child_by_field_name("value"))
    if kind in ("assignment_pattern", "object_assignment_pattern"):
        return pattern_names(source, node.child_by_field_name("left"))
    if kind in ("required_parameter", "optional_parameter"):
        return pattern_names(source, node.child_by_field_name("pattern"))
    return []


def type_name(source: bytes, annotated: Node) -> str | None:
    """The class named by a node's TypeScript annotation: ``repo: Repository<User>`` -> ``Repository``."""
    annotation = annotated.child_by_field_name("type")
    if annotation is None or not annotation.named_child_count:
        return None
    target = annotation.named_children[0]
    if target.type == "generic_type":
        target = target.child_by_field_name("name")
    if target is None or target.type not in _CLASS_TYPES:
        return None
    return code_text(source, target)


def params(source: bytes, fn: Node) -> tuple[tuple[str, ...], dict[str, str]]:
    """Parameter names (destructured ones contribute each name) and the annotated class of simple ones."""
    single = fn.child_by_field_name("parameter")
    if single is not None:
        return (text(source, single),), {}
    formal = fn.child_by_field_name("parameters")
    names: list[str] = []
    types: dict[str, str] = {}
    for param in named_args(formal):
        found = pattern_names(source, param)
        names.extend(found)
        if len(found) == 1 and param.type in ("required_parameter", "optional_parameter"):
            annotated = type_name(source, param)
            if annotated:
                types[found[0]] = annotated
    return tuple(names), types


def has_token(node: Node, token: str) -> bool:
    """True if ``node`` has a direct child of type ``token`` (keywords such as ``default``, ``type``, ``static``)."""
    return any(child.type == token for child in node.children)


def _has_child(node: Node, kind: str) -> bool:
    return any(child.type == kind for child in node.named_children)
