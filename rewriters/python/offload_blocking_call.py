"""offload-blocking-call: a blocking call in an `async def` -> `await asyncio.to_thread(f, *args, **kwargs)`.

`time.sleep(x)` becomes `await asyncio.sleep(x)`; a module that already imports `run_in_threadpool` (Starlette,
FastAPI) gets `await run_in_threadpool(f, ...)`. The calls are the ones `blocking-call-in-async` reports, found
again on the current text: known blocking calls on a reported line, or the one call on the line to a project
function that reaches one. Only calls written in the `async def` body itself are rewritten.
"""

from __future__ import annotations

from collections.abc import Collection

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import RemoveImportsVisitor
from libcst.metadata import ByteSpanPositionProvider, ParentNodeProvider

from analyzers.detectors.blocking_call_in_async import NOT_OFFLOADED, blocking_name, sole_call_on_line
from analyzers.facts import Call, ModuleFacts
from analyzers.frontends import parse_source
from rewriters.edits import NoFix
from rewriters.python._cst import resolve, with_import

CODEMOD_ID = "offload-blocking-call"

_THREADPOOL_MODULES = ("starlette.concurrency", "fastapi.concurrency")
_SCOPES = (cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp, cst.ClassDef)


def transform(module: cst.Module, lines: Collection[int]) -> cst.Module:
    """Offload every reported call on one of ``lines``; raise NoFix when one of them cannot move."""
    facts = parse_source("input.py", "python", module.bytes)
    targets = _targets(facts, lines)  # (start byte, end byte) -> (blocking name or None, line)
    if not targets:
        return module
    threadpool = _threadpool_name(facts)
    spans, parents = resolve(module, ByteSpanPositionProvider, ParentNodeProvider)
    offloader = _Offloader(targets, spans, parents, threadpool)
    module = module.visit(offloader)
    missed = sorted(set(targets) - offloader.done)
    if missed:
        raise NoFix(f"the call on line {targets[missed[0]][1]} was not found in the syntax tree")
    if offloader.uses_asyncio:
        module = with_import(module, "asyncio")
    context = CodemodContext()
    for call in (c for c in facts.calls if targets.get(_key(c), (None,))[0] == "time.sleep"):
        _drop_unused_time_import(context, facts, call)
    return _no_blank_start(RemoveImportsVisitor(context).transform_module(module))


def _no_blank_start(module: cst.Module) -> cst.Module:
    """A removed first import leaves the blank lines that followed it at the top of the file."""
    if module.body and not module.header and all(not line.comment for line in module.body[0].leading_lines):
        return module.with_changes(body=[module.body[0].with_changes(leading_lines=[]), *module.body[1:]])
    return module


def _key(call: Call) -> tuple[int, int]:
    return call.span.start_byte, call.span.end_byte


def _targets(facts: ModuleFacts, lines: Collection[int]) -> dict[tuple[int, int], tuple[str | None, int]]:
    async_functions = {fn.qualname for fn in facts.functions if fn.is_async}
    targets: dict[tuple[int, int], tuple[str | None, int]] = {}
    for line in sorted(lines):
        on_line = [c for c in facts.calls if c.span.line == line and c.function in async_functions]
        direct = {_key(c): (name, line) for c in on_line if (name := blocking_name(facts, c))}
        for name, _ in direct.values():
            if name in NOT_OFFLOADED:
                raise NoFix(f"`{name}` on line {line} is not moved to a thread: {NOT_OFFLOADED[name]}")
        if direct:
            targets.update(direct)
        elif on_line and sole_call_on_line(facts, on_line[0]):
            targets[_key(on_line[0])] = (None, line)
        else:
            raise NoFix(f"line {line} does not hold exactly one call in an `async def`; which one blocks is not clear")
    return targets


def _threadpool_name(facts: ModuleFacts) -> str | None:
    """The local name of a module-level `from starlette.concurrency import run_in_threadpool`, if any."""
    for imp in facts.imports:
        if imp.function is None and imp.source in _THREADPOOL_MODULES:
            for name in imp.names:
                if name.imported == "run_in_threadpool":
                    return name.local
    return None


