"""Walk handlers that count McCabe decision points per function, mixed into the Python front-end.

The count follows radon's rules (``if``/``elif``, ternaries, loops and their ``else``, each ``except`` and a
``try``'s ``else``, each extra operand of ``and``/``or``, comprehension ``for``s and ``if``s, ``match`` cases
other than the wildcard), so a number here means the same as radon's without a second parse of the file.
Decisions in a nested ``def`` or ``class`` belong to it; those of a ``lambda`` to the enclosing ``def``.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any


class ComplexityHandlers:
    """Adds to ``_decisions``, the count of the innermost ``def`` being walked (``_def`` saves and resets it)."""

    _decisions: int

    # provided by the walker this is mixed into
    visit: Callable[[Any], None]
    _children: Callable[[Any], None]

    def _try(self, node: ast.Try) -> None:
        self._decisions += len(node.handlers) + bool(node.orelse)
        self._children(node)

    def _bool_op(self, node: ast.BoolOp) -> None:
        self._decisions += len(node.values) - 1
        self._children(node)

    def _if_exp(self, node: ast.IfExp) -> None:
        self._decisions += 1
        self._children(node)

    def _match(self, node: ast.Match) -> None:
        # ``case _:`` is the fall-through, not a decision; a match of only ``case _`` adds nothing
        wildcard = any(type(case.pattern) is ast.MatchAs and case.pattern.pattern is None for case in node.cases)
        self._decisions += max(0, len(node.cases) - wildcard)
        self._children(node)
