"""Python front-end, names a module binds: imports, assignments, ``with ... as`` targets and ``__all__``."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from analyzers.facts import Binding, Export, FlagGate, Import, ImportedName
from analyzers.py_flags import reads_flag
from analyzers.py_source import SourceMap, call_chain, callee_text, typed_binding


class Frame:
    """A def or lambda being walked: what statements in its body need to know about it."""

    __slots__ = ("class_name", "globals", "is_generator", "param_types", "self_name")

    def __init__(self, class_name: str | None, self_name: str | None, param_types: dict[str, Binding]) -> None:
        self.class_name = class_name
        self.self_name = self_name
        self.param_types = param_types
        self.globals: set[str] = set()  # names a ``global`` statement binds at module level
        self.is_generator = False


class BindingHandlers:
    """Walk handlers for the statements that bind names, mixed into the front-end's walker.

    They read the walker's scope state (declared below) and record imports, exports, bindings, and the
    names an awaited value is assigned to.
    """

    src: SourceMap
    imports: list[Import]
    exports: list[Export]
    bindings: list[Binding]
    flag_gates: list[FlagGate]
    _scopes: list[tuple[str, bool]]
    _frames: list[Frame]
    _context: tuple[str, ...]
    _function: str | None
    _decisions: int
    _type_checking: int
    _await_targets: dict[int, tuple[str, ...]]
    _children: Callable[[Any], None]
    _visit_all: Callable[[list[Any]], None]
    visit: Callable[[Any], None]

    def _assign(self, node: ast.Assign) -> None:
        value, targets = node.value, node.targets
        if type(value) is ast.Await:
            self._await_targets[id(value)] = assigned_names(targets)
        if not self._scopes and any(type(t) is ast.Name and t.id == "__all__" for t in targets):
            self._add_exports(value)
        for target in targets:
            self._bind(target, value, node.lineno)
        self.visit(value)  # the value is evaluated before the targets
        self._visit_all(targets)

    def _ann_assign(self, node: ast.AnnAssign) -> None:
        target, value = node.target, node.value
        if type(value) is ast.Await:
            self._await_targets[id(value)] = assigned_names([target])
        if not self._scopes and type(target) is ast.Name and target.id == "__all__" and value is not None:
            self._add_exports(value)
        name, scope, _ = self._binding_target(target)
        if name is not None:
            self.bindings.append(typed_binding(name, node.annotation, node.lineno, scope, self.src))
        self._children(node)

    def _aug_assign(self, node: ast.AugAssign) -> None:
        if type(node.value) is ast.Await:
            self._await_targets[id(node.value)] = assigned_names([node.target])
        target = node.target
        if not self._scopes and type(target) is ast.Name and target.id == "__all__":
            self._add_exports(node.value)
        self._children(node)

    def _named_expr(self, node: ast.NamedExpr) -> None:
        if type(node.value) is ast.Await:
            self._await_targets[id(node.value)] = (node.target.id,)
        self._children(node)

    def _with(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            if item.optional_vars is not None:
                self._bind(item.optional_vars, item.context_expr, node.lineno)
            self.visit(item.context_expr)  # entered before the block runs, outside it
            if item.optional_vars is not None:
                self.visit(item.optional_vars)
        outer = self._context
        self._context = (*outer, *(with_item_text(item.context_expr, self.src) for item in node.items))
        self._visit_all(node.body)
        self._context = outer

    def _global(self, node: ast.Global) -> None:
        if self._frames:
            self._frames[-1].globals.update(node.names)

    def _add_exports(self, value: ast.expr) -> None:
        if isinstance(value, (ast.List, ast.Tuple)):
            for element in value.elts:
                if type(element) is ast.Constant and type(element.value) is str:
                    self.exports.append(Export(element.value, element.value, "named", element.lineno))

    def _binding_target(self, target: ast.expr) -> tuple[str | None, str | None, dict[str, Binding]]:
        """Name, scope and parameter types for a binding to ``target``; the name is None if it binds nothing."""
        if not self._scopes:
            return (target.id if type(target) is ast.Name else None), None, {}
        scope, is_class = self._scopes[-1]
        if is_class:  # class attributes are read as ``self.x`` in methods
            return (f"self.{target.id}" if type(target) is ast.Name else None), scope, {}
        frame = self._frames[-1]
        if type(target) is ast.Name:
            # ``global _model`` then ``_model = load()``: the function sets a module-level singleton
            return target.id, (None if target.id in frame.globals else scope), {}
        if type(target) is ast.Attribute and type(target.value) is ast.Name and target.value.id == frame.self_name:
            return f"self.{target.attr}", frame.class_name, frame.param_types
        return None, None, {}

    def _bind(self, target: ast.expr, value: ast.expr, line: int) -> None:
        name, scope, param_types = self._binding_target(target)
        if name is None:
            return
        if type(value) is ast.Await:
            value = value.value
        if type(value) is ast.Call:
            binding = Binding(name, callee_text(value.func, call_chain(value.func), self.src), "call", line, scope)
        elif type(value) is ast.Name and value.id in param_types:
            typed = param_types[value.id]  # ``self.repo = repo`` of a parameter ``repo: Repo``
            binding = Binding(name, typed.value, typed.kind, line, scope)
        elif type(value) is ast.Name or type(value) is ast.Attribute:
            chain = call_chain(value)
            if "?" in chain:
                return
            binding = Binding(name, ".".join(chain), "alias", line, scope)
        else:
            return
        self.bindings.append(binding)

    def _import(self, node: ast.Import) -> None:
        for alias in node.names:
            # ``import a.b`` binds ``a``; ``import a.b as c`` binds ``c`` to ``a.b``
            local = alias.asname or alias.name.partition(".")[0]
            self._add_import(alias.name, (ImportedName(alias.name, local),), node, 0)

    def _import_from(self, node: ast.ImportFrom) -> None:
        names = tuple(ImportedName(a.name, a.asname or a.name) for a in node.names)
        self._add_import(node.module or "", names, node, node.level)

    def _add_import(self, source: str, names: tuple[ImportedName, ...], node: ast.stmt, level: int) -> None:
        span = self.src.span(node)
        self.imports.append(Import(source, names, "python", span, level, self._type_checking > 0, self._function))

    def _if(self, node: ast.If) -> None:
        self._decisions += 1  # an ``elif`` is a nested ``If`` and counts on its own
        test = node.test
        if node.body and reads_flag(test):
            self.flag_gates.append(FlagGate(ast.unparse(test), node.body[0].lineno, node.body[-1].end_lineno or 0))
        is_type_checking = (type(test) is ast.Name and test.id == "TYPE_CHECKING") or (
            type(test) is ast.Attribute and test.attr == "TYPE_CHECKING"
        )
        if not is_type_checking:
            self._children(node)
            return
        self.visit(test)
        self._type_checking += 1
        self._visit_all(node.body)
        self._type_checking -= 1
        self._visit_all(node.orelse)


def with_item_text(expr: ast.expr, src: SourceMap) -> str:
    """``torch.no_grad()`` -> ``torch.no_grad``; an item that is no call keeps its own text."""
    if type(expr) is ast.Call:
        return callee_text(expr.func, call_chain(expr.func), src)
    return src.text(expr, limit=200)


def assigned_names(targets: list[ast.expr]) -> tuple[str, ...]:
    """Names bound by assignment targets, unpacking tuples, lists and starred targets."""
    found: list[str] = []
    stack = list(reversed(targets))
    while stack:
        target = stack.pop()
        if type(target) is ast.Name:
            found.append(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            stack.extend(reversed(target.elts))
        elif type(target) is ast.Starred:
            stack.append(target.value)
    return tuple(found)


def param_names(args: ast.arguments) -> tuple[str, ...]:
    """Parameter names in order, ``*args`` and ``**kwargs`` by their names."""
    names = [a.arg for a in (*args.posonlyargs, *args.args)]
    if args.vararg is not None:
        names.append(args.vararg.arg)
    names.extend(a.arg for a in args.kwonlyargs)
    if args.kwarg is not None:
        names.append(args.kwarg.arg)
    return tuple(names)
