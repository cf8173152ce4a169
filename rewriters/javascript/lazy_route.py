"""lazy-route: `import Settings from './pages/Settings'` rendered only as a route ->
`const Settings = lazy(() => import('./pages/Settings'));` with the routes inside a `Suspense` boundary.

The pages are the ones `static-route-import` reports, found again on the current source. An import is rewritten
only when every name it binds is such a page and every reference is the route's element (`element={<X />}`,
`component={X}`, `element: <X />` in a router call). The boundary: none is added when one already encloses the
route; else the `<Routes>`/`<Switch>` around it is wrapped, else the route's own element; else the import is kept.
"""

from __future__ import annotations

from collections.abc import Collection

from tree_sitter import Node

from analyzers.detectors.static_route_import import ROUTER_CALLS, names_page_directory, routed_pages
from optimizer.findings import Edit
from rewriters.edits import NoFix
from rewriters.javascript._react import react_names
from rewriters.javascript._tree import (
    asked_for,
    indent_of,
    line_end,
    line_prefix,
    line_start,
    module_facts,
    node_lines,
    node_text,
    nodes_by_text,
    read_tree,
    walk,
)

CODEMOD_ID = "lazy-route"
BOUNDARY = "Suspense"
_ROUTE_ATTRIBUTES = frozenset({"element", "component", "Component"})
_ROUTE_SWITCHES = frozenset({"Routes", "Switch"})
_JSX_TAGS = frozenset({"jsx_opening_element", "jsx_self_closing_element", "jsx_closing_element"})
_JSX_VALUES = frozenset({"jsx_element", "jsx_self_closing_element"})


def compute_edits(source: bytes, language: str, lines: Collection[int] | None = None) -> list[Edit]:
    """Edits that load every statically imported route page of the file lazily; NoFix when none can be."""
    root = read_tree(source, language)
    routed = routed_pages(module_facts(source, language), source)  # the source tells a data router's index route
    pages = {name for name, (_, index_only) in routed.items() if not index_only}
    imports = [node for node in root.children if node.type == "import_statement"]
    candidates = [node for node in imports if _is_page_import(node, pages) and asked_for(lines, *node_lines(node))]
    if not candidates:
        return []
    references = _references(root)
    boundary_tags = {BOUNDARY, react_names(root, [BOUNDARY], add_import=True)[0][BOUNDARY]}
    converted: list[tuple[Node, list[tuple[str, str]]]] = []
    boundaries: dict[tuple[int, int], Node] = {}
    reasons = []
    for statement in candidates:
        try:
            bindings = _bindings(statement, pages)
            wraps = [_boundary(use, boundary_tags) for local, _ in bindings for use in references.get(local, [])]
        except NoFix as exc:
            reasons.append(str(exc))
            continue
        converted.append((statement, bindings))
        boundaries.update(((n.start_byte, n.end_byte), n) for n in wraps if n is not None)
    if not converted:
        raise NoFix("; ".join(reasons))
    names, edits = react_names(root, ["lazy", BOUNDARY] if boundaries else ["lazy"], add_import=True)
    declarations = "".join(
        _declaration(local, imported, node_text(statement.child_by_field_name("source")), names["lazy"])
        for statement, bindings in converted
        for local, imported in bindings
    )
    edits += [Edit(line_start(source, statement), line_end(source, statement), "") for statement, _ in converted]
    after = line_end(source, imports[-1])
    edits.append(Edit(after, after, "\n" + declarations))
    edits += [_wrap(source, node, names.get(BOUNDARY, BOUNDARY)) for node in boundaries.values()]
    return edits


def _is_page_import(statement: Node, pages: set[str]) -> bool:
    source = statement.child_by_field_name("source")
    if source is None or not names_page_directory(node_text(source)[1:-1]):
        return False
    clause = next((c for c in statement.children if c.type == "import_clause"), None)
    names = {node_text(n) for n in walk(clause) if n.type == "identifier"} if clause is not None else set()
    return bool(names & pages)


def _bindings(statement: Node, pages: set[str]) -> list[tuple[str, str]]:
    """(local, exported) of each name the import binds; NoFix unless all are route pages `lazy` can load."""
    line = statement.start_point[0] + 1
    if any(child.type == "type" for child in statement.children):
        raise NoFix(f"the import on line {line} is type-only")
    clause = next(c for c in statement.children if c.type == "import_clause")
    found: list[tuple[str, str]] = []
    for part in clause.named_children:
        if part.type == "identifier":
            found.append((node_text(part), "default"))
        elif part.type == "named_imports":
            for specifier in part.named_children:
                if specifier.type != "import_specifier" or any(c.type == "type" for c in specifier.children):
                    raise NoFix(f"the import on line {line} also imports types")
                name = node_text(specifier.child_by_field_name("name"))
                found.append((node_text(specifier.child_by_field_name("alias")) or name, name))
        else:
            raise NoFix(f"the namespace import on line {line} is not a single page")
    others = [local for local, _ in found if local not in pages]
    if others:
        raise NoFix(f"the import on line {line} also binds `{others[0]}`, which is not a route page")
    return found


