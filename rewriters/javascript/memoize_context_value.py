"""memoize-context-value: `<Ctx.Provider value={{ a, b }}>` -> `value={useMemo(() => ({ a, b }), [a, b])}`.

Only an object literal written inline in the `value` attribute is rewritten; a name bound to a literal is
left to a person, who may already reuse it elsewhere in the component. The dependencies are what the literal
reads, through names the component binds (parameters and locals): a name, or a member chain as written
(`props.user`, not `props`, which is a new object on every render, so the memo would never hold). Module-level
names and globals keep their identity across renders, so listing them would only add noise. The hook takes the literal's place, so that place
must run on every render: a Provider under a condition, in a loop or a list callback, after an early `return`, or in
a class component leaves the file alone.
"""

from __future__ import annotations

from collections.abc import Collection

from tree_sitter import Node

from analyzers.js_nodes import MAX_TEXT
from optimizer.findings import Applicability, Edit
from rewriters.edits import NoFix
from rewriters.javascript._react import bound_names, first_return, parse_expression, react_names, render_site
from rewriters.javascript._tree import asked_for, line, node_lines, node_text, read_tree, walk

CODEMOD_ID = "memoize-context-value"
HOOK = "useMemo"

# property values that read no name, so they add no dependency
_CONSTANTS = frozenset({"string", "number", "true", "false", "null", "undefined"})


def applicability(literal_text: str, language: str) -> Applicability | None:
    """How safe the rewrite of the inline value ``literal_text`` is: SAFE when every property reads a constant, a
    name or a member chain of one, each then a dependency; None when the literal is something the codemod leaves
    alone (spreads, calls, functions, computed keys)."""
    if len(literal_text) >= MAX_TEXT:
        return Applicability.UNSAFE  # the facts cut the text short; the codemod checks the whole literal
    literal = parse_expression(literal_text, language)
    if literal is None or literal.type != "object":
        return None
    try:
        _reads(literal)
    except NoFix:
        return None
    return Applicability.SAFE


def compute_edits(source: bytes, language: str, lines: Collection[int] | None = None) -> list[Edit]:
    """Edits that memoise every inline object `value` of a Provider in the file; NoFix when one is unsure."""
    root = read_tree(source, language)
    literals = [node for node in walk(root) if _provider_literal(node) and asked_for(lines, *node_lines(node))]
    if not literals:
        return []
    hooks, edits = react_names(root, [HOOK], add_import=False)
    hook = hooks[HOOK]
    for literal in literals:
        # the hook is called where the literal was: on every render, once, and in the same order
        what = f"the value on line {line(literal)}"
        component, statement = render_site(literal, what)
        early = first_return(component, statement)
        if early is not None and not (early == statement and statement.type == "return_statement"):
            raise NoFix(f"{what} comes after a return on line {line(early)}; the hook would run on some renders only")
        bound = bound_names(component)
        deps = ", ".join(_dependencies([(root, read) for root, read in _reads(literal) if root in bound]))
        edits.append(Edit(literal.start_byte, literal.end_byte, f"{hook}(() => ({node_text(literal)}), [{deps}])"))
    return edits


def _provider_literal(node: Node) -> bool:
    """Whether ``node`` is the object literal of a `value={{ ... }}` attribute on a context element."""
    if node.type != "object" or node.parent is None or node.parent.type != "jsx_expression":
        return False
    attribute = node.parent.parent
    if attribute is None or attribute.type != "jsx_attribute" or len(node.parent.named_children) != 1:
        return False
    if node_text(attribute.named_children[0]) != "value":
        return False
    element = attribute.parent
    name = element.child_by_field_name("name") if element is not None else None
    # the detector resolves createContext; here the name is enough to keep other `value` props untouched
    return name is not None and node_text(name).removesuffix(".Provider").rsplit(".", 1)[-1].endswith("Context")


def _constant(value: Node) -> bool:
    """A literal that reads no name: `"month"` (its text is a child node), `1`, `null`, a template without `${}`."""
    if value.type == "template_string":
        return not any(child.type == "template_substitution" for child in value.named_children)
    return value.type in _CONSTANTS


def _reads(literal: Node) -> list[tuple[str, str]]:
    """What the literal's properties read: (root name, the name or member chain as written, without spaces)."""
    reads: list[tuple[str, str]] = []
    for prop in literal.named_children:
        if prop.type == "comment":
            continue
        if prop.type == "shorthand_property_identifier":
            reads.append((node_text(prop), node_text(prop)))
            continue
        key = prop.child_by_field_name("key") if prop.type == "pair" else None
        if key is None or key.type == "computed_property_name":
            raise NoFix(f"`{node_text(prop)}` is not a plain property")
        value = prop.child_by_field_name("value")
        root = value
        while root is not None and root.type == "member_expression":
            root = root.child_by_field_name("object")
        if value is None or root is None:
            raise NoFix(f"`{node_text(prop)}` has no value")
        if _constant(value):
            continue
        if root.type != "identifier":
            raise NoFix(f"`{node_text(value)}` is more than a name or a member of one")
        reads.append((node_text(root), "".join(node_text(value).split())))
    return reads


def _dependencies(reads: list[tuple[str, str]]) -> list[str]:
    """The reads in order, once each, without a chain that a shorter listed one already covers (`props.user`
    after `props`)."""
    listed = list(dict.fromkeys(read for _, read in reads))
    return [read for read in listed if not any(read.startswith((f"{other}.", f"{other}?.")) for other in listed)]
