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
from rewriters.javascript._react import bound_names, enclosing_function, parse_expression, react_names, text, walk

CODEMOD_ID = "memoize-context-value"
HOOK = "useMemo"

# property values that read no name, so they add no dependency
_CONSTANTS = frozenset({"string", "number", "true", "false", "null", "undefined", "template_string"})


def applicability(literal_text: str, language: str) -> Applicability | None:
    """How safe the rewrite of the inline value ``literal_text`` is: SAFE when every property reads a plain name or
    a constant, UNSAFE when one reads a member (`props.user` depends on `props`, a wider list than needed),
    None when the literal is something the codemod leaves alone (spreads, calls, functions, computed keys)."""
    if len(literal_text) >= MAX_TEXT:
        return Applicability.UNSAFE  # the facts cut the text short; the codemod checks the whole literal
    literal = parse_expression(literal_text, language)
    if literal is None or literal.type != "object":
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
    literals = [node for node in walk(root) if _provider_literal(node)]
    if not literals:
        return []
    hooks, edits = react_names(root, [HOOK], add_import=False)
    hook = hooks[HOOK]
    for literal in literals:
        component = enclosing_function(literal)
        if component is None:
            raise NoFix(f"the value on line {literal.start_point[0] + 1} is not inside a component")
        names, _ = _reads(literal)
        bound = bound_names(component)
        deps = ", ".join(name for name in dict.fromkeys(names) if name in bound)
        edits.append(Edit(literal.start_byte, literal.end_byte, f"{hook}(() => ({text(literal)}), [{deps}])"))
    return edits


def _provider_literal(node: Node) -> bool:
    """Whether ``node`` is the object literal of a `value={{ ... }}` attribute on a context element."""
    if node.type != "object" or node.parent is None or node.parent.type != "jsx_expression":
        return False
    attribute = node.parent.parent
    if attribute is None or attribute.type != "jsx_attribute" or len(node.parent.named_children) != 1:
        return False
    if text(attribute.named_children[0]) != "value":
        return False
    element = attribute.parent
    name = element.child_by_field_name("name") if element is not None else None
    # the detector resolves createContext; here the name is enough to keep other `value` props untouched
    return name is not None and text(name).removesuffix(".Provider").rsplit(".", 1)[-1].endswith("Context")


def _reads(literal: Node) -> tuple[list[str], bool]:
    """The root names the literal's properties read, and whether they are exactly what it depends on."""
    names: list[str] = []
    exact = True
    for prop in literal.named_children:
        if prop.type == "comment":
            continue
        if prop.type == "shorthand_property_identifier":
            names.append(text(prop))
            continue
        key = prop.child_by_field_name("key") if prop.type == "pair" else None
        if key is None or key.type == "computed_property_name":
            raise NoFix(f"`{text(prop)}` is not a plain property")
        value = prop.child_by_field_name("value")
        root = value
        while root is not None and root.type == "member_expression":
            root = root.child_by_field_name("object")
        if value is None or root is None:
            raise NoFix(f"`{text(prop)}` has no value")
        if value.type in _CONSTANTS and not value.named_children:
            continue
        if root.type != "identifier":
            raise NoFix(f"`{text(value)}` is more than a name or a member of one")
        exact = exact and root is value
        names.append(text(root))
    return names, exact
