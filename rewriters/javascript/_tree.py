"""Tree-sitter helpers every JS/TS codemod uses: reading the file (tree and facts), walking it, the text and
lines of a node, the names a pattern binds, and a name no identifier of the file spells yet."""

from __future__ import annotations

from collections.abc import Collection, Iterator

from tree_sitter import Node

from analyzers.facts import ModuleFacts
from analyzers.frontends import parse_source
from analyzers.js_functions import KINDS
from analyzers.js_queries import grammar
from rewriters.edits import UNREADABLE, NoFix

# the function kinds the analysers know, so a codemod and the detectors agree on what a function is
FUNCTIONS = frozenset(kind for kind, role in KINDS.items() if role != "class")
# nodes under a parameter or declarator name that bind the identifiers below them
PATTERN_NAMES = frozenset({"identifier", "shorthand_property_identifier_pattern"})
# the front-end only reads the path for messages; the language is passed explicitly
_PATH = {"typescript": "input.ts", "tsx": "input.tsx", "javascript": "input.jsx"}


def asked_for(lines: Collection[int] | None, first: int, last: int) -> bool:
    """Whether the site on lines ``first``..``last`` holds one of the findings the codemod is asked to fix
    (``lines``: their lines; None asks for every site). A suppressed or unselected site is left as it is."""
    return lines is None or any(first <= number <= last for number in lines)


def node_lines(node: Node) -> tuple[int, int]:
    return node.start_point[0] + 1, node.end_point[0] + 1


def read_tree(source: bytes, language: str) -> Node:
    """The syntax tree of ``source``; NoFix when tree-sitter cannot read the file as written (edits must copy
    the file's real text, so they need a clean parse)."""
    root = grammar(language).parser.parse(source).root_node
    if root.has_error:
        raise NoFix(UNREADABLE)
    return root


def module_facts(source: bytes, language: str) -> ModuleFacts:
    """The facts the detectors read, for a codemod to find the same sites again on the current text."""
    return parse_source(_PATH.get(language, "input.jsx"), language, source)


def tree_and_facts(source: bytes, language: str) -> tuple[Node, ModuleFacts]:
    return read_tree(source, language), module_facts(source, language)


def node_text(node: Node | None) -> str:
    return (node.text or b"").decode("utf-8") if node is not None else ""


def line(node: Node) -> int:
    """The 1-based line ``node`` starts on, as messages name it."""
    return node.start_point[0] + 1


def walk(root: Node) -> Iterator[Node]:
    """Every node of the tree in document order, iteratively (deep trees stay off the stack)."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))


def node_at(root: Node, start: int, end: int, kinds: frozenset[str] | set[str]) -> Node | None:
    """The smallest node of one of ``kinds`` that covers the byte range (a fact's span)."""
    node = root.descendant_for_byte_range(start, end)
    while node is not None and node.type not in kinds:
        node = node.parent
    return node


def line_start(source: bytes, node: Node) -> int:
    """Byte offset of the start of ``node``'s line. The offsets are the file's: the root node's own text starts at
    the first token, after any blank lines, so helpers take the whole ``source``."""
    return source.rfind(b"\n", 0, node.start_byte) + 1


def line_end(source: bytes, node: Node) -> int:
    """Byte offset just past the newline that ends ``node``'s last line (or the end of the file)."""
    end = source.find(b"\n", node.end_byte)
    return len(source) if end < 0 else end + 1


def line_prefix(source: bytes, node: Node) -> str:
    """What precedes ``node`` on its line."""
    return source[line_start(source, node) : node.start_byte].decode("utf-8")


def indent_of(source: bytes, node: Node) -> str:
    """The whitespace that starts ``node``'s line."""
    prefix = line_prefix(source, node)
    return prefix[: len(prefix) - len(prefix.lstrip())]


def statement_indent(source: bytes, node: Node) -> str:
    """The whitespace before ``node`` on its line; NoFix when code precedes it there."""
    prefix = line_prefix(source, node)
    if prefix.strip():
        raise NoFix(f"line {line(node)} holds other code before the statement")
    return prefix


def pattern_names(pattern: Node | None) -> set[str]:
    """Identifiers a parameter list or binding pattern binds; default values and type annotations bind none.

    Not ``analyzers.js_nodes.pattern_names``: that one reads names from the file's bytes by offset and takes
    one pattern, not a parameter list; codemod helpers hold only nodes, and ask about whole parameter lists."""
    if pattern is None:
        return set()
    if pattern.type in PATTERN_NAMES:
        return {node_text(pattern)}
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


def mentions(node: Node, name: str) -> list[Node]:
    """Identifier nodes in ``node`` spelling ``name`` (shorthand properties included)."""
    kinds = ("identifier", "shorthand_property_identifier", "shorthand_property_identifier_pattern")
    return [n for n in walk(node) if n.type in kinds and node_text(n) == name]


def nodes_by_text(root: Node, kinds: frozenset[str] | set[str]) -> dict[str, list[Node]]:
    """The nodes of ``kinds`` in the tree, in document order, grouped by their text."""
    found: dict[str, list[Node]] = {}
    for node in walk(root):
        if node.type in kinds:
            found.setdefault(node_text(node), []).append(node)
    return found


def identifiers(root: Node) -> set[str]:
    """Every name the file reads or binds, so a new name can be checked against all of them."""
    kinds = {"identifier", "shorthand_property_identifier", "shorthand_property_identifier_pattern", "type_identifier"}
    return {node_text(node) for node in walk(root) if node.type in kinds}


def unique_name(base: str, taken: set[str]) -> str:
    """``base``, or ``base2``, ``base3``... whichever no name in ``taken`` uses; the result is added to it."""
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}{n}"
    taken.add(name)
    return name


def fresh_name(root: Node, wanted: str) -> str:
    """``wanted``, or ``wanted2``, ``wanted3``... the first that no identifier in the file spells."""
    return unique_name(wanted, identifiers(root))
