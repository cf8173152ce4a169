"""lazy-import: move a module-level import of a heavy library into the functions that use its names.

Names also used in annotations stay importable for type checkers under `if TYPE_CHECKING:`; that is only
right when annotations are not evaluated at run time, which the detector checks before it offers the fix.
"""

from __future__ import annotations

from collections.abc import Collection

import libcst as cst
from libcst.metadata import ParentNodeProvider, PositionProvider, ScopeProvider

from rewriters.edits import NoFix
from rewriters.python._cst import resolve, with_import

CODEMOD_ID = "lazy-import"

_Import = cst.Import | cst.ImportFrom


def transform(module: cst.Module, lines: Collection[int]) -> cst.Module:
    """Move each module-level import that starts on one of ``lines``; raise NoFix when one cannot move."""
    positions, parents, scopes = resolve(module, PositionProvider, ParentNodeProvider, ScopeProvider)
    global_scope = scopes[module]
    moves: dict[cst.SimpleStatementLine, _Import] = {}
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine) or positions[statement].start.line not in lines:
            continue
        if len(statement.body) != 1 or not isinstance(statement.body[0], _Import):
            raise NoFix(f"line {positions[statement].start.line} holds more than one statement")
        moves[statement] = statement.body[0]
    if not moves:
        return module
    # function -> aliases to import at its top; aliases needed for annotations only
    into: dict[cst.FunctionDef, list[tuple[_Import, cst.ImportAlias]]] = {}
    typing_only: list[tuple[_Import, cst.ImportAlias]] = []
    for imp in moves.values():
        if isinstance(imp.names, cst.ImportStar):
            raise NoFix("a star import cannot move: its names are not known")
        for alias in imp.names:
            local = _local_name(alias)
            functions, in_annotation = _uses(global_scope, local, parents)
            if not functions:
                raise NoFix(f"`{local}` is not used inside a function")
            for function in functions:
                into.setdefault(function, []).append((imp, alias))
            if in_annotation:
                typing_only.append((imp, alias))
    module = module.visit(_Mover(set(moves), into, typing_only))
    if typing_only:
        module = with_import(module, "typing", "TYPE_CHECKING")
    return module


def _local_name(alias: cst.ImportAlias) -> str:
    """The name an alias binds: `import a.b` binds `a`, `import a as b` and `from x import a as b` bind `b`."""
    if alias.asname is not None:
        return cst.ensure_type(alias.asname.name, cst.Name).value
    name = alias.name
    while isinstance(name, cst.Attribute):
        name = name.value
    return cst.ensure_type(name, cst.Name).value


def _uses(scope, local: str, parents) -> tuple[list[cst.FunctionDef], bool]:
    """The outermost functions that read ``local``, and whether an annotation reads it; NoFix when code
    running on import (module level, a class body, a decorator, a default value) reads it."""
    functions: list[cst.FunctionDef] = []
    in_annotation = False
    for assignment in scope[local]:
        for access in assignment.references:
            if access.is_annotation or access.is_type_hint:
                in_annotation = True
                continue
            function = _outermost_function(access.node, parents)
            if function is None:
                raise NoFix(f"`{local}` is used when the module is imported")
            if function not in functions:
                functions.append(function)
    return functions, in_annotation


def _outermost_function(node: cst.CSTNode, parents) -> cst.FunctionDef | None:
    """The top-level function whose body holds ``node``; None if the code runs on import."""
    found = None
    child, parent = node, parents.get(node)
    while parent is not None:
        if isinstance(parent, cst.ClassDef):
            return None  # a method's import would do, but class bodies run on import and are not told apart
        if isinstance(parent, cst.FunctionDef):
            if child is not parent.body:
                return None  # decorators, defaults and annotations run when the function is defined
            found = parent
        child, parent = parent, parents.get(parent)
    return found


class _Mover(cst.CSTTransformer):
    """Removes the moved imports, puts each function's imports at the top of its body, and adds the
    `if TYPE_CHECKING:` block after the last module-level import."""

    def __init__(self, moved: set[cst.SimpleStatementLine], into: dict, typing_only: list) -> None:
        super().__init__()
        self.moved = moved
        self.into = into
        self.typing_only = typing_only

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        wanted = self.into.get(original)
        if not wanted:
            return updated
        if not isinstance(updated.body, cst.IndentedBlock):
            raise NoFix(f"`{original.name.value}` is a one-line function; there is no body to import into")
        body = list(updated.body.body)
        at = 1 if body and _is_docstring(body[0]) else 0
        body[at:at] = _statements(wanted)
        return updated.with_changes(body=updated.body.with_changes(body=body))

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        # compared by identity on the original tree: the transformer rebuilds nodes on the way up
        body: list[cst.BaseStatement] = []
        carried: list[cst.EmptyLine] = []
        for old, new in zip(original.body, updated.body):
            if any(old is m for m in self.moved):
                carried += new.leading_lines
            else:
                body.append(_with_lines_above(new, carried) if carried else new)
                carried = []
        if self.typing_only:
            block = cst.If(
                test=cst.Name("TYPE_CHECKING"),
                body=cst.IndentedBlock(body=_statements(self.typing_only)),
            )
            last = max((i for i, s in enumerate(body) if _is_import(s)), default=-1)
            body.insert(last + 1, block)
        return updated.with_changes(body=body)


def _with_lines_above(statement: cst.BaseStatement, lines: list[cst.EmptyLine]) -> cst.BaseStatement:
    """``statement`` with the blank lines and comments above a removed import before it: the blank line that
    ended an import group still ends it, and no comment is lost (blank lines it has itself win)."""
    own = list(statement.leading_lines)
    if any(line.comment is None for line in own):
        lines = [line for line in lines if line.comment is not None]
    return statement.with_changes(leading_lines=[*lines, *own])


def _statements(aliases: list[tuple[_Import, cst.ImportAlias]]) -> list[cst.SimpleStatementLine]:
    """One import statement per original statement, naming only the aliases wanted, in source order."""
    grouped: dict[int, tuple[_Import, list[cst.ImportAlias]]] = {}
    for imp, alias in aliases:
        grouped.setdefault(id(imp), (imp, []))[1].append(alias)
    lines = []
    for imp, chosen in grouped.values():
        names = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in chosen]
        if isinstance(imp, cst.ImportFrom):
            statement = imp.with_changes(names=names, lpar=None, rpar=None)
        else:
            statement = imp.with_changes(names=names)
        lines.append(cst.SimpleStatementLine(body=[statement]))
    return lines


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _is_import(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], _Import)
