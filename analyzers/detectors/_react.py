"""Shared by the React memoisation rules: which prop values are new objects on every render, and which components
are wrapped in `memo`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from analyzers.detectors.base import FileContext
from analyzers.facts import Binding, JsxElement, JsxProp, ModuleFacts
from optimizer.calls import ModuleIndex

_MEMO = {("memo",), ("React", "memo")}
_INLINE_KINDS = {"object": "an object literal", "array": "an array literal", "arrow": "an inline function",
                 "function": "an inline function"}
_COMPARATOR_PARAMS = re.compile(r"^\s*(?:async\s+)?(?:function\b[^(]*)?\(\s*(\w+)\s*(?::[^,]*)?,\s*(\w+)")


@dataclass(frozen=True)
class MemoWrapper:
    """A `memo(...)` call at module level. ``compared`` is None when every prop counts (no comparator, or one
    that reads the props objects whole); otherwise the props the comparator reads. ``opaque`` marks a comparator
    passed by name, whose behaviour is unknown."""

    line: int
    compared: frozenset[str] | None = None
    opaque: bool = False


def enclosing_component(index: ModuleIndex, scope: str | None) -> str | None:
    """The component whose render runs ``scope`` (``scope`` itself, or a callback nested in it)."""
    while scope is not None:
        fn = index.functions.get(scope)
        if fn is None:
            return None
        if fn.is_component:
            return scope
        scope = fn.parent
    return None


def literal_index(module: ModuleFacts) -> dict[tuple[str | None, str], Binding]:
    return {(b.scope, b.name): b for b in module.literals}


def unstable_value(
    index: ModuleIndex, literals: dict[tuple[str | None, str], Binding], scope: str | None, prop: JsxProp
) -> str | None:
    """How ``prop``'s value is a new object on each run of ``scope``, or None when it keeps its identity (a hook
    result, a module-level value, a primitive) or is not known."""
    if prop.kind in _INLINE_KINDS:
        return _INLINE_KINDS[prop.kind]
    if prop.kind != "identifier":
        return None
    name = prop.text
    while scope is not None:
        fn = index.functions.get(scope)
        if fn is None or name in fn.params:
            return None
        # A name bound to a call is a hook result or unknown. It is checked first because
        # `const onSave = useCallback(() => ...)` also names the arrow `onSave`.
        if (scope, name) in index.bindings:
            return None
        literal = literals.get((scope, name))
        if literal is not None:
            return f"`{name}`, {_INLINE_KINDS[literal.kind]} built in the component body"
        member = index.members.get((scope, name))
        if member is not None and index.functions[member].kind != "class":
            return f"`{name}`, a function defined in the component body"
        scope = fn.parent
    return None


def unstable_props(
    element: JsxElement, wrapper: MemoWrapper, index: ModuleIndex, literals: dict[tuple[str | None, str], Binding]
) -> list[tuple[JsxProp, str]]:
    """The props of ``element`` that are new objects on each render and that ``wrapper``'s comparison reads."""
    return [
        (prop, how)
        for prop in element.props
        if prop.name not in ("key", "ref") and (wrapper.compared is None or prop.name in wrapper.compared)
        and (how := unstable_value(index, literals, element.function, prop)) is not None
    ]


def memo_wrappers(module: ModuleFacts) -> dict[str, MemoWrapper]:
    """Module-level names bound to `memo(...)` (``const Row = memo(...)``), and ``default`` for
    ``export default memo(Row)``."""
    calls = {c.span.line: c for c in module.calls if c.function is None and c.chain in _MEMO and c.args}
    found: dict[str, MemoWrapper] = {}
    for binding in module.bindings:
        # Formatters move a long `memo(` to the line after `export const Row: FC<Props> =`.
        call = calls.get(binding.line) or calls.get(binding.line + 1)
        if binding.scope is None and binding.kind == "call" and call is not None and binding.value == call.callee:
            found[binding.name] = _wrapper(binding.line, call.args)
    for export in module.exports:
        call = calls.get(export.line)
        if export.kind == "default" and export.source is None and call is not None:
            found["default"] = _wrapper(export.line, call.args)
    return found


def _wrapper(line: int, args: tuple[str, ...]) -> MemoWrapper:
    if len(args) < 2:
        return MemoWrapper(line)
    comparator = args[1]
    params = _COMPARATOR_PARAMS.match(comparator)
    if params is None:
        return MemoWrapper(line, opaque=True)
    names = "|".join(re.escape(p) for p in params.groups())
    body = comparator[params.end():]
    read = {m.group(1) for m in re.finditer(rf"\b(?:{names})\s*\??\.\s*(\w+)", body)}
    whole = re.search(rf"\b(?:{names})\b(?!\s*\??\.)", body) is not None
    # Reading `prev` whole (`isEqual(prev, next)`) compares every prop; a cut-off text may hide more reads.
    if whole or not read or len(comparator) >= 200:
        return MemoWrapper(line)
    return MemoWrapper(line, compared=frozenset(read))


def modules_with_jsx(detector, project) -> Iterator[tuple[ModuleFacts, FileContext, ModuleIndex, dict]]:
    """(module, context, call index, literal bindings) of each module with JSX a React rule checks; none when
    the React Compiler memoises components for the user."""
    if project.react_compiler:
        return
    calls = project.graph.calls
    for module, ctx in detector.checked_modules(project):
        index = calls.index.get(module.path)
        if index is not None and module.jsx:
            yield module, ctx, index, literal_index(module)

