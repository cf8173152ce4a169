"""memoize-context-value: `<Ctx.Provider value={{ a, b }}>` -> `value={useMemo(() => ({ a, b }), [a, b])}`.

Only an object literal written inline in the `value` attribute is rewritten; a name bound to a literal is
left to a person, who may already reuse it elsewhere in the component. The dependencies are the names the
literal reads that the component binds (parameters and locals): module-level names and globals keep their
identity across renders, so listing them would only add noise.
"""

from __future__ import annotations

from tree_sitter import Node

from analyzers.js_nodes import MAX_TEXT
from analyzers.js_queries import grammar
from optimizer.findings import Applicability, Edit
from rewriters.edits import UNREADABLE, NoFix

CODEMOD_ID = "memoize-context-value"
HOOK = "useMemo"

_FUNCTIONS = frozenset({"function_declaration", "function_expression", "arrow_function", "method_definition"})
# property values that read no name, so they add no dependency
_CONSTANTS = frozenset({"string", "number", "true", "false", "null", "undefined", "template_string"})
# nodes under a parameter or declarator name that bind the identifiers below them
_PATTERN_NAMES = frozenset({"identifier", "shorthand_property_identifier_pattern"})


def applicability(text: str, language: str) -> Applicability | None:
    """How safe the rewrite of the inline value ``text`` is: SAFE when every property reads a plain name or
    a constant, UNSAFE when one reads a member (`props.user` depends on `props`, a wider list than needed),
    None when the literal is something the codemod leaves alone (spreads, calls, functions, computed keys)."""
    if len(text) >= MAX_TEXT:
        return Applicability.UNSAFE  # the facts cut the text short; the codemod checks the whole literal
    root = grammar(language).parser.parse(f"({text});".encode()).root_node
    statement = root.named_children[0] if root.named_children else None
    inner = statement.named_children[0] if statement is not None and statement.named_children else None
    literal = inner.named_children[0] if inner is not None and inner.type == "parenthesized_expression" else None
    if root.has_error or literal is None or literal.type != "object":
        return None
    try:
        _, exact = _reads(literal)
    except NoFix:
        return None
    return Applicability.SAFE if exact else Applicability.UNSAFE


def compute_edits(source: bytes, language: str) -> list[Edit]:
    """Edits that memoise every inline object `value` of a Provider in the file; NoFix when one is unsure."""
    root = grammar(language).parser.parse(source).root_node
    if root.has_error:
        raise NoFix(UNREADABLE)
    literals = [node for node in _walk(root) if _provider_literal(node)]
    if not literals:
        return []
    hook, import_edit = _hook(root)
    edits = [import_edit] if import_edit else []
    for literal in literals:
        component = _enclosing_function(literal)
        if component is None:
            raise NoFix(f"the value on line {literal.start_point[0] + 1} is not inside a component")
        names, _ = _reads(literal)
        bound = _bound_names(component)
        deps = ", ".join(name for name in dict.fromkeys(names) if name in bound)
        edits.append(Edit(literal.start_byte, literal.end_byte, f"{hook}(() => ({_text(literal)}), [{deps}])"))
    return edits


def _provider_literal(node: Node) -> bool:
    """Whether ``node`` is the object literal of a `value={{ ... }}` attribute on a context element."""
    if node.type != "object" or node.parent is None or node.parent.type != "jsx_expression":
        return False
    attribute = node.parent.parent
    if attribute is None or attribute.type != "jsx_attribute" or len(node.parent.named_children) != 1:
        return False
    if _text(attribute.named_children[0]) != "value":
        return False
    element = attribute.parent
    name = element.child_by_field_name("name") if element is not None else None
    # the detector resolves createContext; here the name is enough to keep other `value` props untouched
    return name is not None and _text(name).removesuffix(".Provider").rsplit(".", 1)[-1].endswith("Context")


