"""Tree-sitter helpers shared by the React codemods: the React import, the names a component binds, and where
a hook may be called."""

from __future__ import annotations

from tree_sitter import Node

from analyzers.js_queries import grammar
from optimizer.findings import Edit
from rewriters.edits import NoFix
from rewriters.javascript._tree import FUNCTIONS, identifiers, node_text, pattern_names

# between an element and the component body: a hook there would run on some renders only, or once per item
_CONDITIONS = frozenset({
    "ternary_expression", "binary_expression", "if_statement", "switch_statement", "for_statement",
    "for_in_statement", "while_statement", "do_statement", "try_statement",
})  # fmt: skip
_COMPONENT_WRAPPERS = frozenset({"memo", "forwardRef"})


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
        if source is None or clause is None or node_text(source)[1:-1] != "react":
            continue
        # `import type { ... }` is erased at compile time: only a type can come from it
        type_only = any(child.type == "type" for child in statement.children)
        for part in clause.named_children:
            if part.type == "named_imports":
                for specifier in (s for s in part.named_children if s.type == "import_specifier"):
                    name = node_text(specifier.child_by_field_name("name"))
                    alias = specifier.child_by_field_name("alias") or specifier.child_by_field_name("name")
                    if not type_only or name in types:
                        found.setdefault(name, node_text(alias))
                    if not type_only:
                        specifiers.append(specifier)
            elif part.type == "identifier" and not type_only:
                namespace = node_text(part)
            elif part.type == "namespace_import" and part.named_children and not type_only:
                namespace = node_text(part.named_children[-1])
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
    at = first.start_byte - first.start_point[1] if first is not None else 0  # the start of its line
    return names, [Edit(at, at, f"import {{ {listed} }} from 'react';\n")]


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
                names.add(node_text(declared))
            continue
        stack.extend(node.named_children)
    return names


def render_site(node: Node, what: str) -> tuple[Node, Node]:
    """The function component whose every render evaluates ``node``, and the top-level statement of its body that
    holds it (the body itself when an arrow returns JSX directly). NoFix when a hook there would not run on every
    render, or not once: under a condition or in a loop, in a nested callback (a list item), in a class component.
    ``what`` names the site in the message."""
    outer = node
    while outer.parent is not None and outer.parent.type not in FUNCTIONS:
        if outer.parent.type in _CONDITIONS:
            raise NoFix(f"{what} is rendered conditionally or in a loop; a hook cannot go there")
        outer = outer.parent
    component = outer.parent
    body = component.child_by_field_name("body") if component is not None else None
    if component is None or outer != body:
        raise NoFix(f"{what} is not in a function body")
    if component.type == "method_definition":
        raise NoFix(f"{what} is in a class component, which cannot call hooks")
    if not _is_function_component(component):
        raise NoFix(f"{what} is inside a nested callback (a list item?); extract a child component")
    if body.type != "statement_block":
        return component, body
    return component, next(s for s in body.named_children if s.start_byte <= node.start_byte < s.end_byte)


def _is_function_component(function: Node) -> bool:
    name = function.child_by_field_name("name")
    if name is None and function.parent is not None and function.parent.type == "variable_declarator":
        name = function.parent.child_by_field_name("name")
    if name is None and function.parent is not None and function.parent.type == "pair":
        name = function.parent.child_by_field_name("key")  # `{ Select: (props) => <... /> }`
    call = function.parent.parent if function.parent is not None and function.parent.type == "arguments" else None
    if name is None and call is not None:
        # `memo(function (props) {...})`, `forwardRef((props, ref) => {...})`; not `items.map((item) => ...)`
        return node_text(call.child_by_field_name("function")).rsplit(".", 1)[-1] in _COMPONENT_WRAPPERS
    return name is not None and node_text(name)[:1].isupper()


def first_return(component: Node, until: Node) -> Node | None:
    """The first top-level statement of the component's body, up to and including ``until``, that may return: a hook
    after it runs on some renders only."""
    body = component.child_by_field_name("body")
    statements = body.named_children if body is not None and body.type == "statement_block" else []
    return next((s for s in statements if s.start_byte <= until.start_byte and _may_return(s)), None)


def _may_return(statement: Node) -> bool:
    stack = [statement]
    while stack:
        node = stack.pop()
        if node.type == "return_statement":
            return True
        if node.type not in FUNCTIONS:
            stack.extend(node.named_children)
    return False
