"""cache-pure-function: `@functools.cache` on a module-level pure function that is called again and again.

The functions are the ones `repeated-pure-computation` takes as pure (`pure_functions`), named by a reported
call on one of the lines. The facts vouch for the calls the function makes; this module checks what they do
not show: it assigns nothing but its own locals, reads only constants at module level, takes no `*args`,
`**kwargs` or mutable default, and returns an immutable value, so every caller may share one result.
Imported names are taken as constants, as the detector takes UPPER_CASE names.
"""

from __future__ import annotations

from collections.abc import Collection

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import ParentNodeProvider, ScopeProvider

from analyzers.detectors.repeated_pure_computation import HASHABLE_TYPES, pure_functions
from analyzers.frontends import parse_source
from rewriters.edits import NoFix
from rewriters.python._cst import resolve, with_import

CODEMOD_ID = "cache-pure-function"

_LITERALS = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString, cst.Integer, cst.Float, cst.Imaginary)
# calls whose result is immutable whatever they are given
_IMMUTABLE_CALLS = frozenset(
    {"str", "int", "float", "bool", "bytes", "tuple", "frozenset", "len", "abs", "round",
     "re.compile", "regex.compile", "json.dumps", "orjson.dumps"}
)  # fmt: skip
# methods that give a str or bytes: the pure functions call methods only on str/bytes or on hash objects
_TEXT_METHODS = frozenset(
    {"hexdigest", "digest", "lower", "upper", "casefold", "title", "strip", "lstrip", "rstrip", "encode",
     "decode", "format", "join", "replace"}
)  # fmt: skip


def transform(module: cst.Module, lines: Collection[int]) -> cst.Module:
    """Cache every pure function called on one of ``lines``; raise NoFix when one of them cannot be cached."""
    facts = parse_source("input.py", "python", module.bytes)
    own = pure_functions(facts)
    names = sorted({call.callee for call in facts.calls if call.span.line in lines and call.callee in own})
    if not names:
        return module
    scopes, parents = resolve(module, ScopeProvider, ParentNodeProvider)
    global_scope = scopes[module]
    constants = _Constants(global_scope, parents)
    for name in names:
        definition = _definition(module, global_scope, name)
        _check_definition(definition, constants)
        _check_call_arguments(module, name, constants)
    module = module.visit(_Decorate(set(names)))
    return with_import(module, "functools")


class _Constants:
    """Module-level names that always hold the same immutable value: imports, defs, classes, and names
    assigned once to an immutable expression."""

    def __init__(self, global_scope, parents) -> None:
        self.scope = global_scope
        self.parents = parents

    def read_in(self, names: set[cst.Name]) -> set[str]:
        """The module-level names that one of ``names`` (Name nodes of a function body) reads."""
        return {a.name for a in self.scope.assignments if any(access.node in names for access in a.references)}

    def holds(self, name: str) -> bool:
        if name not in self.scope:
            return True  # a builtin
        assignments = list(self.scope[name])
        if all(isinstance(a.node, (cst.Import, cst.ImportFrom, cst.FunctionDef, cst.ClassDef)) for a in assignments):
            return True
        if len(assignments) != 1:
            return False
        # the scope names the target of an assignment; `NAME = value` and `NAME: T = value` hold one value
        parent = self.parents.get(assignments[0].node)
        if isinstance(parent, cst.AssignTarget):
            parent = self.parents.get(parent)
            value = parent.value if isinstance(parent, cst.Assign) and len(parent.targets) == 1 else None
        else:
            value = parent.value if isinstance(parent, cst.AnnAssign) else None
        return value is not None and _immutable(value, {}, self, set())


def _definition(module: cst.Module, global_scope, name: str) -> cst.FunctionDef:
    assignments = list(global_scope[name])
    definition = assignments[0].node if len(assignments) == 1 else None
    if not isinstance(definition, cst.FunctionDef) or not any(s is definition for s in module.body):
        raise NoFix(f"`{name}` is bound more than once at module level")
    return definition


def _check_definition(definition: cst.FunctionDef, constants: _Constants) -> None:
    name = definition.name.value
    params = definition.params
    if isinstance(params.star_arg, cst.Param) or params.star_kwarg is not None:
        raise NoFix(f"`{name}` takes `*args` or `**kwargs`, whose values a cache may not be able to key on")
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        if param.default is not None and not _immutable(param.default, {}, constants, set()):
            raise NoFix(f"`{name}` has a mutable default for `{param.name.value}`")
    body = _Body(definition)
    definition.body.visit(body)
    if body.side_effect:
        raise NoFix(f"`{name}` {body.side_effect}, which a cached call would skip")
    for returned in body.returns:
        if not _immutable(returned, body.locals, constants, set()):
            raise NoFix(f"`{name}` may return a mutable value; a cache would hand every caller the same object")
    for read in constants.read_in(body.names):
        if not constants.holds(read):
            raise NoFix(f"`{name}` reads `{read}`, a module-level name whose value may change")


