"""Shared by the React memoisation rules: which prop values are new objects on every render, and which components
are wrapped in `memo`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from analyzers.detectors.base import FileContext
from analyzers.facts import Binding, Call, JsxElement, JsxProp, ModuleFacts
from analyzers.js_nodes import MAX_TEXT  # Call.args holds at most this many characters of each argument
from optimizer.calls import ModuleIndex

MEMO_CALLS = frozenset({("memo",), ("React", "memo")})
# prop value kinds that build a new object on each render, with how a message names them
INLINE_KINDS = {"object": "an object literal", "array": "an array literal", "arrow": "an inline function",
                 "function": "an inline function"}
# deep-equality helpers of lodash, fast-deep-equal, dequal, react-fast-compare and friends
_DEEP_EQUAL = re.compile(r"\b(?:isEqual|isDeepEqual|deepEqual|fastDeepEqual|dequal|equal|isEqualWith)\s*\(")
_READ_CONTEXT = {"useContext", "use"}
_COMPARATOR_PARAMS = re.compile(r"^\s*(?:async\s+)?(?:function\b[^(]*)?\(\s*(\w+)\s*(?::[^,]*)?,\s*(\w+)")


@dataclass(frozen=True)
class MemoWrapper:
    """A `memo(...)` call at module level. ``compared`` is None when every prop counts (no comparator, or one
    that reads the props objects whole); otherwise the props the comparator reads. ``by_value`` holds the props
    it reads only inside a deep comparison (`isEqual(prev.sections, next.sections)`), where an equal new literal
    keeps the memo. ``opaque`` marks a comparator passed by name, whose behaviour is unknown."""

    line: int
    compared: frozenset[str] | None = None
    opaque: bool = False
    by_value: frozenset[str] = frozenset()


def calls_memo(module: ModuleFacts) -> bool:
    """Whether a JavaScript module wraps a component in `memo` anywhere."""
    return module.language != "python" and any(call.chain in MEMO_CALLS for call in module.calls)


def context_reads(module: ModuleFacts, context: str) -> list[Call]:
    """The `useContext(context)` / `use(context)` calls of ``module``."""
    return [
        call for call in module.calls
        if call.name in _READ_CONTEXT and call.args and call.args[0].strip() == context
    ]


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
    if prop.kind in INLINE_KINDS:
        return INLINE_KINDS[prop.kind]
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
            return f"`{name}`, {INLINE_KINDS[literal.kind]} built in the component body"
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
        # a deep comparison sees an equal literal as unchanged; a new function is never equal
        and (prop.name not in wrapper.by_value or "function" in how)
    ]


def memo_wrappers(module: ModuleFacts, source: bytes | None = None) -> dict[str, MemoWrapper]:
    """Module-level names bound to `memo(...)` (``const Row = memo(...)``), and ``default`` for
    ``export default memo(Row)``. With the module's ``source``, a comparator cut off in the facts is read whole."""
    calls = {c.span.line: c for c in module.calls if c.function is None and c.chain in MEMO_CALLS and c.args}
    found: dict[str, MemoWrapper] = {}
    for binding in module.bindings:
        # Formatters move a long `memo(` to the line after `export const Row: FC<Props> =`.
        call = calls.get(binding.line) or calls.get(binding.line + 1)
        if binding.scope is None and binding.kind == "call" and call is not None and binding.value == call.callee:
            found[binding.name] = _wrapper(binding.line, _comparator(call, source))
    for export in module.exports:
        call = calls.get(export.line)
        if export.kind == "default" and export.source is None and call is not None:
            found["default"] = _wrapper(export.line, _comparator(call, source))
    return found


def _comparator(call: Call, source: bytes | None) -> tuple[str | None, bool]:
    """The text of the comparator argument of a `memo` call, read whole from the source when the facts cut it
    off, and whether the text may still be cut off."""
    if len(call.args) < 2:
        return None, False
    cut = call.args[1]
    if len(cut) < MAX_TEXT:
        return cut, False
    text = source[call.span.start_byte:call.span.end_byte].decode("utf-8", "replace") if source else ""
    start = text.rfind(cut) if call.span.start_byte >= 0 else -1
    if start < 0:
        return cut, True
    return text[start:].rstrip().removesuffix(")").rstrip().rstrip(","), False


def _wrapper(line: int, found: tuple[str | None, bool]) -> MemoWrapper:
    comparator, cut = found
    if comparator is None:
        return MemoWrapper(line)
    params = _COMPARATOR_PARAMS.match(comparator)
    if params is None:
        return MemoWrapper(line, opaque=True)
    names = "|".join(re.escape(p) for p in params.groups())
    body = comparator[params.end():]
    deep = _deep_regions(body)
    read: set[str] = set()
    by_value: set[str] = set()
    for m in re.finditer(rf"\b(?:{names})\s*\??\.\s*(\w+)", body):
        (by_value if any(a <= m.start() < b for a, b in deep) else read).add(m.group(1))
    whole = re.search(rf"\b(?:{names})\b(?!\s*\??\.)", body) is not None
    # Reading `prev` whole (`isEqual(prev, next)`) compares every prop; a cut-off text may hide more reads.
    if whole or not (read or by_value) or cut:
        return MemoWrapper(line)
    return MemoWrapper(line, compared=frozenset(read | by_value), by_value=frozenset(by_value - read))


def _deep_regions(body: str) -> list[tuple[int, int]]:
    """Byte ranges of the arguments of deep-equality calls (`isEqual(...)`, `dequal(...)`) in a comparator."""
    regions = []
    for match in _DEEP_EQUAL.finditer(body):
        depth, end = 0, len(body)
        for i in range(match.end() - 1, len(body)):
            depth += {"(": 1, ")": -1}.get(body[i], 0)
            if depth == 0:
                end = i
                break
        regions.append((match.end(), end))
    return regions


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

