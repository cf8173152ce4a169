"""Walk handlers for loops (``for``, ``async for``, ``while``, comprehensions), mixed into the Python front-end."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from analyzers.facts import Loop
from analyzers.py_source import SourceMap

_LITERALS = (ast.List, ast.Tuple, ast.Set)


class LoopHandlers:
    """Records each loop and keeps the stack of enclosing loop ids that calls and awaits are stamped with.

    What a loop evaluates once (a ``for``'s iterable, a comprehension's outermost iterable) is visited
    outside the loop, so a query there is not counted as repeated.
    """

    src: SourceMap
    loops: list[Loop]
    _loop_stack: tuple[int, ...]
    _function: str | None
    _batched: set[int]
    _decisions: int

    # provided by the walker this is mixed into
    visit: Callable[[Any], None]
    _visit_all: Callable[[list[Any]], None]
    _children: Callable[[Any], None]

    def _add_loop(self, kind: str, node: ast.AST, iterable: ast.expr | None) -> int:
        loop_id = len(self.loops)
        text, size = "", None
        if iterable is not None:
            text = self.src.text(iterable)
            if isinstance(iterable, _LITERALS) and not any(type(e) is ast.Starred for e in iterable.elts):
                size = len(iterable.elts)
        parent = self._loop_stack[-1] if self._loop_stack else None
        loop = Loop(loop_id, kind, self.src.span(node), self._function, text, size, id(node) in self._batched, parent)
        self.loops.append(loop)
        return loop_id

    def _for(self, node: ast.For | ast.AsyncFor) -> None:
        loop_id = self._add_loop("for_await" if type(node) is ast.AsyncFor else "for", node, node.iter)
        self._decisions += 1 + bool(node.orelse)
        self.visit(node.iter)  # evaluated once, before the first iteration
        outer = self._loop_stack
        self._loop_stack = (*outer, loop_id)
        self.visit(node.target)
        self._visit_all(node.body)
        self._loop_stack = outer
        self._visit_all(node.orelse)

    def _while(self, node: ast.While) -> None:
        loop_id = self._add_loop("while", node, None)
        self._decisions += 1 + bool(node.orelse)
        outer = self._loop_stack
        self._loop_stack = (*outer, loop_id)
        self.visit(node.test)
        self._visit_all(node.body)
        self._loop_stack = outer
        self._visit_all(node.orelse)

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> None:
        first, *rest = node.generators
        loop_id = self._add_loop("comprehension", node, first.iter)
        self._decisions += sum(1 + len(generator.ifs) for generator in node.generators)
        self.visit(first.iter)  # the outermost iterable is evaluated once, outside the comprehension
        outer = self._loop_stack
        self._loop_stack = (*outer, loop_id)
        self.visit(first.target)
        self._visit_all(first.ifs)
        for generator in rest:
            self._children(generator)
        if type(node) is ast.DictComp:
            self.visit(node.key)
            self.visit(node.value)
        else:
            self.visit(node.elt)
        self._loop_stack = outer