def _drop_unused_time_import(context: CodemodContext, facts: ModuleFacts, call: Call) -> None:
    """The `time` import the sleep was reached through goes when nothing else uses it."""
    for imp in facts.imports:
        for name in imp.names:
            if imp.function is None and imp.source == "time" and name.local == call.chain[0]:
                imported = None if name.imported == "time" else name.imported
                asname = name.local if name.local != (imported or "time") else None
                RemoveImportsVisitor.remove_unused_import(context, "time", imported, asname)


class _Offloader(cst.CSTTransformer):
    """Wraps each target call, found by its byte span, in an await of a thread hand-off or of asyncio.sleep."""

    def __init__(self, targets: dict, spans, parents, threadpool: str | None) -> None:
        super().__init__()
        self.targets = targets
        self.spans = spans
        self.parents = parents
        self.threadpool = threadpool
        self.done: set[tuple[int, int]] = set()
        self.uses_asyncio = False

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        span = self.spans[original]
        key = (span.start, span.start + span.length)
        if key not in self.targets:
            return updated
        self._check_place(original, self.targets[key][1])
        self.done.add(key)
        bare = updated.with_changes(lpar=[], rpar=[])
        if self.targets[key][0] == "time.sleep":
            self.uses_asyncio = True
            call = bare.with_changes(func=cst.Attribute(cst.Name("asyncio"), cst.Name("sleep")))
        else:
            call = self._hand_off(bare)
        lpar, rpar = list(updated.lpar), list(updated.rpar)
        parent = self.parents[original]
        # `await f().x` would await `f().x`: the awaited call needs parentheses where it heads a longer primary
        heads = (isinstance(parent, (cst.Attribute, cst.Subscript)) and parent.value is original) or (
            isinstance(parent, cst.Call) and parent.func is original
        )
        if heads and not lpar:
            lpar, rpar = [cst.LeftParen()], [cst.RightParen()]
        return cst.Await(call, lpar=lpar, rpar=rpar)

    def _hand_off(self, call: cst.Call) -> cst.Call:
        if self.threadpool is not None:
            if any(arg.keyword is not None and arg.keyword.value == "func" for arg in call.args):
                raise NoFix("a `func=` keyword would clash with run_in_threadpool's own parameter")
            runner: cst.BaseExpression = cst.Name(self.threadpool)
        else:
            self.uses_asyncio = True
            runner = cst.Attribute(cst.Name("asyncio"), cst.Name("to_thread"))
        # a call laid out over lines keeps its layout: the function goes on the first argument's line
        spacing = call.whitespace_before_args
        after = spacing if call.args and isinstance(spacing, cst.ParenthesizedWhitespace) else cst.SimpleWhitespace(" ")
        function = cst.Arg(call.func, comma=cst.Comma(whitespace_after=after) if call.args else cst.MaybeSentinel.DEFAULT)
        return call.with_changes(func=runner, args=[function, *call.args])

    def _check_place(self, call: cst.Call, line: int) -> None:
        """NoFix unless the call is a plain value in the body of its `async def`."""
        parent = self.parents[call]
        if isinstance(parent, cst.Await):
            raise NoFix(f"the call on line {line} is already awaited")
        if isinstance(parent, cst.WithItem):
            raise NoFix(f"the call on line {line} is entered by `with`; its context would leave the thread")
        child: cst.CSTNode = call
        while not isinstance(parent, (cst.FunctionDef, cst.Module)):
            if isinstance(parent, _SCOPES):
                raise NoFix(f"the call on line {line} is inside a lambda, comprehension or class body")
            child, parent = parent, self.parents[parent]
        if not isinstance(parent, cst.FunctionDef) or parent.asynchronous is None or child is not parent.body:
            raise NoFix(f"the call on line {line} is not in the body of an `async def`")
