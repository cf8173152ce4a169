"""JavaScript / JSX / TypeScript / TSX front-end: one tree-sitter parse, then module facts.

The interesting nodes are found by one compiled query (run in C); a single sweep over them in source order
keeps a stack of enclosing functions and loops, so Python only looks at small neighbourhoods of each node.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from operator import itemgetter

from tree_sitter import Node, QueryCursor

from analyzers.facts import Loop, ModuleFacts
from analyzers.js_bindings import (
    assignment_binding,
    declarator_binding,
    field_binding,
    literal_binding,
    parameter_property_binding,
)
from analyzers.js_functions import KINDS, FunctionRecord, decorated, naming
from analyzers.js_modules import (
    call_import,
    commonjs_exports,
    esm_import,
    export_statement,
)
from analyzers.js_flow import AwaitFlows
from analyzers.js_nodes import chain, code_text, has_token, params, short_text, span
from analyzers.js_queries import CAPTURES, Grammar, grammar
from analyzers.js_repairs import repair
from analyzers.js_scopes import Frame, ScopeStack
from analyzers.js_tokens import js_tokens
from analyzers.js_sites import (
    LOOP_METHODS,
    CallbackLoop,
    await_fact,
    awaited_calls,
    batched_name,
    call_fact,
    callback_loop,
    callee_node,
    is_batcher,
    iterates_constant,
    jsx_fact,
    literal_size,
    misparsed_await_call,
    sql_fact,
)
from optimizer.suppress import scan_suppressions

_LOOP_KINDS = {"for_statement": "for", "while_statement": "while", "do_statement": "do"}
_ORDER = itemgetter(0, 1, 2)
# Awaited Prisma reads whose later uses are recorded (``Await.result_uses``): rows counted, columns left unread.
_ROW_READS = (".findMany", ".findUnique", ".findUniqueOrThrow", ".findFirst", ".findFirstOrThrow")


def parse(path: str, source: bytes, language: str) -> ModuleFacts:
    """Facts for one JS/TS module. ``language``: ``javascript`` (also JSX) | ``typescript`` | ``tsx``.

    Syntax errors do not raise: the facts from the parts that parsed are kept and one message is recorded.
    """
    bundle = grammar(language)
    root = bundle.parser.parse(source).root_node
    facts = ModuleFacts(path=path, language=language, lines=_count_lines(source))
    facts.suppressions = scan_suppressions(source)
    if root.has_error:
        repaired = repair(source, language)
        retry = bundle.parser.parse(repaired).root_node if repaired is not None else None
        if retry is not None and not retry.has_error:
            source, root = repaired, retry
    _Sweep(source, bundle, facts).run(root)
    requires = [(i.span.line, i.span.end_line) for i in facts.imports if i.kind == "require" and i.function is None]
    facts.tokens = js_tokens(root, source, language, requires)
    if root.has_error:
        facts.errors.append(_syntax_error(root))
    return facts


class _Sweep:
    """Visits the captured nodes in source order and appends their facts to ``facts``."""

    def __init__(self, source: bytes, bundle: Grammar, facts: ModuleFacts) -> None:
        self.source = source
        self.bundle = bundle
        self.facts = facts
        self.scopes = ScopeStack()
        self.records: list[FunctionRecord] = []
        self.qualnames: set[str] = set()
        # callback function node id -> the loop its call makes of it
        self.pending_loops: dict[int, CallbackLoop] = {}
        # (function, variable) -> id of a ``.map`` loop whose result that variable holds
        self.mapped: dict[tuple[str | None, str], int] = {}
        # (function, array) -> ids of the loops of that function whose turns ``push`` onto the array
        self.pushed: dict[tuple[str | None, str], set[int]] = {}
        self.parameter_properties: set[int] = set()
        # decorated node id -> decorator texts without the ``@``
        self.decorators: dict[int, list[str]] = {}
        # ids of the calls some ``await`` waits for; awaits come before the calls they contain
        self.awaited: set[int] = set()
        # function node id -> decision points directly in it (not in nested functions)
        self.decisions: dict[int, int] = {}
        self.flows = AwaitFlows(source, facts.language, bundle.uses)

    def run(self, root: Node) -> None:
        # bound methods in a local, not on self: a sweep must be no reference cycle (nothing to collect)
        by_capture: dict[str, Callable[[Node], None]] = {
            "fn": self.function,
            "loop": self.loop,
            "export": self.export,
            "import": self.import_,
            "decorator": self.decorator,
            "decl": self.declarator,
            "assign": self.assignment,
            "field": self.field,
            "param_prop": self.parameter_property,
            "call": self.call,
            "await": self.await_,
            "jsx": self.jsx,
            "str": self.string,
            "branch": self.branch,
        }
        handlers = [by_capture[name] for name in CAPTURES]
        rank = {name: index for index, name in enumerate(CAPTURES)}
        captures = QueryCursor(self.bundle.facts).captures(root)
        events = [
            (node.start_byte, -node.end_byte, rank[name], node) for name, nodes in captures.items() for node in nodes
        ]
        events.sort(key=_ORDER)
        advance = self.scopes.advance
        for start, _, index, node in events:
            advance(start)
            handlers[index](node)
        exported = {e.local for e in self.facts.exports if e.local and e.kind in ("named", "default")}
        self.facts.functions = [record.freeze(exported, self.decorators) for record in self.records]
        decisions = self.decisions
        self.facts.complexity = {
            r.qualname: 1 + decisions.get(r.node.id, 0) for r in self.records if r.kind != "class"
        }

    def function(self, node: Node) -> None:
        source, scopes = self.source, self.scopes
        about = naming(source, node)
        parent = scopes.function
        pending = self.pending_loops.pop(node.id, None)
        if pending is not None:
            self._callback_loop(node, pending, parent.qualname if parent is not None else None)
        kind = KINDS[node.type]
        class_name = parent.qualname if about.member and parent is not None and parent.kind == "class" else None
        if about.name is None:
            row, column = node.start_point
            name = f"<{kind}>"
            base = f"<{kind}@{row + 1}:{column + 1}>"
        else:
            name = about.name
            local = f"{about.owner}.{name}" if about.owner else name
            base = f"{parent.qualname}.{local}" if parent is not None else local
        names, types = params(source, node) if kind != "class" else ((), {})
        record = FunctionRecord(
            qualname=self._unique(base, node),
            name=name,
            kind=kind,
            node=node,
            class_name=class_name,
            parent=parent.qualname if parent is not None else None,
            top_level=parent is None,
            params=names,
            param_types=types,
        )
        self.records.append(record)
        transparent = pending is not None or about.callback
        scopes.push(Frame(node.end_byte, function=record, transparent=transparent))

    def _unique(self, qualname: str, node: Node) -> str:
        if qualname in self.qualnames:
            row, column = node.start_point
            qualname = f"{qualname}@{row + 1}:{column + 1}"
        self.qualnames.add(qualname)
        return qualname

    def _callback_loop(self, node: Node, pending: CallbackLoop, function: str | None) -> None:
        loop_id = len(self.facts.loops)
        self.facts.loops.append(
            Loop(
                id=loop_id,
                kind=pending.kind,
                span=span(node),
                function=function,
                iterable=pending.iterable,
                literal_size=pending.literal_size,
                batched=pending.batched,
                parent=self.scopes.innermost_loop,
            )
        )
        if pending.result_name is not None:
            self.mapped[(function, pending.result_name)] = loop_id
        self.scopes.push(Frame(node.end_byte, loop=loop_id))

    def loop(self, node: Node) -> None:
        kind = _LOOP_KINDS.get(node.type)
        iterable = ""
        size = None
        # What runs once (``for``'s initializer, ``for-of``'s iterable) is outside the repeated part.
        once = node.child_by_field_name("initializer") if kind == "for" else None
        if kind == "for":  # the header tells a per-item loop from a chunked one (`i += 500`)
            parts = (node.child_by_field_name(f) for f in ("initializer", "condition", "increment"))
            iterable = "; ".join(short_text(self.source, part).rstrip(";") for part in parts if part is not None)
        if kind is None:
            operator = node.child_by_field_name("operator")
            kind = "for_in" if operator is not None and operator.type == "in" else "for_of"
            if has_token(node, "await"):
                kind = "for_await"
            once = node.child_by_field_name("right")
            if once is not None:
                iterable, size = short_text(self.source, once), literal_size(once)
        loop_id = len(self.facts.loops)
        scopes = self.scopes
        record = scopes.function
        constant = kind != "for" and iterates_constant(self.source, once, record.node if record else None)
        self.facts.loops.append(
            Loop(loop_id, kind, span(node), scopes.qualname, iterable, size, parent=scopes.innermost_loop,
                 constant=constant)
        )
        frame = Frame(node.end_byte, loop=loop_id)
        if once is None:
            scopes.push(frame)
        else:
            scopes.defer(frame, once.end_byte)

    def call(self, node: Node) -> None:
        callee, misparsed = callee_node(node)
        if callee is None:
            return
        is_new = node.type == "new_expression"
        source, scopes = self.source, self.scopes
        written = code_text(source, callee)
        parts = chain(source, callee, written)
        arguments = node.child_by_field_name("arguments")
        function = scopes.qualname
        if not is_new:
            self._call_roles(node, callee, written, parts[-1], arguments, function)
        awaited = misparsed or node.id in self.awaited
        first = callee if misparsed else node
        self.facts.calls.append(
            call_fact(source, node, written, parts, arguments, function, scopes.loops, awaited, is_new, first)
        )

    def _call_roles(
        self, node: Node, callee: Node, written: str, name: str, arguments: Node | None, function: str | None
    ) -> None:
        """What else a call is: an import (``require``/``import()``), a per-item callback loop, a batch."""
        if written in ("require", "import"):
            imported = call_import(self.source, node, callee, function)
            if imported is not None:
                self.facts.imports.append(imported)
        elif name in LOOP_METHODS and callee.type == "member_expression":
            found = callback_loop(self.source, node, callee, name, arguments)
            if found is not None:
                self.pending_loops[found[0].id] = found[1]
        elif is_batcher(written):
            self._batch(arguments, function)
        elif name == "push" and callee.type == "member_expression" and self.scopes.loops:
            array = callee.child_by_field_name("object")
            if array is not None and array.type == "identifier":
                loops = self.facts.loops
                own = {i for i in self.scopes.loops if loops[i].function == function}
                self.pushed.setdefault((function, code_text(self.source, array)), set()).update(own)

    def _batch(self, arguments: Node | None, function: str | None) -> None:
        """``const ps = xs.map(...); await Promise.all(ps)`` batches the map loop, like the direct form; so does
        a loop that pushes its turns' promises onto ``ps`` without waiting for any of them."""
        name = batched_name(self.source, arguments)
        if name is None:
            return
        loops = self.facts.loops
        loop_id = self.mapped.pop((function, name), None)
        if loop_id is not None:
            loops[loop_id] = replace(loops[loop_id], batched=True)
        inside = set(self.scopes.loops)
        for loop_id in self.pushed.pop((function, name), ()):
            if loop_id not in inside and not self._waits_per_turn(loop_id):
                loops[loop_id] = replace(loops[loop_id], batched=True)

    def _waits_per_turn(self, loop_id: int) -> bool:
        """The loop awaits something in its own body (not in a callback it starts), so its turns are sequential."""
        function = self.facts.loops[loop_id].function
        return any(loop_id in a.loops and a.function == function for a in self.facts.awaits)

    def await_(self, node: Node) -> None:
        source, scopes = self.source, self.scopes
        self.awaited.update(awaited_calls(source, node))
        fact = await_fact(source, node, self.bundle.uses, scopes.qualname, scopes.loops)
        expression = misparsed_await_call(node) or node
        block, next_read, carried = self.flows.flow(expression, fact.uses)
        uses = self.flows.result_uses(expression) if fact.call and fact.call.endswith(_ROW_READS) else ()
        self.facts.awaits.append(
            replace(fact, block=block, next_read=next_read, loop_carried=carried, result_uses=uses)
        )

    def branch(self, node: Node) -> None:
        record = self.scopes.function
        if record is not None:
            key = record.node.id
            self.decisions[key] = self.decisions.get(key, 0) + 1

    def jsx(self, node: Node) -> None:
        scopes = self.scopes
        scopes.mark_jsx()
        element = jsx_fact(self.source, node, scopes.qualname, scopes.loops)
        if element is not None:
            self.facts.jsx.append(element)

    def string(self, node: Node) -> None:
        found = sql_fact(self.source, node, self.scopes.qualname, self.scopes.loops)
        if found is not None:
            self.facts.sql.append(found)

    def import_(self, node: Node) -> None:
        found = esm_import(self.source, node)
        if found is not None:
            self.facts.imports.append(found)

    def export(self, node: Node) -> None:
        exports, imported = export_statement(self.source, node)
        self.facts.exports.extend(exports)
        if imported is not None:
            self.facts.imports.append(imported)

    def decorator(self, node: Node) -> None:
        target = decorated(node)
        if target is not None:
            self.decorators.setdefault(target.id, []).append(code_text(self.source, node)[1:])

    def declarator(self, node: Node) -> None:
        found = declarator_binding(self.source, node, self.scopes.qualname)
        if found is not None:
            self.facts.bindings.append(found)
            return
        literal = literal_binding(self.source, node, self.scopes.qualname)
        if literal is not None:
            self.facts.literals.append(literal)

    def assignment(self, node: Node) -> None:
        source, scopes = self.source, self.scopes
        exports = commonjs_exports(source, node)
        if exports:
            self.facts.exports.extend(exports)
            return
        record = scopes.function
        types = record.param_types if record is not None else {}
        found = assignment_binding(source, node, scopes.class_scope, scopes.qualname, types)
        if found is not None:
            self.facts.bindings.append(found)

    def field(self, node: Node) -> None:
        record = self.scopes.function
        if record is None or record.kind != "class":
            return
        found = field_binding(self.source, node, record.qualname, record.name)
        if found is not None:
            self.facts.bindings.append(found)

    def parameter_property(self, node: Node) -> None:
        # A parameter with both a modifier and ``readonly`` matches two patterns.
        if node.id in self.parameter_properties:
            return
        self.parameter_properties.add(node.id)
        found = parameter_property_binding(self.source, node, self.scopes.class_scope)
        if found is not None:
            self.facts.bindings.append(found)


def _count_lines(source: bytes) -> int:
    if not source:
        return 0
    return source.count(b"\n") + (0 if source.endswith(b"\n") else 1)


def _syntax_error(root: Node) -> str:
    """Where the first ERROR or MISSING node is, following the children that contain one."""
    node = root
    while not (node.is_error or node.is_missing):
        inner = next((c for c in node.children if c.is_error or c.is_missing or c.has_error), None)
        if inner is None:
            break
        node = inner
    row, column = node.start_point
    return f"syntax error at line {row + 1}, column {column + 1}"
