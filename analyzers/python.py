"""Python front-end: one ``ast.parse`` and one walk per file produce the module facts detectors read."""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable
from typing import Any

from analyzers.facts import Await, Binding, Call, Export, FlagGate, Function, Import, Loop, ModuleFacts, SqlString
from analyzers.py_bindings import BindingHandlers, Frame, param_names
from analyzers.py_complexity import ComplexityHandlers
from analyzers.py_flow import Flow, await_flows
from analyzers.py_loops import LoopHandlers
from analyzers.py_source import SourceMap, call_chain, callee_text, decode_source, typed_binding
from analyzers.py_tokens import py_tokens
from analyzers.sql import looks_like_sql
from optimizer.suppress import scan_suppressions

_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
# calls that run the coroutines a comprehension builds concurrently
_BATCHING_CALLS = frozenset(
    {("asyncio", "gather"), ("gather",), ("asyncio", "wait"), ("asyncio", "as_completed"), ("as_completed",)}
)
# ``_fields`` that never hold child nodes worth visiting (names, flags, operators, contexts)
_NOT_CHILDREN = frozenset(
    {"ctx", "op", "ops", "id", "attr", "name", "arg", "kind", "level", "module", "names", "simple",
     "type_comment", "type_ignores", "conversion", "is_async", "kwd_attrs", "rest"}
)  # fmt: skip
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def parse(path: str, source: bytes) -> ModuleFacts:
    """Facts of one Python file. Undecodable or invalid source gives ``errors`` entries, never an exception."""
    facts = ModuleFacts(path=path, language="python", suppressions=scan_suppressions(source))
    try:
        text, utf8 = decode_source(source)
    except UnicodeDecodeError as exc:
        line = source.count(b"\n", 0, exc.start) + 1
        facts.lines = len(source.splitlines())
        facts.errors.append(f"cannot decode source at line {line}: {exc.reason} ({exc.encoding})")
        return facts
    except SyntaxError as exc:  # an unknown or inconsistent encoding declaration
        facts.lines = len(source.splitlines())
        facts.errors.append(f"cannot decode source: {exc.msg}")
        return facts
    src = SourceMap(utf8)
    facts.lines = src.lines
    if "\0" in text:  # checked here: Python versions disagree on the exception and its position
        before = text[: text.index("\0")]
        line, column = before.count("\n") + 1, len(before) - before.rfind("\n")
        facts.errors.append(f"syntax error at line {line}, column {column}: source code cannot contain null bytes")
        return facts
    try:
        with warnings.catch_warnings():  # invalid escapes and the like would print once per file of a run
            warnings.simplefilter("ignore")
            tree = ast.parse(source, filename=path)  # bytes: the parser honours the BOM and coding cookie itself
        walk = _Extractor(src)
        walk.visit(tree)
    except SyntaxError as exc:
        facts.errors.append(f"syntax error at line {exc.lineno}, column {exc.offset}: {exc.msg}")
    except RecursionError:
        facts.errors.append("source too deeply nested to analyse")
    else:
        facts.imports, facts.exports, facts.loops = walk.imports, walk.exports, walk.loops
        facts.calls, facts.awaits, facts.sql, facts.bindings = walk.calls, walk.awaits, walk.sql, walk.bindings
        facts.complexity, facts.flag_gates = walk.complexity, walk.flag_gates
        # a function is recorded when its body is done (is_generator is known then); list them by position
        facts.functions = sorted(walk.functions, key=lambda fn: fn.span.start_byte)
        facts.tokens = py_tokens(tree, utf8)
    return facts


