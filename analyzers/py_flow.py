"""Where the value of a Python ``await`` goes (``Await.block``, ``next_read``, ``loop_carried``), worked out
once per ``async def`` before the front-end's walk reaches its awaits."""

from __future__ import annotations

import ast
from bisect import bisect_left
from typing import Any

from analyzers.loop_flow import LoopSummary
from analyzers.py_source import SourceMap

# (block, next_read, loop_carried), in the order of the ``Await`` fields
Flow = tuple[int, int, bool]
Loop = ast.For | ast.AsyncFor | ast.While | ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_STATEMENT_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
_SELF = frozenset({"self", "cls"})


def await_flows(function: ast.AsyncFunctionDef, src: SourceMap) -> dict[int, Flow]:
    """Flow facts of the awaits in ``function``'s own body (a nested ``async def`` gets its own), by node id."""
    walk = _FlowWalk(function, src)
    walk.block(function.body, None)
    return walk.flows


class _FlowWalk:
    def __init__(self, function: ast.AsyncFunctionDef, src: SourceMap) -> None:
        self.src = src
        self.flows: dict[int, Flow] = {}
        self._loops: dict[int, LoopSummary] = {}
        # name (or ``self.attr``) -> start bytes of its mentions anywhere in the function, sorted
        self.mentions: dict[str, list[int]] = {}
        for node in ast.walk(function):
            if type(node) is ast.Name:
                self.mentions.setdefault(node.id, []).append(self.start(node))
            elif type(node) is ast.Attribute and type(node.value) is ast.Name and node.value.id in _SELF:
                self.mentions.setdefault(f"{node.value.id}.{node.attr}", []).append(self.start(node))
        for positions in self.mentions.values():
            positions.sort()
        # names the function assigns: a stateful object of its own, not a client handed in or shared
        self.locals = {node.id for node in ast.walk(function) if type(node) is ast.Name and type(node.ctx) is ast.Store}
        # id of an ``await obj.m()`` statement -> (obj, end of the statement): ``await doc.load()`` fills ``doc``
        self.fills: dict[int, tuple[str, int]] = {}

    def start(self, node: Any) -> int:
        return self.src.starts[node.lineno - 1] + node.col_offset

    def end(self, node: Any) -> int:
        return self.src.starts[node.end_lineno - 1] + node.end_col_offset

    # -- statements

    def block(self, body: list[ast.stmt], loop: Loop | None) -> None:
        if not body:
            return
        start = self.start(body[0])
        for statement in body:
            self.statement(statement, start, loop)

    def statement(self, node: ast.stmt, block: int, loop: Loop | None) -> None:
        kind = type(node)
        if kind in _SCOPES:
            return
        if kind is ast.For or kind is ast.AsyncFor:
            self.expr(node.iter, -1, loop, [])  # evaluated once, before the first turn
            self.block(node.body, node)
            self.block(node.orelse, loop)
        elif kind is ast.While:
            self.expr(node.test, -1, node, [])
            self.block(node.body, node)
            self.block(node.orelse, loop)
        elif kind is ast.Expr and (receiver := _state_receiver(node.value)) in self.locals and receiver not in _SELF:
            self.fills[id(node.value)] = (receiver, self.end(node))
            self.expr(node.value, block, loop, [])
        elif kind in (ast.Assign, ast.AnnAssign, ast.AugAssign):
            targets = node.targets if kind is ast.Assign else [node.target]
            if node.value is not None:
                bound = [(name, self.end(node)) for name in _set_names(targets)]
                self.expr(node.value, block, loop, bound)
        else:
            for _, value in ast.iter_fields(node):
                if isinstance(value, list):
                    statements = [v for v in value if isinstance(v, ast.stmt)]
                    if statements:
                        self.block(statements, loop)
                    for item in value:
                        self._part(item, block, loop)
                else:
                    self._part(value, block, loop)

    def _part(self, value: Any, block: int, loop: Loop | None) -> None:
        """An expression of a statement, or a clause holding a statement list (``except``, ``case``)."""
        if isinstance(value, ast.expr):
            self.expr(value, block, loop, [])
        elif isinstance(value, (ast.excepthandler, ast.match_case)):
            self.block(value.body, loop)
        elif isinstance(value, ast.withitem):
            self.expr(value.context_expr, block, loop, [])

    # -- expressions

    def expr(self, node: ast.AST, block: int, loop: Loop | None, bound: list[tuple[str, int]]) -> None:
        kind = type(node)
        if kind is ast.Await:
            fills = self.fills.get(id(node))
            mentioned = [*bound, fills] if fills is not None else bound
            self.flows[id(node)] = (block, self._next_mention(mentioned), self._carried(node, loop, bound))
            self.expr(node.value, block, loop, bound)
        elif kind is ast.Lambda:
            return
        elif kind in _COMPREHENSIONS:
            for child in ast.iter_child_nodes(node):  # once per element
                self.expr(child, -1, node, bound)  # type: ignore[arg-type]
        elif kind is ast.IfExp:
            self.expr(node.test, block, loop, bound)
            self.expr(node.body, -1, loop, bound)
            self.expr(node.orelse, -1, loop, bound)
        elif kind is ast.BoolOp:
            first, *rest = node.values
            self.expr(first, block, loop, bound)
            for value in rest:
                self.expr(value, -1, loop, bound)
        elif kind is ast.NamedExpr:
            self.expr(node.value, block, loop, [*bound, (node.target.id, self.end(node))])
        elif kind is ast.Call and type(node.func) is ast.Attribute:
            # ``out.append(await f())``: the value ends up in the receiver
            receiver = [(name, self.end(node)) for name in _set_names([node.func.value])]
            self.expr(node.func, block, loop, bound)
            for child in (*node.args, *node.keywords):
                self.expr(child, block, loop, [*bound, *receiver])
        else:
            for child in ast.iter_child_nodes(node):
                self.expr(child, block, loop, bound)

    def _next_mention(self, bound: list[tuple[str, int]]) -> int:
        found = []
        for name, after in bound:
            positions = self.mentions.get(name, [])
            index = bisect_left(positions, after)
            if index < len(positions):
                found.append(positions[index])
        return min(found, default=-1)

    def _carried(self, node: ast.Await, loop: Loop | None, bound: list[tuple[str, int]]) -> bool:
        if loop is None or not isinstance(loop, _STATEMENT_LOOPS):
            return False
        if type(loop) is ast.While and self.start(loop.test) <= self.start(node) < self.end(loop.test):
            return True
        summary = self._loops.get(id(loop))
        if summary is None:
            summary = self._loops[id(loop)] = _summarize(loop)
        return summary.carries((name for name, _ in bound), _reads(node.value))


