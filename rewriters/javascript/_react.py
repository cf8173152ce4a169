"""Tree-sitter helpers shared by the React codemods: walking, the names a component binds, and the React import."""

from __future__ import annotations

from tree_sitter import Node

from analyzers.facts import ModuleFacts
from analyzers.frontends import parse_source
from analyzers.js_queries import grammar
from optimizer.findings import Edit
from rewriters.edits import NoFix

FUNCTIONS = frozenset({"function_declaration", "function_expression", "arrow_function", "method_definition"})
# nodes under a parameter or declarator name that bind the identifiers below them
_PATTERN_NAMES = frozenset({"identifier", "shorthand_property_identifier_pattern"})
# the front-end only reads the path for messages; the language is passed explicitly
_PATH = {"typescript": "input.ts", "tsx": "input.tsx", "javascript": "input.jsx"}


def module_facts(source: bytes, language: str) -> ModuleFacts:
    """The facts the detectors read, for the codemod to find the same sites again on the current text."""
    return parse_source(_PATH.get(language, "input.jsx"), language, source)


def parse_expression(code: str, language: str) -> Node | None:
    """The expression ``code`` (a prop's text from the facts) parsed on its own; None when it does not parse."""
    root = grammar(language).parser.parse(f"({code});".encode()).root_node
    statement = root.named_children[0] if root.named_children else None
    inner = statement.named_children[0] if statement is not None and statement.named_children else None
    expression = inner.named_children[0] if inner is not None and inner.type == "parenthesized_expression" else None
    return None if root.has_error else expression


def react_names(
    root: Node, wanted: list[str], *, add_import: bool, types: tuple[str, ...] = ()
) -> tuple[dict[str, str], list[Edit]]:
    """How to write each of ``wanted`` (`useMemo`, `lazy`, ...) and of the type names ``types`` here, and the
    edits that import the missing ones: added to the file's `import { ... } from 'react'`, else read as `React.x`
    from a default or namespace import, else (when ``add_import``) a new `import { ... } from 'react'` above the
    first import; NoFix otherwise."""
    found: dict[str, str] = {}
    specifiers: list[Node] = []
    namespace = None
    for statement in root.children:
        source = statement.child_by_field_name("source") if statement.type == "import_statement" else None
        clause = next((c for c in statement.children if c.type == "import_clause"), None)
        if source is None or clause is None or text(source)[1:-1] != "react":
            continue
        # `import type { ... }` is erased at compile time: only a type can come from it
        type_only = any(child.type == "type" for child in statement.children)
        for part in clause.named_children:
            if part.type == "named_imports":
                for specifier in (s for s in part.named_children if s.type == "import_specifier"):
                    name = text(specifier.child_by_field_name("name"))
                    alias = specifier.child_by_field_name("alias") or specifier.child_by_field_name("name")
                    if not type_only or name in types:
                        found.setdefault(name, text(alias))
                    if not type_only:
                        specifiers.append(specifier)
            elif part.type == "identifier" and not type_only:
                namespace = text(part)
            elif part.type == "namespace_import" and part.named_children and not type_only:
                namespace = text(part.named_children[-1])
    everything = [*wanted, *types]
    missing = [name for name in everything if name not in found]
    names = {name: found.get(name, name) for name in everything}
    listed = ", ".join(f"type {name}" if name in types else name for name in missing)
    if not missing:
        return names, []
    if specifiers:
        return names, [Edit(specifiers[-1].end_byte, specifiers[-1].end_byte, f", {listed}")]
    if namespace is not None:
        return {name: found.get(name, f"{namespace}.{name}") for name in everything}, []
    if not add_import:
        raise NoFix(f"React is not imported, so there is no import to add `{missing[0]}` to")
    clash = [name for name in missing if name in identifiers(root)]
    if clash:
        raise NoFix(f"`{clash[0]}` already names something else in this file")
    first = next((s for s in root.children if s.type == "import_statement"), None)
    at = line_start(root, first) if first is not None else 0
    return names, [Edit(at, at, f"import {{ {listed} }} from 'react';\n")]


def identifiers(root: Node) -> set[str]:
    """Every name the file reads or binds, so a new name can be checked against all of them."""
    kinds = {"identifier", "shorthand_property_identifier", "shorthand_property_identifier_pattern", "type_identifier"}
    return {text(node) for node in walk(root) if node.type in kinds}


def unique_name(base: str, taken: set[str]) -> str:
    """``base``, or ``base2``, ``base3``... whichever no name in ``taken`` uses; the result is added to it."""
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}{n}"
    taken.add(name)
    return name


def enclosing_function(node: Node) -> Node | None:
    parent = node.parent
    while parent is not None and parent.type not in FUNCTIONS:
        parent = parent.parent
    return parent


def bound_names(component: Node) -> set[str]:
    """Names the component binds: its parameters and the declarations of its own body (not nested
    functions', which the render cannot see)."""
    names: set[str] = set()
    parameters = component.child_by_field_name("parameters") or component.child_by_field_name("parameter")
    if parameters is not None:
        names |= pattern_names(parameters)
    stack = [component.child_by_field_name("body")]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        if node.type == "variable_declarator":
            names |= pattern_names(node.child_by_field_name("name"))
        elif node.type in FUNCTIONS:
            declared = node.child_by_field_name("name")
            if declared is not None:
                names.add(text(declared))
            continue
        stack.extend(node.named_children)
    return names


def pattern_names(pattern: Node | None) -> set[str]:
    """Identifiers a parameter list or binding pattern binds; default values and type annotations bind none."""
    if pattern is None:
        return set()
    if pattern.type in _PATTERN_NAMES:
        return {text(pattern)}
    found: set[str] = set()
    for child in pattern.named_children:
        if child.type in {"type_annotation", "property_identifier"}:
            continue
        if child.type in {"assignment_pattern", "object_assignment_pattern"}:
            found |= pattern_names(child.child_by_field_name("left"))
        elif child.type == "pair_pattern":
            found |= pattern_names(child.child_by_field_name("value"))
        elif child.type in {"required_parameter", "optional_parameter"}:
            found |= pattern_names(child.child_by_field_name("pattern"))
        else:
            found |= pattern_names(child)
    return found


def node_at(root: Node, start: int, end: int, kinds: frozenset[str] | set[str]) -> Node | None:
    """The smallest node of one of ``kinds`` that covers the byte range (a fact's span)."""
    node = root.descendant_for_byte_range(start, end)
    while node is not None and node.type not in kinds:
        node = node.parent
    return node


def line_start(root: Node, node: Node) -> int:
    """Byte offset of the start of ``node``'s line."""
    source = root.text or b""
    return source.rfind(b"\n", 0, node.start_byte) + 1


def line_end(root: Node, node: Node) -> int:
    """Byte offset just past the newline that ends ``node``'s last line (or the end of the file)."""
    source = root.text or b""
    end = source.find(b"\n", node.end_byte)
    return len(source) if end < 0 else end + 1


def indent_of(root: Node, node: Node) -> str:
    """The whitespace that starts ``node``'s line."""
    source = root.text or b""
    line = source[line_start(root, node) : node.start_byte].decode("utf-8")
    return line[: len(line) - len(line.lstrip())]


def walk(root: Node) -> list[Node]:
    """Every node of the tree in document order, iteratively (deep trees stay off the stack)."""
    found: list[Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(reversed(node.children))
    return found


def text(node: Node | None) -> str:
    return (node.text or b"").decode("utf-8") if node is not None else ""