class _Extractor(BindingHandlers, LoopHandlers, ComplexityHandlers):
    """The single walk. It collects facts in its own lists, so a walk that fails half-way leaves no partial
    facts behind."""

    def __init__(self, src: SourceMap) -> None:
        self.src = src
        self.imports: list[Import] = []
        self.exports: list[Export] = []
        self.functions: list[Function] = []
        self.loops: list[Loop] = []
        self.calls: list[Call] = []
        self.awaits: list[Await] = []
        self.sql: list[SqlString] = []
        self.bindings: list[Binding] = []
        self.flag_gates: list[FlagGate] = []
        self.complexity: dict[str, int] = {}
        self._decisions = 0  # decision points so far in the innermost def
        self._scopes: list[tuple[str, bool]] = []  # enclosing defs and classes as (qualname, is_class)
        self._frames: list[Frame] = []  # enclosing defs and lambdas
        self._function: str | None = None  # innermost def; classes and lambdas do not start a new one
        self._loop_stack: tuple[int, ...] = ()  # enclosing loops of the innermost def, outermost first
        self._context: tuple[str, ...] = ()  # enclosing ``with`` items of the innermost def, outermost first
        self._type_checking = 0
        self._qualnames: set[str] = set()
        self._docstrings: set[int] = set()
        self._batched: set[int] = set()  # ids of comprehensions passed straight to asyncio.gather & co.
        self._string_callee: dict[int, str] = {}  # id of a string argument -> callee it is passed to
        self._await_targets: dict[int, tuple[str, ...]] = {}  # id of an assigned Await -> names it binds
        self._awaited_call: ast.Call | None = None
        self._flows: dict[int, Flow] = {}  # id of an Await -> where its value goes

    # -- walking

    def visit(self, node: Any) -> None:
        kind = type(node)
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(self, node)
        elif kind is not ast.Name:
            self._children(node)

    def _children(self, node: Any) -> None:
        fields = _CHILD_FIELDS.get(type(node))
        if fields is None:
            fields = _CHILD_FIELDS[type(node)] = tuple(f for f in node._fields if f not in _NOT_CHILDREN)
        handlers = _HANDLERS
        # dispatch is inlined here and names are skipped without a call: this loop runs for most nodes
        for name in fields:
            value = getattr(node, name)
            if type(value) is list:
                for item in value:
                    kind = type(item)
                    if kind is ast.Name or item is None:  # Dict keys hold None for ``**mapping`` entries
                        continue
                    handler = handlers.get(kind)
                    if handler is None:
                        self._children(item)
                    else:
                        handler(self, item)
            elif value is not None:
                kind = type(value)
                if kind is ast.Name:
                    continue
                handler = handlers.get(kind)
                if handler is None:
                    self._children(value)
                else:
                    handler(self, value)

    def _bin_op(self, node: ast.BinOp) -> None:
        # long ``a + b + c ...`` chains nest to the left; walking the spine keeps the recursion shallow
        rights = []
        left: ast.expr = node
        while type(left) is ast.BinOp:
            rights.append(left.right)
            left = left.left
        self.visit(left)
        for right in reversed(rights):
            self.visit(right)

    def _visit_all(self, nodes: list[Any]) -> None:
        handlers = _HANDLERS
        for node in nodes:  # ``visit`` inlined: statement lists are the other hot loop
            kind = type(node)
            handler = handlers.get(kind)
            if handler is not None:
                handler(self, node)
            elif kind is not ast.Name:
                self._children(node)

    def _attribute(self, node: ast.Attribute) -> None:
        # only the base of ``a.b.c`` can hold anything of interest; skipping the links also keeps long
        # chains from nesting the recursion
        base = node.value
        while type(base) is ast.Attribute:
            base = base.value
        if type(base) is not ast.Name:
            self.visit(base)

    def _module(self, node: ast.Module) -> None:
        self._mark_docstring(node.body)
        self._visit_all(node.body)

    def _mark_docstring(self, body: list[ast.stmt]) -> None:
        first = body[0] if body else None
        if type(first) is ast.Expr and type(first.value) is ast.Constant and type(first.value.value) is str:
            self._docstrings.add(id(first.value))

    # -- definitions

    def _qualname(self, name: str, line: int) -> str:
        qualname = f"{self._scopes[-1][0]}.{name}" if self._scopes else name
        if qualname in self._qualnames:  # a redefinition (property setter, conditional def) stays unique
            qualname = f"{qualname}@{line}"
        self._qualnames.add(qualname)
        return qualname

    def _def(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        # decorators, defaults and annotations run in the enclosing scope
        self._visit_all(node.decorator_list)
        self.visit(node.args)
        if node.returns is not None:
            self.visit(node.returns)
        parent, in_class = self._scopes[-1] if self._scopes else (None, False)
        class_name = parent if in_class else None
        qualname = self._qualname(node.name, node.lineno)
        decorators = tuple(self._decorator_text(d) for d in node.decorator_list)
        args = node.args
        positional = args.posonlyargs + args.args
        is_plain_method = in_class and not {"staticmethod", "classmethod"} & set(decorators)
        self_name = positional[0].arg if is_plain_method and positional else None
        param_types: dict[str, Binding] = {}
        for arg in (*positional, *args.kwonlyargs):
            if arg.annotation is not None and arg.arg != self_name:
                param_types[arg.arg] = typed_binding(arg.arg, arg.annotation, arg.lineno, qualname, self.src)
                self.bindings.append(param_types[arg.arg])
        frame = Frame(class_name, self_name, param_types)

        if type(node) is ast.AsyncFunctionDef:
            self._flows.update(await_flows(node, self.src))
        outer_function, outer_loops, outer_context = self._function, self._loop_stack, self._context
        outer_decisions = self._decisions
        self._function, self._loop_stack, self._context, self._decisions = qualname, (), (), 0
        self._scopes.append((qualname, False))
        self._frames.append(frame)
        self._mark_docstring(node.body)
        self._visit_all(node.body)
        self._frames.pop()
        self._scopes.pop()
        self.complexity[qualname] = 1 + self._decisions
        self._function, self._loop_stack, self._context = outer_function, outer_loops, outer_context
        self._decisions = outer_decisions

        self.functions.append(
            Function(
                qualname,
                node.name,
                "method" if in_class else "function",
                self.src.span(node),
                is_async=type(node) is ast.AsyncFunctionDef,
                class_name=class_name,
                parent=parent,
                params=param_names(args),
                decorators=decorators,
                is_generator=frame.is_generator,
            )
        )

    def _lambda(self, node: ast.Lambda) -> None:
        self.visit(node.args)
        qualname = f"<lambda@{node.lineno}:{node.col_offset + 1}>"
        frame = Frame(None, None, {})
        self._frames.append(frame)
        self.visit(node.body)
        self._frames.pop()
        parent = self._scopes[-1][0] if self._scopes else None
        self.functions.append(
            Function(
                qualname,
                "<lambda>",
                "lambda",
                self.src.span(node),
                parent=parent,
                params=param_names(node.args),
                is_generator=frame.is_generator,
            )
        )

    def _class(self, node: ast.ClassDef) -> None:
        self._visit_all(node.decorator_list)
        self._visit_all(node.bases)
        self._visit_all(node.keywords)
        parent = self._scopes[-1][0] if self._scopes else None
        qualname = self._qualname(node.name, node.lineno)
        self._scopes.append((qualname, True))
        self._mark_docstring(node.body)
        outer_decisions = self._decisions  # a class body's decisions are nobody's
        self._visit_all(node.body)
        self._decisions = outer_decisions
        self._scopes.pop()
        decorators = tuple(self._decorator_text(d) for d in node.decorator_list)
        self.functions.append(
            Function(qualname, node.name, "class", self.src.span(node), parent=parent, decorators=decorators)
        )

    def _decorator_text(self, node: ast.expr) -> str:
        text = self.src.text(node, limit=1000)
        # a decorator split over lines reads best in its canonical one-line form
        return ast.unparse(node) if "\n" in text else text

    def _yield(self, node: ast.Yield | ast.YieldFrom) -> None:
        if self._frames:
            self._frames[-1].is_generator = True
        self._children(node)

    # -- calls, awaits, strings

    def _call(self, node: ast.Call) -> None:
        func, args, keywords = node.func, node.args, node.keywords
        chain = call_chain(func)
        callee = callee_text(func, chain, self.src)
        text = self.src.text
        if chain in _BATCHING_CALLS:
            for arg in args:
                inner = arg.value if type(arg) is ast.Starred else arg
                if isinstance(inner, _COMPREHENSIONS):
                    self._batched.add(id(inner))
        arg_texts = [text(arg) for arg in args]
        string_callee = self._string_callee
        for arg in args:
            if type(arg) is ast.Constant or type(arg) is ast.JoinedStr:
                string_callee[id(arg)] = callee
        for keyword in keywords:
            arg_texts.append(text(keyword))
            if type(keyword.value) is ast.Constant or type(keyword.value) is ast.JoinedStr:
                string_callee[id(keyword.value)] = callee
        loops, awaited, context = self._loop_stack, node is self._awaited_call, self._context
        span = self.src.span(node)
        self.calls.append(Call(callee, chain, span, self._function, loops, awaited, tuple(arg_texts), context=context))
        self.visit(func)
        self._visit_all(args)
        for keyword in keywords:
            self.visit(keyword.value)

    def _await(self, node: ast.Await) -> None:
        value = node.value
        call = None
        if type(value) is ast.Call:
            self._awaited_call = value  # one slot is enough: the call is the next node visited
            call = callee_text(value.func, call_chain(value.func), self.src)
        names = [n for n in ast.walk(value) if type(n) is ast.Name and type(n.ctx) is ast.Load]
        names.sort(key=lambda n: (n.lineno, n.col_offset))  # ast.walk is breadth-first; list them as written
        uses = dict.fromkeys(n.id for n in names)
        targets = self._await_targets.get(id(node), ())
        block, next_read, carried = self._flows.pop(id(node), (-1, -1, False))
        where = self.src.span(node)
        loops = self._loop_stack
        self.awaits.append(Await(where, self._function, call, targets, tuple(uses), loops, block, next_read, carried))
        self.visit(value)

    def _constant(self, node: ast.Constant) -> None:
        value = node.value
        if type(value) is str and looks_like_sql(value) and id(node) not in self._docstrings:
            self._add_sql(value, node, "string")

    def _joined_str(self, node: ast.JoinedStr) -> None:
        values = node.values
        text = "".join(v.value if type(v) is ast.Constant else "?" for v in values)
        if looks_like_sql(text):
            has_substitutions = any(type(v) is ast.FormattedValue for v in values)
            self._add_sql(text, node, "template" if has_substitutions else "string")
        for value in values:
            if type(value) is ast.FormattedValue:
                self._children(value)

    def _add_sql(self, text: str, node: ast.expr, kind: str) -> None:
        call = self._string_callee.get(id(node))
        self.sql.append(SqlString(text, self.src.span(node), self._function, kind, None, call, self._loop_stack))


# node type -> the extractor's handler; functions, not bound methods, so that an extractor is no reference cycle
_HANDLERS: dict[type, Callable[[_Extractor, Any], None]] = {
    ast.Module: _Extractor._module,
    ast.FunctionDef: _Extractor._def,
    ast.AsyncFunctionDef: _Extractor._def,
    ast.Lambda: _Extractor._lambda,
    ast.ClassDef: _Extractor._class,
    ast.For: _Extractor._for,
    ast.AsyncFor: _Extractor._for,
    ast.While: _Extractor._while,
    ast.ListComp: _Extractor._comprehension,
    ast.SetComp: _Extractor._comprehension,
    ast.GeneratorExp: _Extractor._comprehension,
    ast.DictComp: _Extractor._comprehension,
    ast.Call: _Extractor._call,
    ast.Await: _Extractor._await,
    ast.Constant: _Extractor._constant,
    ast.JoinedStr: _Extractor._joined_str,
    ast.Assign: _Extractor._assign,
    ast.AnnAssign: _Extractor._ann_assign,
    ast.AugAssign: _Extractor._aug_assign,
    ast.NamedExpr: _Extractor._named_expr,
    ast.With: _Extractor._with,
    ast.Global: _Extractor._global,
    ast.AsyncWith: _Extractor._with,
    ast.Import: _Extractor._import,
    ast.ImportFrom: _Extractor._import_from,
    ast.If: _Extractor._if,
    ast.IfExp: _Extractor._if_exp,
    ast.BoolOp: _Extractor._bool_op,
    ast.Try: _Extractor._try,
    ast.TryStar: _Extractor._try,
    ast.Match: _Extractor._match,
    ast.BinOp: _Extractor._bin_op,
    ast.Attribute: _Extractor._attribute,
    ast.Yield: _Extractor._yield,
    ast.YieldFrom: _Extractor._yield,
    ast.MatchSingleton: lambda walk, node: None,  # its ``value`` is True/False/None, not a node
}
