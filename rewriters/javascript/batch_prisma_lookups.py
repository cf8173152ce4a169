"""batch-prisma-lookups: one `findUnique` per item of a loop -> one `findMany` and a Map lookup per item.

```ts
const users = [];
for (const id of ids) {
  const user = await prisma.user.findUnique({ where: { id } });
  users.push(user);
}
```
becomes
```ts
const userRows = await prisma.user.findMany({ where: { id: { in: ids } } });
const userById = new Map(userRows.map((row) => [row.id, row]));
const users = ids.map((id) => userById.get(id) ?? null);
```
Only this shape is rewritten: a fresh array declared right before the loop, a body that only looks up one row
by one unique field and pushes it, a `select` that keeps the key. `findUnique` finds at most one row per key,
so the Map gives each item the row (or the `null`) the lookup gave it, in the items' order.
"""

from __future__ import annotations

from collections.abc import Collection

from tree_sitter import Node

from analyzers.detectors._data_access import classify, prisma_clients
from analyzers.facts import Call, Loop, ModuleFacts
from optimizer.findings import Edit
from rewriters.edits import NoFix
from rewriters.javascript._loops import (
    PLAIN_REFERENCE,
    ForOf,
    awaited_call,
    check_array,
    collector,
    declared_from_await,
    declared_names,
    for_of,
    push_argument,
    statement_at,
)
from rewriters.javascript._tree import (
    asked_for,
    fresh_name,
    line,
    mentions,
    node_text,
    statement_indent,
    tree_and_facts,
    walk,
)

CODEMOD_ID = "batch-prisma-lookups"
# query options that keep every scalar field of the row (`include` adds relations; `select` is checked)
_KEPT_OPTIONS = frozenset({"where", "select", "include"})


def batchable_lookups(module: ModuleFacts) -> list[tuple[Loop, Call, str]]:
    """(loop, call, key field) for each `for…of` loop over a name whose only query is an awaited
    `findUnique({ where: { <one field> } })` made in the loop itself, in a loop that goes through every item
    (no `break`/`return` on a row found); the codemod checks the rest on the tree."""
    if module.language == "python":
        return []
    stops = [a.span for a in module.awaits if a.loop_carried]
    clients = prisma_clients(module)
    queries: dict[int, list[Call]] = {}
    for call in module.calls:
        if call.loops and classify(call, module.language, clients) is not None:
            for loop_id in call.loops:
                queries.setdefault(loop_id, []).append(call)
    found = []
    for loop_id, calls in queries.items():
        loop, call = module.loop(loop_id), calls[0]
        if len(calls) != 1 or loop.kind != "for_of" or not PLAIN_REFERENCE.fullmatch(loop.iterable):
            continue
        where = [key.removeprefix("where.") for key in call.arg_keys if key.startswith("where.")]
        if any(s.start_byte <= call.span.start_byte and call.span.end_byte <= s.end_byte for s in stops):
            continue
        if call.name == "findUnique" and call.awaited and call.loops[-1] == loop_id and len(where) == 1:
            if "." not in where[0] and "*" not in where[0]:
                found.append((loop, call, where[0]))
    return found


def compute_edits(source: bytes, language: str, lines: Collection[int] | None = None) -> list[Edit]:
    """One edit per batchable loop that replaces it and its array with one `findMany`; NoFix when unsure."""
    root, module = tree_and_facts(source, language)
    return [
        _rewrite(source, root, for_of(statement_at(root, loop.span)))
        for loop, _, _ in batchable_lookups(module)
        if asked_for(lines, loop.span.line, loop.span.end_line or loop.span.line)
    ]