def _check_call_arguments(module: cst.Module, name: str, constants: _Constants) -> None:
    """The detector takes UPPER_CASE arguments as constants; a cache also needs them hashable."""
    finder = _CallsOf(name)
    module.visit(finder)
    for argument in finder.arguments:
        if isinstance(argument, cst.Name) and argument.value.isupper() and not constants.holds(argument.value):
            raise NoFix(f"`{name}` is called with `{argument.value}`, which may not be a hashable constant")


def _immutable(node: cst.BaseExpression, local_values: dict, constants: _Constants, seen: set[str]) -> bool:
    """Whether ``node`` gives an immutable value: literals, tuples of them, operators on them, calls in
    `_IMMUTABLE_CALLS`, str/bytes methods, parameters annotated with a hashable type, constants."""
    if isinstance(node, _LITERALS):
        return True
    if isinstance(node, cst.Tuple):
        return all(isinstance(e, cst.Element) and _immutable(e.value, local_values, constants, seen) for e in node.elements)
    if isinstance(node, cst.UnaryOperation):
        return _immutable(node.expression, local_values, constants, seen)
    if isinstance(node, cst.BinaryOperation):
        return all(_immutable(side, local_values, constants, seen) for side in (node.left, node.right))
    if isinstance(node, cst.IfExp):
        return all(_immutable(side, local_values, constants, seen) for side in (node.body, node.orelse))
    if isinstance(node, cst.Call):
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in _TEXT_METHODS:
            return True
        return get_full_name_for_node(node.func) in _IMMUTABLE_CALLS
    if isinstance(node, cst.Name):
        if node.value in ("True", "False", "None"):
            return True
        if node.value in local_values:
            if node.value in seen:
                return False
            values = local_values[node.value]
            inner = seen | {node.value}
            return all(v is not None and _immutable(v, local_values, constants, inner) for v in values)
        return constants.holds(node.value)
    return False


class _Body(cst.CSTVisitor):
    """What a function body does that the facts do not show: assignments that are not to its own locals,
    the values its locals and returns take, and the names it mentions."""

    def __init__(self, definition: cst.FunctionDef) -> None:
        self.side_effect = ""
        self.reads_state = ""
        self.returns: list[cst.BaseExpression] = []
        # local name -> the values assigned to it; None for a value the function cannot tell (unpacking, loops)
        self.locals: dict[str, list[cst.BaseExpression | None]] = {}
        self.names: set[cst.Name] = set()
        params = definition.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            annotation = param.annotation.annotation if param.annotation else None
            hashable = isinstance(annotation, cst.Name) and annotation.value in HASHABLE_TYPES
            # a parameter of a hashable type is an immutable value; any other may be anything
            self.locals[param.name.value] = [cst.Name("True") if hashable else None]

    def visit_Global(self, node: cst.Global) -> None:
        self.side_effect = "declares `global` names"

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.side_effect = "declares `nonlocal` names"

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind(target.target, node.value if len(node.targets) == 1 else None)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind(node.target, node.value)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(node.target, node.value)

    def visit_For(self, node: cst.For) -> None:
        self._bind(node.target, None)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._bind(node.target, None)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._bind(node.name, None)

    def visit_Del(self, node: cst.Del) -> None:
        self._bind(node.target, None)

    def visit_Return(self, node: cst.Return) -> None:
        self.returns.append(node.value or cst.Name("None"))

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node)

    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        if isinstance(target, cst.Name):
            self.locals.setdefault(target.value, []).append(value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind(element.value, None)
        elif isinstance(target, cst.StarredElement):
            self._bind(target.value, None)
        else:
            self.side_effect = f"assigns to `{cst.Module([]).code_for_node(target)}`"


class _CallsOf(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        self.name = name
        self.arguments: list[cst.BaseExpression] = []

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == self.name:
            self.arguments.extend(arg.value for arg in node.args)


class _Decorate(cst.CSTTransformer):
    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.names = names

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        if original.name.value not in self.names:
            return updated
        cache = cst.Decorator(cst.Attribute(cst.Name("functools"), cst.Name("cache")))
        return updated.with_changes(decorators=[cache, *updated.decorators])
