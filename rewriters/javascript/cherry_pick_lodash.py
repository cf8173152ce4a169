"""cherry-pick-lodash: `import _ from 'lodash'` used only as `_.get(...)` -> `import get from 'lodash/get'`.

The edits are computed from the source with tree-sitter at rewrite time: facts do not record every reference
to a name, and the rewrite is only safe when every reference is a direct method call.
"""

from __future__ import annotations

from collections.abc import Collection

from tree_sitter import Node

from optimizer.findings import Edit
from rewriters.edits import NoFix
from rewriters.javascript._tree import asked_for, line, node_lines, node_text, nodes_by_text, read_tree

CODEMOD_ID = "cherry-pick-lodash"
LIBRARY = "lodash"

# node types that bind or read a plain name; a clash with any of them makes a new import name unsafe
_NAME_NODES = frozenset({
    "identifier", "shorthand_property_identifier", "shorthand_property_identifier_pattern", "type_identifier",
})  # fmt: skip
# names a per-method import cannot take; lodash has no such methods today, a fork might
_RESERVED = frozenset({
    "arguments", "await", "break", "case", "catch", "class", "const", "continue", "debugger", "default",
    "delete", "do", "else", "enum", "eval", "export", "extends", "false", "finally", "for", "function", "if",
    "implements", "import", "in", "instanceof", "interface", "let", "new", "null", "package", "private",
    "protected", "public", "return", "static", "super", "switch", "this", "throw", "true", "try", "typeof",
    "var", "void", "while", "with", "yield",
})  # fmt: skip


def compute_edits(source: bytes, language: str, lines: Collection[int] | None = None) -> list[Edit]:
    """Edits that cherry-pick every whole-lodash import of the file; raise NoFix when one is unsafe."""
    root = read_tree(source, language)
    imports = [
        node
        for node in root.children
        if node.type == "import_statement" and _lodash_local(node) and asked_for(lines, *node_lines(node))
    ]
    if not imports:
        return []
    names = nodes_by_text(root, _NAME_NODES)
    edits: list[Edit] = []
    for statement in imports:
        edits += _cherry_pick(source, statement, _lodash_local(statement) or "", names)
    return edits


def _lodash_local(statement: Node) -> str | None:
    """The local name of a lone default or namespace import of lodash, else None."""
    source = statement.child_by_field_name("source")
    clause = next((c for c in statement.children if c.type == "import_clause"), None)
    if source is None or clause is None or node_text(source)[1:-1] != LIBRARY:
        return None
    if len(clause.named_children) != 1:
        return None  # `import _, { map } from 'lodash'` mixes forms; left to a person
    only = clause.named_children[0]
    if only.type == "identifier":
        return node_text(only)
    if only.type == "namespace_import" and only.named_children:
        return node_text(only.named_children[-1])
    return None


def _cherry_pick(source: bytes, statement: Node, local: str, names: dict[str, list[Node]]) -> list[Edit]:
    methods: set[str] = set()
    edits: list[Edit] = []
    for node in names.get(local, []):
        if _inside(node, statement):
            continue
        member = node.parent
        call = member.parent if member is not None else None
        prop = member.child_by_field_name("property") if member is not None else None
        is_call = (
            member is not None
            and member.type == "member_expression"
            and member.child_by_field_name("object") == node
            and prop is not None
            and prop.type == "property_identifier"
            and node_text(member) == f"{local}.{node_text(prop)}"
            and call is not None
            and call.type == "call_expression"
            and call.child_by_field_name("function") == member
        )
        if not is_call:
            raise NoFix(f"`{local}` is used other than as `{local}.method(...)` on line {line(node)}")
        method = node_text(prop)
        if method in _RESERVED:
            raise NoFix(f"`{method}` cannot be a variable name")
        if method in names:
            raise NoFix(f"the name `{method}` is already used in this file")
        methods.add(method)
        edits.append(Edit(member.start_byte, member.end_byte, method))
    if not methods:
        raise NoFix(f"`{local}` is never called; remove the import by hand if it is unused")
    quote = node_text(statement.child_by_field_name("source"))[0]
    semicolon = ";" if node_text(statement).endswith(";") else ""
    newline = "\r\n" if b"\r\n" in source else "\n"
    lines = [f"import {m} from {quote}{LIBRARY}/{m}{quote}{semicolon}" for m in sorted(methods)]
    edits.append(Edit(statement.start_byte, statement.end_byte, newline.join(lines)))
    return edits


def _inside(node: Node, outer: Node) -> bool:
    return outer.start_byte <= node.start_byte and node.end_byte <= outer.end_byte