def _rewrite(source: bytes, root: Node, loop: ForOf) -> Edit:
    where = f"the loop on line {line(loop.statement)}"
    check_array(loop)
    found = collector(loop)
    if found is None:
        raise NoFix(f"{where} does not fill an empty array declared right before it")
    declaration, name = found
    if any(node.type == "comment" for node in walk(loop.body)):
        raise NoFix(f"{where} holds comments, which the rewrite would drop")
    query = _looked_up(loop, name)
    if query is None:
        raise NoFix(f"{where} does more than look up one row and push it to `{name}`")
    callee = query.child_by_field_name("function")
    delegate = callee.child_by_field_name("object") if callee is not None else None
    arguments = [a for a in query.child_by_field_name("arguments").named_children if a.type != "comment"]
    if delegate is None or len(arguments) != 1 or arguments[0].type != "object":
        raise NoFix(f"the query on line {line(query)} does not take an object literal")
    field, key, options = _options(loop, arguments[0])
    model = node_text(delegate).rsplit(".", 1)[-1]
    rows = fresh_name(root, f"{model}Rows")
    by_key = fresh_name(root, f"{model}By{field[:1].upper()}{field[1:]}")
    items, item = node_text(loop.items), node_text(loop.item)
    keys = items if key == item else f"{items}.map(({item}) => {key})"
    keyword = declaration.children[0].type
    annotation = declaration.named_children[0].child_by_field_name("type")
    typed = node_text(annotation) if annotation is not None else ""
    indent = "\n" + statement_indent(source, declaration)
    extra = "".join(f", {text}" for text in options)
    text = (
        f"const {rows} = await {node_text(delegate)}.findMany({{ where: {{ {field}: {{ in: {keys} }} }}{extra} }});"
        f"{indent}const {by_key} = new Map({rows}.map((row) => [row.{field}, row]));"
        f"{indent}{keyword} {name}{typed} = {items}.map(({item}) => {by_key}.get({key}) ?? null);"
    )
    return Edit(declaration.start_byte, loop.statement.end_byte, text)


def _looked_up(loop: ForOf, name: str) -> Node | None:
    """The `findUnique(...)` call when the body is `name.push(await q)` or `const r = await q; name.push(r);`."""
    statements = loop.statements
    pushed = push_argument(statements[-1], name) if statements else None
    if pushed is None or len(mentions(loop.body, name)) != 1:
        return None
    if len(statements) == 1:
        return _find_unique(awaited_call(pushed))
    if len(statements) != 2 or pushed.type != "identifier" or len(mentions(loop.body, node_text(pushed))) != 2:
        return None
    return _find_unique(declared_from_await(statements[0], node_text(pushed)))


def _find_unique(call: Node | None) -> Node | None:
    callee = call.child_by_field_name("function") if call is not None else None
    method = callee.child_by_field_name("property") if callee is not None and callee.type == "member_expression" else None
    return call if method is not None and node_text(method) == "findUnique" else None


def _options(loop: ForOf, query: Node) -> tuple[str, str, list[str]]:
    """(key field, key expression, the other options' text) of `{ where: { field: key }, select, include }`."""
    at = f"the query on line {line(query)}"
    properties = {}
    for prop in query.named_children:
        key = prop.child_by_field_name("key") if prop.type == "pair" else None
        if prop.type == "comment":
            continue
        if key is None or node_text(key) not in _KEPT_OPTIONS:
            raise NoFix(f"{at} has `{node_text(prop)}`; only `where`, `select` and `include` are batched")
        properties[node_text(key)] = prop
    where = properties.pop("where", None)
    value = where.child_by_field_name("value") if where is not None else None
    conditions = [c for c in value.named_children if c.type != "comment"] if value is not None else []
    if value is None or value.type != "object" or len(conditions) != 1:
        raise NoFix(f"{at} does not look a row up by exactly one field")
    condition = conditions[0]
    if condition.type == "shorthand_property_identifier":
        field = key = node_text(condition)
    elif condition.type == "pair" and condition.child_by_field_name("key").type == "property_identifier":
        field, key = node_text(condition.child_by_field_name("key")), node_text(condition.child_by_field_name("value"))
    else:
        raise NoFix(f"{at} does not look a row up by exactly one named field")
    loop_names = declared_names(loop.item) | {node_text(loop.item)}
    if not PLAIN_REFERENCE.fullmatch(key) or key.split(".")[0] not in loop_names:
        raise NoFix(f"{at} looks `{field}` up by `{key}`, not by the loop's item or a field of it")
    if "select" in properties and not _selects(properties["select"], field):
        raise NoFix(f"{at} does not select `{field}`, which the rows are matched by")
    return field, key, [node_text(prop) for prop in properties.values()]


def _selects(select: Node, field: str) -> bool:
    """Whether `select: { ... }` lists `field: true` at its top level."""
    value = select.child_by_field_name("value")
    return value is not None and value.type == "object" and any(
        prop.type == "pair"
        and node_text(prop.child_by_field_name("key")) == field
        and node_text(prop.child_by_field_name("value")) == "true"
        for prop in value.named_children
    )
