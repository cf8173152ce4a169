"""cache-model-loader: `model = torch.load("unet.pt")` in a function -> `model = _load_model()`, the load moved
into a module-level function under `@functools.cache`, so the file is read once per process.

Only loads whose arguments are fixed (literals, module-level names) move, and only when the function does
not change the loaded object in place or hand it on: after the rewrite every call shares one object.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import (
    BuiltinScope,
    GlobalScope,
    ParentNodeProvider,
    PositionProvider,
    ScopeProvider,
)

from analyzers.detectors.model_load_per_call import IDEMPOTENT_METHODS, MUTATING_METHOD
from rewriters.edits import NoFix
from rewriters.python._cst import resolve, with_import

CODEMOD_ID = "cache-model-loader"

# a load inside these blocks runs the same outside them: they switch autograd off, and loading records no graph
_NEUTRAL_WITH = frozenset({"no_grad", "inference_mode"})
# a bare name inside these displays is the object itself, handed on with the display
_DISPLAYS = (cst.Element, cst.StarredElement, cst.DictElement, cst.Tuple, cst.List, cst.Set, cst.Dict)


@dataclass(frozen=True)
class _Site:
    """One `name = loader(...)` statement to rewrite."""

    call: cst.Call
    variable: str
    imports: tuple[cst.Import | cst.ImportFrom, ...]  # imports in the function the load reads, copied along
    top: cst.BaseStatement  # the module-level statement that holds the function


def transform(module: cst.Module, lines: Collection[int]) -> cst.Module:
    """Move each load whose call starts on one of ``lines`` into a cached loader; NoFix when one is unsure."""
    positions, parents, scopes = resolve(module, PositionProvider, ParentNodeProvider, ScopeProvider)
    finder = _AssignmentFinder(positions, lines)
    module.visit(finder)
    missed = sorted(set(lines) - {positions[a.value].start.line for a in finder.found})
    if missed:
        raise NoFix(f"line {missed[0]} holds no `name = loader(...)` statement")
    sites = [_site(assignment, parents, scopes) for assignment in finder.found]
    if not sites:
        return module
    _check_functools_free(scopes[module])
    loaders = _loader_names(sites, module, finder.names)
    replacements = {site.call: cst.Call(cst.Name(loaders[_code(module, site.call)])) for site in sites}
    inserts: dict[cst.BaseStatement, list[cst.FunctionDef]] = {}
    defined: set[str] = set()
    for site in sites:
        name = loaders[_code(module, site.call)]
        if name not in defined:
            defined.add(name)
            inserts.setdefault(site.top, []).append(_loader_def(name, site))
    module = module.visit(_Rewriter(replacements, inserts))
    return with_import(module, "functools")


class _AssignmentFinder(cst.CSTVisitor):
    """The assignments whose value is a call starting on a finding's line, and every name the module uses."""

    def __init__(self, positions, lines: Collection[int]) -> None:
        super().__init__()
        self.positions = positions
        self.lines = lines
        self.found: list[cst.Assign | cst.AnnAssign] = []
        self.names: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        self._check(node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._check(node)

    def _check(self, node: cst.Assign | cst.AnnAssign) -> None:
        if isinstance(node.value, cst.Call) and self.positions[node.value].start.line in self.lines:
            self.found.append(node)


def _site(assignment: cst.Assign | cst.AnnAssign, parents, scopes) -> _Site:
    call = assignment.value
    assert isinstance(call, cst.Call)
    target = assignment.target if isinstance(assignment, cst.AnnAssign) else _single_target(assignment)
    if not isinstance(target, cst.Name):
        raise NoFix("the model is not assigned to one plain name")
    top = _enclosing(assignment, parents)
    imports = _check_fixed([call], scopes, "the load")
    for assigned in scopes[target].assignments[target.value]:
        if isinstance(parents.get(assigned.node), cst.AugAssign):
            raise NoFix(f"`{target.value}` is updated in place")
        for access in assigned.references:
            _check_shared_use(access.node, target.value, scopes, parents)
    return _Site(call, target.value, imports, top)


def _single_target(assignment: cst.Assign) -> cst.BaseAssignTargetExpression | None:
    return assignment.targets[0].target if len(assignment.targets) == 1 else None


def _enclosing(node: cst.CSTNode, parents) -> cst.BaseStatement:
    """The module-level statement holding the function that runs the load; NoFix when the load runs under a
    `with` block whose effect the cached loader would not have, or in no function."""
    in_function = False
    child, parent = node, parents.get(node)
    while not isinstance(parent, cst.Module):
        if isinstance(parent, cst.With) and not in_function:
            for item in parent.items:
                if _callee_name(item.item) not in _NEUTRAL_WITH:
                    raise NoFix(f"the load runs inside `with {cst.Module([]).code_for_node(item.item)}:`")
        in_function = in_function or isinstance(parent, cst.FunctionDef)
        child, parent = parent, parents.get(parent)
    if not in_function:
        raise NoFix("the load is not inside a function")
    return child


def _callee_name(expression: cst.BaseExpression) -> str | None:
    func = expression.func if isinstance(expression, cst.Call) else expression
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else None


def _check_fixed(
    nodes: Sequence[cst.CSTNode], scopes, what: str
) -> tuple[cst.Import | cst.ImportFrom, ...]:
    """NoFix unless every name ``nodes`` read is module-level, a builtin, imported in the function (the
    imports are returned) or bound inside them (a lambda's parameters): a value the function computes
    would be frozen at its first call."""
    imports: dict[cst.Import | cst.ImportFrom, None] = {}
    inner = _Collector()
    for node in nodes:
        node.visit(inner)
    for name in inner.names:
        scope = scopes.get(name)
        if scope is None or name not in scope.accesses:
            continue  # an attribute or keyword name, not a read of a variable
        for access in scope.accesses[name]:
            for referent in access.referents:
                where = referent.scope
                if isinstance(where, BuiltinScope) or getattr(where, "node", None) in inner.nodes:
                    continue  # a builtin, or a lambda or comprehension inside the call
                if isinstance(where, GlobalScope):
                    if not _only_imports(where.assignments[name.value]) and len(where.assignments[name.value]) > 1:
                        raise NoFix(f"`{name.value}` is assigned more than once, so the loaded model could change")
                elif isinstance(referent.node, (cst.Import, cst.ImportFrom)):
                    imports[referent.node] = None  # the same module on every call; the loader imports it too
                else:
                    raise NoFix(f"{what} reads `{name.value}`, which the function computes; it is not fixed")
    return tuple(imports)


def _only_imports(assignments) -> bool:
    return all(isinstance(getattr(a, "node", None), (cst.Import, cst.ImportFrom)) for a in assignments)


class _Collector(cst.CSTVisitor):
    """Every node of a subtree, and its names."""

    def __init__(self) -> None:
        super().__init__()
        self.nodes: set[cst.CSTNode] = set()
        self.names: list[cst.Name] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.nodes.add(node)
        if isinstance(node, cst.Name):
            self.names.append(node)
        return True


def _check_shared_use(node: cst.CSTNode, variable: str, scopes, parents) -> None:
    """NoFix when a use of the loaded object would change it for later calls, or hand it out of the function."""
    chain, parent = node, parents.get(node)
    while True:
        while isinstance(parent, (cst.Attribute, cst.Subscript)) and parent.value is chain:
            chain, parent = parent, parents.get(parent)
        if chain is node:
            break
        text = cst.Module([]).code_for_node(chain)
        if isinstance(parent, cst.Call) and parent.func is chain and isinstance(chain, cst.Attribute):
            method = chain.attr.value
            if MUTATING_METHOD.fullmatch(method) and method not in IDEMPOTENT_METHODS:
                raise NoFix(f"`{text}(...)` changes the model, which every call would share")
            if method not in IDEMPOTENT_METHODS:
                return
            # `model.to(DEVICE)` sets the same state on every call, and returns the model for more calls
            _check_fixed(parent.args, scopes, f"`{text}(...)`")
            chain, parent = parent, parents.get(parent)
            continue
        if _is_store(chain, parent):
            raise NoFix(f"`{text}` is assigned, changing the model that every call would share")
        return
    while isinstance(parent, _DISPLAYS):
        node, parent = parent, parents.get(parent)
    if isinstance(parent, (cst.Return, cst.Yield)) or (
        isinstance(parent, (cst.Assign, cst.AnnAssign, cst.NamedExpr)) and parent.value is node
    ):
        raise NoFix(f"`{variable}` is handed out of the statement that uses it; the shared model could be changed")


def _is_store(chain: cst.CSTNode, parent: cst.CSTNode | None) -> bool:
    if isinstance(parent, (cst.AssignTarget, cst.Del)):
        return True
    return isinstance(parent, (cst.AugAssign, cst.AnnAssign)) and parent.target is chain


def _check_functools_free(global_scope) -> None:
    """The loader is decorated with `functools.cache`: the module's `functools` must be the standard one."""
    if not _only_imports(global_scope.assignments["functools"]):
        raise NoFix("the module binds `functools` to something else")


def _code(module: cst.Module, call: cst.Call) -> str:
    return module.code_for_node(call.with_changes(lpar=[], rpar=[]))


def _loader_names(sites: list[_Site], module: cst.Module, taken: set[str]) -> dict[str, str]:
    """Loader name per distinct load: `_load_<variable>`, numbered when the name is in use; equal loads
    (same text) share one loader."""
    names: dict[str, str] = {}
    used = set(taken)
    for site in sites:
        code = _code(module, site.call)
        if code in names:
            continue
        base = f"_load_{site.variable.lstrip('_')}"
        name, number = base, 2
        while name in used:
            name, number = f"{base}_{number}", number + 1
        used.add(name)
        names[code] = name
    return names


def _loader_def(name: str, site: _Site) -> cst.FunctionDef:
    imports = [cst.SimpleStatementLine([statement]) for statement in site.imports]
    load = cst.SimpleStatementLine([cst.Return(site.call.with_changes(lpar=[], rpar=[]))])
    return cst.FunctionDef(
        name=cst.Name(name),
        params=cst.Parameters(),
        body=cst.IndentedBlock([*imports, load]),
        decorators=[cst.Decorator(cst.Attribute(cst.Name("functools"), cst.Name("cache")))],
        leading_lines=[cst.EmptyLine(), cst.EmptyLine()],
    )


class _Rewriter(cst.CSTTransformer):
    """Replaces the loads by calls of their loaders, and puts each loader before the module-level statement
    holding its first use."""

    def __init__(self, replacements: dict[cst.Call, cst.Call], inserts: dict) -> None:
        super().__init__()
        self.replacements = replacements
        self.inserts = inserts

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        replacement = self.replacements.get(original)
        return replacement.with_changes(lpar=original.lpar, rpar=original.rpar) if replacement else updated

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        # compared by identity on the original tree: the transformer rebuilds nodes on the way up
        body: list[cst.BaseStatement] = []
        for old, new in zip(original.body, updated.body):
            body.extend(self.inserts.get(old, ()))
            body.append(new)
        return updated.with_changes(body=body)