def _summarize(loop: ast.For | ast.AsyncFor | ast.While) -> LoopSummary:
    stops = type(loop) is ast.While and type(loop.test) is ast.Constant and bool(loop.test.value)
    condition = _reads(loop.test) if type(loop) is ast.While else frozenset()
    assignments: list[tuple[frozenset[str], frozenset[str]]] = []
    stack: list[tuple[ast.AST, bool]] = [(statement, False) for statement in loop.body]
    while stack:  # (node, inside a nested loop: a ``break`` there leaves that loop, not this one)
        node, nested = stack.pop()
        kind = type(node)
        if kind in _SCOPES:
            continue
        if kind in (ast.Return, ast.Yield, ast.YieldFrom) or (kind is ast.Break and not nested):
            stops = True
        elif kind is ast.Assign:
            assignments.append((frozenset(_set_names(node.targets)), _reads(node.value)))
        elif kind in (ast.AugAssign, ast.AnnAssign) and node.value is not None:
            assignments.append((frozenset(_set_names([node.target])), _reads(node.value) | _reads(node.target)))
        elif kind is ast.NamedExpr:
            assignments.append((frozenset({node.target.id}), _reads(node.value)))
        elif kind in _STATEMENT_LOOPS:
            if kind is not ast.While:
                assignments.append((frozenset(_set_names([node.target])), _reads(node.iter)))
            stack.extend((child, True) for child in ast.iter_child_nodes(node))
            continue
        stack.extend((child, nested) for child in ast.iter_child_nodes(node))
    return LoopSummary(tuple(assignments), condition, stops)


def _state_receiver(node: ast.expr) -> str | None:
    """``obj`` of ``await obj.m(...)``, when ``obj`` is a plain name."""
    if type(node) is not ast.Await or type(node.value) is not ast.Call:
        return None
    callee = node.value.func
    return callee.value.id if type(callee) is ast.Attribute and type(callee.value) is ast.Name else None


def _reads(node: ast.AST) -> frozenset[str]:
    return frozenset(n.id for n in ast.walk(node) if type(n) is ast.Name)


def _set_names(targets: list[ast.expr]) -> list[str]:
    """Names assignment targets set: ``a, *b`` -> a, b; ``state["k"]`` / ``state.user`` -> state;
    ``self.user.x`` -> self.user (other attributes of ``self`` stay apart)."""
    found: list[str] = []
    stack = list(reversed(targets))
    while stack:
        target = stack.pop()
        kind = type(target)
        if kind is ast.Name:
            found.append(target.id)
        elif kind in (ast.Tuple, ast.List):
            stack.extend(reversed(target.elts))
        elif kind is ast.Starred:
            stack.append(target.value)
        elif kind in (ast.Attribute, ast.Subscript):
            member = target
            while type(member.value) in (ast.Attribute, ast.Subscript):
                member = member.value
            base = member.value
            if type(base) is ast.Name:
                is_self = base.id in _SELF and type(member) is ast.Attribute
                found.append(f"{base.id}.{member.attr}" if is_self else base.id)
    return found