def _reads(literal: Node) -> tuple[list[str], bool]:
    """The root names the literal's properties read, and whether they are exactly what it depends on."""
    names: list[str] = []
    exact = True
    for prop in literal.named_children:
        if prop.type == "comment":
            continue
        if prop.type == "shorthand_property_identifier":
            names.append(_text(prop))
            continue
        key = prop.child_by_field_name("key") if prop.type == "pair" else None
        if key is None or key.type == "computed_property_name":
            raise NoFix(f"`{_text(prop)}` is not a plain property")
        value = prop.child_by_field_name("value")
        root = value
        while root is not None and root.type == "member_expression":
            root = root.child_by_field_name("object")
        if value is None or root is None:
            raise NoFix(f"`{_text(prop)}` has no value")
        if value.type in _CONSTANTS and not value.named_children:
            continue
        if root.type != "identifier":
            raise NoFix(f"`{_text(value)}` is more than a name or a member of one")
        exact = exact and root is value
        names.append(_text(root))
    return names, exact


def _hook(root: Node) -> tuple[str, Edit | None]:
    """How to call useMemo here, and the edit that imports it when the file does not yet."""
    namespace = None
    for statement in root.children:
        source = statement.child_by_field_name("source") if statement.type == "import_statement" else None
        clause = next((c for c in statement.children if c.type == "import_clause"), None)
        if source is None or clause is None or _text(source)[1:-1] != "react":
            continue
        # `import type { ... }` is erased at compile time: a value such as useMemo cannot come from it
        if any(child.type == "type" for child in statement.children):
            continue
        for part in clause.named_children:
            if part.type == "named_imports":
                specifiers = [s for s in part.named_children if s.type == "import_specifier"]
                for specifier in specifiers:
                    alias = specifier.child_by_field_name("alias") or specifier.child_by_field_name("name")
                    if _text(specifier.child_by_field_name("name")) == HOOK and alias is not None:
                        return _text(alias), None
                if specifiers:
                    return HOOK, Edit(specifiers[-1].end_byte, specifiers[-1].end_byte, f", {HOOK}")
            elif part.type == "identifier":
                namespace = _text(part)
            elif part.type == "namespace_import" and part.named_children:
                namespace = _text(part.named_children[-1])
    if namespace is None:
        raise NoFix("React is not imported, so there is no import to add `useMemo` to")
    return f"{namespace}.{HOOK}", None


def _enclosing_function(node: Node) -> Node | None:
    parent = node.parent
    while parent is not None and parent.type not in _FUNCTIONS:
        parent = parent.parent
    return parent


def _bound_names(component: Node) -> set[str]:
    """Names the component binds: its parameters and the declarations of its own body (not nested
    functions', which the render cannot see)."""
    names: set[str] = set()
    parameters = component.child_by_field_name("parameters") or component.child_by_field_name("parameter")
    if parameters is not None:
        names |= _pattern_names(parameters)
    stack = [component.child_by_field_name("body")]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        if node.type == "variable_declarator":
            names |= _pattern_names(node.child_by_field_name("name"))
        elif node.type in _FUNCTIONS:
            declared = node.child_by_field_name("name")
            if declared is not None:
                names.add(_text(declared))
            continue
        stack.extend(node.named_children)
    return names


def _pattern_names(pattern: Node | None) -> set[str]:
    """Identifiers a parameter list or binding pattern binds; default values and type annotations bind none."""
    if pattern is None:
        return set()
    if pattern.type in _PATTERN_NAMES:
        return {_text(pattern)}
    found: set[str] = set()
    for child in pattern.named_children:
        if child.type in {"type_annotation", "property_identifier"}:
            continue
        if child.type in {"assignment_pattern", "object_assignment_pattern"}:
            found |= _pattern_names(child.child_by_field_name("left"))
        elif child.type == "pair_pattern":
            found |= _pattern_names(child.child_by_field_name("value"))
        elif child.type in {"required_parameter", "optional_parameter"}:
            found |= _pattern_names(child.child_by_field_name("pattern"))
        else:
            found |= _pattern_names(child)
    return found


def _walk(root: Node) -> list[Node]:
    """Every node of the tree in document order, iteratively (deep trees stay off the stack)."""
    found: list[Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(reversed(node.children))
    return found


def _text(node: Node | None) -> str:
    return (node.text or b"").decode("utf-8") if node is not None else ""