def _references(root: Node) -> dict[str, list[Node]]:
    """Every identifier outside the imports, by name (JSX tag names included)."""
    found = nodes_by_text(root, {"identifier", "shorthand_property_identifier", "type_identifier"})
    return {name: kept for name, nodes in found.items() if (kept := [n for n in nodes if not _in_import(n)])}


def _in_import(node: Node) -> bool:
    while node.parent is not None and node.parent.type != "program":
        node = node.parent
    return node.type == "import_statement"


def _boundary(use: Node, boundary_tags: set[str]) -> Node | None:
    """The node to wrap in `Suspense` for this reference: None when a boundary already encloses it; NoFix when
    the reference is not a route's element or has no certain place for a boundary."""
    line = use.start_point[0] + 1
    value = _route_value(use)
    if value is None:
        raise NoFix(f"`{node_text(use)}` on line {line} is used other than as a route's element")
    switch = None
    for ancestor in _ancestors(value):
        name = _tag_name(ancestor)
        if name in boundary_tags or name.endswith(f".{BOUNDARY}"):
            return None
        if switch is None and name in _ROUTE_SWITCHES:
            switch = ancestor
    if switch is not None:
        return switch
    if value.type in _JSX_VALUES:
        return value
    raise NoFix(f"`{node_text(use)}` on line {line} is a route component outside `<Routes>`; no place for `Suspense`")


def _route_value(use: Node) -> Node | None:
    """The route's element or component value that holds ``use``, or None when ``use`` is anything else."""
    parent = use.parent
    if parent is not None and parent.type in _JSX_TAGS and parent.child_by_field_name("name") == use:
        node = parent.parent if parent.type != "jsx_self_closing_element" else parent
    elif parent is not None and parent.type == "jsx_expression":
        node = use  # `component={X}`
    else:
        return None
    while node is not None and node.parent is not None:
        holder = node.parent
        if holder.type == "jsx_expression" and holder.parent is not None and holder.parent.type == "jsx_attribute":
            attribute = holder.parent
            element = attribute.parent
            opening = element is not None and element.type == "jsx_opening_element"
            route = _tag_name(element.parent if opening else element)
            is_route = node_text(attribute.named_children[0]) in _ROUTE_ATTRIBUTES and route.rsplit(".", 1)[-1] == "Route"
            return node if is_route and (node.type in _JSX_VALUES or node is use) else None
        if holder.type == "pair" and node_text(holder.child_by_field_name("key")) == "element" and _in_router_call(holder):
            return node if node.type in _JSX_VALUES else None
        if holder.type not in ("jsx_element", "parenthesized_expression"):
            return None  # `{open && <X />}`, a call argument, ...
        node = holder
    return None


def _in_router_call(node: Node) -> bool:
    for ancestor in _ancestors(node):
        callee = ancestor.child_by_field_name("function") if ancestor.type == "call_expression" else None
        if callee is not None and node_text(callee).rsplit(".", 1)[-1] in ROUTER_CALLS:
            return True
    return False


def _ancestors(node: Node):
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def _tag_name(node: Node | None) -> str:
    """The tag of a JSX element node (`Routes`, `React.Suspense`), or "" for anything else."""
    if node is not None and node.type == "jsx_element":
        node = node.child_by_field_name("open_tag") or node.named_children[0]
    if node is None or node.type not in ("jsx_opening_element", "jsx_self_closing_element"):
        return ""
    return node_text(node.child_by_field_name("name"))


def _declaration(local: str, exported: str, source: str, lazy: str) -> str:
    # `lazy` wants a module whose default export is the component; a named export is mapped onto it
    module = f"import({source})" if exported == "default" else (
        f"import({source}).then((m) => ({{ default: m.{exported} }}))"
    )
    return f"const {local} = {lazy}(() => {module});\n"


def _wrap(source: bytes, node: Node, boundary: str) -> Edit:
    """`<Suspense fallback={null}>` around ``node``: on lines of their own, the block indented, when the node
    starts its line and holds no template literal (whose text indenting would change); inline otherwise."""
    opening, closing = f"<{boundary} fallback={{null}}>", f"</{boundary}>"
    body = node_text(node)
    start = line_start(source, node)
    indent = indent_of(source, node)
    if line_prefix(source, node).strip() or "`" in body:
        return Edit(node.start_byte, node.end_byte, f"{opening}{body}{closing}")
    nested = "\n".join(f"  {line}" if line.strip() else line for line in body.split("\n"))
    return Edit(start, node.end_byte, f"{indent}{opening}\n{indent}{nested}\n{indent}{closing}")
