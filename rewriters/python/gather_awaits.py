"""gather-awaits: `a = await f(x)` then `b = await g(y)` -> `a, b = await asyncio.gather(f(x), g(y))`.

The runs are the ones `sequential-independent-awaits` reports, found again on the current text; each await
must be a whole statement of one block, one right after another, so the rewrite drops nothing between them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import libcst as cst
from libcst.metadata import PositionProvider

from analyzers.detectors.sequential_independent_awaits import independent_runs
from analyzers.frontends import parse_source
from rewriters.edits import NoFix
from rewriters.python._cst import resolve, with_import

CODEMOD_ID = "gather-awaits"


def transform(module: cst.Module, lines: Collection[int]) -> cst.Module:
    """Merge each reported run whose first await is on one of ``lines``; raise NoFix when one is unsure."""
    facts = parse_source("input.py", "python", module.bytes)
    runs = [[awaited.span.line for awaited, _ in run] for run in independent_runs(facts)]
    runs = [run for run in runs if run[0] in lines]
    if not runs:
        return module
    (positions,) = resolve(module, PositionProvider)
    merger = _Merger(runs, positions)
    module = module.visit(merger)
    missed = [run[0] for run in runs if run[0] not in merger.merged]
    if missed:
        raise NoFix(f"the await on line {missed[0]} is not a whole `x = await ...` statement")
    return with_import(module, "asyncio")


class _Merger(cst.CSTTransformer):
    """Replaces each run's statements, found by line in the block that holds the first, with one gather."""

    def __init__(self, runs: list[list[int]], positions) -> None:
        super().__init__()
        self.runs = runs
        self.positions = positions
        self.merged: set[int] = set()

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        # indices are of the original body; the updated body has the same statements, rebuilt on the way up
        at_line = {self.positions[s].start.line: i for i, s in enumerate(original.body)}
        body = list(updated.body)
        for run in sorted((r for r in self.runs if r[0] in at_line), reverse=True):
            first = at_line[run[0]]
            if [at_line.get(line) for line in run] != list(range(first, first + len(run))):
                raise NoFix(f"code runs between the awaits from line {run[0]}; they cannot be merged")
            body[first : first + len(run)] = [_gather(body[first : first + len(run)], run[0])]
            self.merged.add(run[0])
        return updated.with_changes(body=body)


def _gather(statements: Sequence[cst.BaseStatement], line: int) -> cst.SimpleStatementLine:
    targets: list[cst.BaseAssignTargetExpression] = []
    calls: list[cst.BaseExpression] = []
    for index, statement in enumerate(statements):
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            raise NoFix(f"the awaits from line {line} are not one simple statement each")
        if statement.trailing_whitespace.comment or (index and any(e.comment for e in statement.leading_lines)):
            raise NoFix(f"a comment among the awaits from line {line} would be lost")
        small = statement.body[0]
        if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.value, cst.Await):
            targets.append(small.targets[0].target)
            calls.append(small.value.expression)
        elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Await):
            calls.append(small.value.expression)
        else:
            raise NoFix(f"the awaits from line {line} are not each `x = await ...` or a bare `await ...`")
    if targets and len(targets) != len(calls):
        raise NoFix(f"the awaits from line {line} mix assignments and bare awaits")
    gather = cst.Await(
        cst.Call(
            cst.Attribute(cst.Name("asyncio"), cst.Name("gather")),
            [cst.Arg(call) for call in calls],
        )
    )
    if targets:
        elements = [cst.Element(_parenthesised(target)) for target in targets]
        merged: cst.BaseSmallStatement = cst.Assign([cst.AssignTarget(cst.Tuple(elements, lpar=[], rpar=[]))], gather)
    else:
        merged = cst.Expr(gather)
    first = statements[0]
    assert isinstance(first, cst.SimpleStatementLine)
    return cst.SimpleStatementLine([merged], leading_lines=first.leading_lines)


def _parenthesised(target: cst.BaseAssignTargetExpression) -> cst.BaseAssignTargetExpression:
    """A tuple target keeps its pattern inside the new one: `a, b = ...` becomes `(a, b), c = ...`."""
    if isinstance(target, cst.Tuple) and not target.lpar:
        return target.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return target
