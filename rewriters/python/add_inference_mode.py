"""add-inference-mode: wrap each statement that runs a forward pass with autograd on in `with torch.no_grad():`.

Only the statements holding the forward passes are wrapped, not the whole function: a decorator would also
cover code that may need gradients, and on an `async def` it would switch autograd off only while the
coroutine is created, not while it runs. `no_grad` rather than `inference_mode`: the output may leave the
function, and a tensor made in inference mode raises when it is later changed in place or saved for
backward, while `no_grad` gives the same saving (no graph recorded, no activations kept) with ordinary tensors.
"""

from __future__ import annotations

from collections.abc import Collection

import libcst as cst
from libcst.metadata import ParentNodeProvider, PositionProvider, ScopeProvider

from rewriters.edits import NoFix
from rewriters.python._cst import resolve, with_import

CODEMOD_ID = "add-inference-mode"

# code in these runs later, when the `with` block may have been left
_DEFERRED = (cst.Lambda, cst.GeneratorExp)


def transform(module: cst.Module, lines: Collection[int]) -> cst.Module:
    """Wrap the statements holding calls that start on ``lines``; raise NoFix when one cannot be wrapped."""
    positions, parents, scopes = resolve(module, PositionProvider, ParentNodeProvider, ScopeProvider)
    finder = _Finder(positions, lines)
    module.visit(finder)
    missed = sorted(set(lines) - {positions[call].start.line for call in finder.calls})
    if missed:
        raise NoFix(f"line {missed[0]} holds no call")
    statements = list(dict.fromkeys(_statement(call, parents) for call in finder.calls))
    if not statements:
        return module
    torch, imported = _torch_name(statements, finder, scopes)
    blocks: dict[cst.IndentedBlock, set[cst.BaseStatement]] = {}
    for statement in statements:
        if _Suspends.found_in(statement):
            raise NoFix("the statement awaits or yields: other code would run while autograd is off")
        blocks.setdefault(parents[statement], set()).add(statement)
    module = module.visit(_Wrapper(blocks, torch))
    if not imported:
        module = with_import(module, "torch")
    return module


class _Finder(cst.CSTVisitor):
    """Calls starting on the findings' lines, and the `import torch` statements and the names they bind."""

    def __init__(self, positions, lines: Collection[int]) -> None:
        super().__init__()
        self.positions = positions
        self.lines = lines
        self.calls: list[cst.Call] = []
        self.torch_imports: set[cst.Import] = set()
        self.torch_names: list[str] = []

    def visit_Call(self, node: cst.Call) -> None:
        if self.positions[node].start.line in self.lines:
            self.calls.append(node)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            dotted = cst.Module([]).code_for_node(alias.name)
            # `import torch as th` binds `th`; `import torch.nn` binds `torch`, `import torch.nn as nn` does not
            if alias.asname is not None and dotted == "torch":
                self.torch_names.append(cst.ensure_type(alias.asname.name, cst.Name).value)
            elif alias.asname is None and dotted.partition(".")[0] == "torch":
                self.torch_names.append("torch")
            else:
                continue
            self.torch_imports.add(node)


def _statement(call: cst.Call, parents) -> cst.BaseStatement:
    """The statement of a block that holds ``call``; NoFix for a call that runs later or in a one-line block."""
    node = parents[call]
    while not isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
        if isinstance(node, _DEFERRED):
            raise NoFix("the forward pass is in a lambda or generator expression, which runs after the block")
        if isinstance(node, cst.SimpleStatementSuite):
            raise NoFix("the forward pass is in a one-line block")
        node = parents[node]
    if not isinstance(parents.get(node), cst.IndentedBlock):
        raise NoFix("the forward pass is in an `elif` or a module-level statement")
    return node


def _torch_name(statements: list[cst.BaseStatement], finder: _Finder, scopes) -> tuple[str, bool]:
    """The name `torch` is bound to where every statement runs (`import torch as th` -> `th`) and True; or
    `torch` and False when no import of it reaches them and the name is free, so it must be imported."""
    for name in dict.fromkeys(finder.torch_names):
        if all(_binds_torch(scopes[s], name, finder.torch_imports) for s in statements):
            return name, True
    if any(scopes[s]["torch"] for s in statements):
        raise NoFix("`torch` is not imported where the forward pass runs")
    return "torch", False


def _binds_torch(scope, name: str, torch_imports: set[cst.Import]) -> bool:
    assignments = scope[name]
    return bool(assignments) and all(getattr(a, "node", None) in torch_imports for a in assignments)


class _Suspends(cst.CSTVisitor):
    """Whether a statement awaits or yields outside the functions it defines."""

    def __init__(self) -> None:
        super().__init__()
        self.found = False

    @classmethod
    def found_in(cls, statement: cst.BaseStatement) -> bool:
        visitor = cls()
        statement.visit(visitor)
        return visitor.found

    def visit_Await(self, node: cst.Await) -> None:
        self.found = True

    def visit_Yield(self, node: cst.Yield) -> None:
        self.found = True

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False


class _Wrapper(cst.CSTTransformer):
    """Puts each run of adjacent chosen statements of a block under one `with <torch>.no_grad():`."""

    def __init__(self, blocks: dict[cst.IndentedBlock, set[cst.BaseStatement]], torch: str) -> None:
        super().__init__()
        self.blocks = blocks
        self.torch = torch

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        chosen = self.blocks.get(original)
        if not chosen:
            return updated
        # compared by identity on the original body: the transformer rebuilds nodes on the way up
        body: list[cst.BaseStatement] = []
        run: list[cst.BaseStatement] = []
        for old, new in zip(original.body, updated.body):
            if old in chosen:
                run.append(new)
                continue
            if run:
                body.append(self._with(run))
                run = []
            body.append(new)
        if run:
            body.append(self._with(run))
        return updated.with_changes(body=body)

    def _with(self, statements: list[cst.BaseStatement]) -> cst.With:
        first, *rest = statements
        no_grad = cst.Call(cst.Attribute(cst.Name(self.torch), cst.Name("no_grad")))
        return cst.With(
            items=[cst.WithItem(no_grad)],
            body=cst.IndentedBlock([first.with_changes(leading_lines=[]), *rest]),
            leading_lines=first.leading_lines,
        )
