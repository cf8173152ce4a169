"""stable-props: inline props that defeat `memo` -> a module-level constant or a `useCallback` in the component.

`<Row style={{ padding: 4 }} onSelect={(id) => select(id)} />` becomes `<Row style={STYLE} onSelect={handleSelect} />`
with `const STYLE = { padding: 4 };` above the component and
`const handleSelect = useCallback((id) => select(id), [select]);` before its first `return`.

The sites are the ones `unstable-props-to-memo-component` reports for a `memo` component of the same file, found
again on the current source. An element is rewritten whole or not at all: a literal that reads a name, a name
bound in the body, or a function in a list callback, a nested callback or a conditional keeps the element as it is.
The dependencies are the names the function reads that the component declares (parameters and top-level
declarations), less the setters of `useState`/`useReducer` and `useRef` objects, which keep their identity.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from tree_sitter import Node

from analyzers.detectors._react import literal_index, memo_wrappers, unstable_props
from analyzers.facts import JsxElement
from optimizer.calls import ModuleIndex
from optimizer.findings import Edit
from rewriters.edits import NoFix
from rewriters.javascript._react import bound_names, first_return, parse_expression, react_names, render_site
from rewriters.javascript._tree import (
    asked_for,
    identifiers,
    indent_of,
    line_start,
    module_facts,
    node_at,
    node_text,
    pattern_names,
    read_tree,
    unique_name,
    walk,
)

CODEMOD_ID = "stable-props"
HOOK = "useCallback"
PROPS_TYPE = "ComponentProps"
_LEAVES = frozenset({"string", "number", "true", "false", "null"})
_KEYS = frozenset({"property_identifier", "string", "number"})
# hooks whose result (or the listed element of it) keeps its identity across renders
_STABLE_RESULTS = {"useState": 1, "useReducer": 1, "useRef": None}


def constant_literal(literal_text: str, language: str) -> bool:
    """Whether ``literal_text`` is an object or array literal of constants only, so one module-level copy can stand
    for it (used by the detector to tell a safe hoist from an unsafe `useCallback`)."""
    literal = parse_expression(literal_text, language)
    return literal is not None and literal.type in ("object", "array") and _constant(literal)


def compute_edits(source: bytes, language: str, lines: Collection[int] | None = None) -> list[Edit]:
    """Edits that stabilise the inline props of every `memo` element of the file it can rewrite whole."""
    root = read_tree(source, language)
    module = module_facts(source, language)
    wrappers = memo_wrappers(module)
    index, literals = ModuleIndex(module), literal_index(module)
    taken = identifiers(root)
    typed = language in ("typescript", "tsx")
    # (component, prop, literal) -> constant name, so equal literals share one (in JS, whatever the prop)
    constants: dict[tuple[str, str, str], str] = {}
    edits: list[Edit] = []
    hoisted: dict[int, list[tuple[str, str, str, str]]] = {}  # insertion offset -> (name, component, prop, literal)
    callbacks = []
    reasons = []
    for element in module.jsx:
        wrapper = wrappers.get(element.name)
        if wrapper is None or wrapper.opaque or (None, element.name) in index.imports:
            continue
        if not asked_for(lines, element.span.line, element.span.end_line or element.span.line):
            continue
        props = [prop for prop, _ in unstable_props(element, wrapper, index, literals)]
        if not props:
            continue
        try:
            values = [_value(root, element, prop.span.start_byte, prop.span.end_byte) for prop in props]
            plans = [_plan(value, prop.name, typed) for value, prop in zip(values, props, strict=True)]
        except NoFix as exc:
            reasons.append(str(exc))
            continue
        for (kind, value, placement), prop in zip(plans, props, strict=True):
            if kind == "callback":
                callbacks.append((value, placement, prop.name))
                continue
            # in TypeScript the constant takes the prop's type: on its own `{ position: 'absolute' }` would
            # widen to `string` and no longer fit the prop
            key = (element.name, prop.name, node_text(value)) if typed else ("", "", node_text(value))
            if key not in constants:
                constants[key] = unique_name(_upper_snake(prop.name), taken)
                hoisted.setdefault(line_start(source, placement), []).append((constants[key], *key))
            edits.append(Edit(value.start_byte, value.end_byte, constants[key]))
    if not edits and not callbacks:
        if reasons:
            raise NoFix("; ".join(reasons))
        return []
    names, import_edits = react_names(
        root, [HOOK] if callbacks else [], add_import=True, types=(PROPS_TYPE,) if typed and hoisted else ()
    )
    edits += import_edits
    for at, declarations in hoisted.items():
        lines = [_constant_declaration(*declaration, names.get(PROPS_TYPE)) for declaration in declarations]
        edits.append(Edit(at, at, "".join(lines) + "\n"))
    for function, placement, prop in callbacks:
        name = unique_name(f"handle{_capitalised(prop.removeprefix('on') or prop)}", taken)
        edits.append(Edit(function.start_byte, function.end_byte, name))
        edits.append(_hook_declaration(source, function, placement, name, names[HOOK]))
    return edits


def _constant_declaration(name: str, component: str, prop: str, literal: str, props_type: str | None) -> str:
    annotation = f": {props_type}<typeof {component}>['{prop}']" if props_type else ""
    return f"const {name}{annotation} = {literal};\n"


def _value(root: Node, element: JsxElement, start: int, end: int) -> Node:
    attribute = node_at(root, start, end, {"jsx_attribute"})
    value = attribute.named_children[-1] if attribute is not None else None
    if value is None or value.type != "jsx_expression" or len(value.named_children) != 1:
        raise NoFix(f"a prop of `<{element.name}>` on line {element.span.line} is not an inline value")
    return value.named_children[0]


def _plan(value: Node, prop: str, typed: bool) -> tuple[str, Node, Node]:
    """("constant", literal, top-level statement to hoist above) or ("callback", function, body statement to put
    the hook above); NoFix when the prop cannot be made stable here."""
    line = value.start_point[0] + 1
    if value.type in ("object", "array"):
        if not _constant(value):
            raise NoFix(f"`{prop}` on line {line} reads values of the component; wrap it in `useMemo` by hand")
        statement = value
        while statement.parent is not None and statement.parent.type != "program":
            statement = statement.parent
        return "constant", value, _above_comments(statement)
    if value.type not in ("arrow_function", "function_expression"):
        raise NoFix(f"`{prop}` on line {line} is not an inline literal or function")
    if typed and _untyped_parameter(value):
        raise NoFix(f"`{prop}` on line {line} has a parameter typed by the prop only; annotate it to move it to a hook")
    component, statement = render_site(value, f"`{prop}` on line {line}")
    if component.child_by_field_name("body") == statement:
        raise NoFix(f"`{prop}` on line {line} is in a component that returns JSX directly; give it a body first")
    return "callback", value, _placement(component, statement, value, prop, line)


def _untyped_parameter(function: Node) -> bool:
    """Whether a parameter has no type of its own: written inline it takes the prop's type, in `useCallback` it
    would be an implicit `any`."""
    if function.child_by_field_name("parameter") is not None:
        return True  # `value => ...`
    parameters = function.child_by_field_name("parameters")
    return any(
        child.child_by_field_name("type") is None
        for child in (parameters.named_children if parameters is not None else ())
        if child.type in ("required_parameter", "optional_parameter")
    )


def _placement(component: Node, statement: Node, function: Node, prop: str, line: int) -> Node:
    """The body statement the hook goes above: the first that may return (a hook after an early return runs on
    some renders only), or the one that holds the function; NoFix when a name it reads is not declared by then."""
    placement = first_return(component, statement) or statement
    declared, _ = _declared_before(component, placement)
    for name in set(_reads(function)) & bound_names(component):
        if name not in declared:
            raise NoFix(f"`{prop}` on line {line} reads `{name}`, which is not declared where the hook would go")
    return placement


def _hook_declaration(source: bytes, function: Node, placement: Node, name: str, hook: str) -> Edit:
    declared, stable = _declared_before(placement.parent.parent, placement)
    deps = [n for n in dict.fromkeys(_reads(function)) if n in declared and n not in stable]
    indent = indent_of(source, placement)
    code = _reindented(source, function, indent)
    at = line_start(source, placement)
    return Edit(at, at, f"{indent}const {name} = {hook}({code}, [{', '.join(deps)}]);\n")


def _declared_before(component: Node, placement: Node) -> tuple[set[str], set[str]]:
    """The names the component declares before ``placement`` (parameters included), and those of them that
    keep their identity across renders."""
    declared = pattern_names(component.child_by_field_name("parameters") or component.child_by_field_name("parameter"))
    stable: set[str] = set()
    for statement in component.child_by_field_name("body").named_children:
        if statement.start_byte >= placement.start_byte:
            break
        declared |= _declared(statement)
        stable |= _stable_names(statement)
    return declared, stable


def _declared(statement: Node) -> set[str]:
    """Names a top-level statement of the body declares."""
    if statement.type in ("lexical_declaration", "variable_declaration"):
        return set().union(*(pattern_names(d.child_by_field_name("name")) for d in statement.named_children
                             if d.type == "variable_declarator"))
    name = statement.child_by_field_name("name") if statement.type == "function_declaration" else None
    return {node_text(name)} if name is not None else set()


def _stable_names(statement: Node) -> set[str]:
    """Names bound to a `useState`/`useReducer` setter or a `useRef` object by ``statement``."""
    found: set[str] = set()
    for declarator in (d for d in statement.named_children if d.type == "variable_declarator"):
        value, pattern = declarator.child_by_field_name("value"), declarator.child_by_field_name("name")
        call = value if value is not None and value.type == "call_expression" else None
        callee = call.child_by_field_name("function") if call is not None else None
        hook = node_text(callee).rsplit(".", 1)[-1] if callee is not None else ""
        if hook not in _STABLE_RESULTS or pattern is None:
            continue
        position = _STABLE_RESULTS[hook]
        if position is None and pattern.type == "identifier":
            found.add(node_text(pattern))
        elif position is not None and pattern.type == "array_pattern" and len(pattern.named_children) > position:
            found |= pattern_names(pattern.named_children[position])
    return found


def _reads(function: Node) -> list[str]:
    """The names ``function`` reads, in order of first use, less those it binds itself."""
    own = bound_names(function)
    kinds = ("identifier", "shorthand_property_identifier")
    return [node_text(n) for n in walk(function) if n.type in kinds and node_text(n) not in own]


def _constant(node: Node) -> bool:
    """Whether the literal holds only constants: strings, numbers, booleans, null and literals of those."""
    if node.type in _LEAVES or node.type == "template_string" and not any(
        c.type == "template_substitution" for c in node.named_children
    ):
        return True
    if node.type == "unary_expression" and node_text(node)[:1] in "-+":
        return _constant(node.child_by_field_name("argument"))
    if node.type == "array":
        return all(_constant(child) for child in node.named_children if child.type != "comment")
    if node.type == "object":
        return all(
            child.type == "comment"
            or child.type == "pair" and child.child_by_field_name("key").type in _KEYS
            and _constant(child.child_by_field_name("value"))
            for child in node.named_children
        )
    return False


def _above_comments(statement: Node) -> Node:
    """The first of the comments directly above ``statement`` (a doc comment stays with its function)."""
    while (
        statement.prev_sibling is not None and statement.prev_sibling.type == "comment"
        and statement.prev_sibling.end_point[0] + 1 >= statement.start_point[0]
    ):
        statement = statement.prev_sibling
    return statement


def _reindented(source: bytes, node: Node, indent: str) -> str:
    """``node``'s text with its later lines moved from its line's indentation to ``indent`` (a template
    literal's text would change, so it is left as written)."""
    code = node_text(node)
    if "`" in code:
        return code
    old = indent_of(source, node)
    lines = code.split("\n")
    return "\n".join([lines[0]] + [indent + line.removeprefix(old) if line.strip() else line for line in lines[1:]])


def _upper_snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).upper().replace("-", "_") or "VALUE"


def _capitalised(name: str) -> str:
    return name[:1].upper() + name[1:]
