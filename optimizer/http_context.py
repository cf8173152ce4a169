"""What the route and client passes share: module facts looked up by line, name and call resolution, and the
external name of whatever made an object (``express.Router``, ``axios.create``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from analyzers.facts import Call, Function, ModuleFacts
from optimizer.calls import CallResolver
from optimizer.values import Bound, ValueResolver


class HttpContext:
    def __init__(self, modules: Mapping[str, ModuleFacts], calls: CallResolver, values: ValueResolver) -> None:
        self.modules = modules
        self.calls = calls
        self.values = values
        self._by_line: dict[str, dict[int, list[Call]]] = {}
        self._functions: dict[str, dict[str | None, list[Function]]] = {}

    def calls_at(self, path: str, line: int) -> list[Call]:
        by_line = self._by_line.get(path)
        if by_line is None:
            by_line = self._by_line[path] = defaultdict(list)
            for call in self.modules[path].calls:
                by_line[call.span.line].append(call)
        return by_line.get(line, [])

    def creation(self, bound: Bound) -> Call | None:
        """The call that made a bound object: ``Router()`` for ``const router = Router()``."""
        binding = bound.binding
        if binding.kind not in ("call", "new"):
            return None
        for call in self.calls_at(bound.path, binding.line):
            if call.callee == binding.value and call.function == binding.scope:
                return call
        return None

    def made_by(self, bound: Bound | None) -> str | None:
        """The external callee that made ``bound`` (``express.Router``, ``fastapi.APIRouter``), or None."""
        if bound is None or bound.binding.kind not in ("call", "new"):
            return None
        return self.values.external(bound.path, bound.binding.scope, bound.binding.value)

    def framework_object(
        self, path: str, scope: str | None, dotted: str, makers: frozenset[str] | set[str]
    ) -> tuple[Bound, str] | None:
        """The binding a name or member path denotes and what made it, when one of ``makers`` did (an app or
        a router of the framework); None for anything else."""
        bound = self.values.bound(path, scope, dotted)
        made = self.made_by(bound)
        if bound is None or made not in makers:
            return None
        return bound, made

    def resolve(self, path: str, scope: str | None, dotted: str, near: Call) -> str | None:
        """The function node a name or member path (``getUsers``, ``ctrl.list``) denotes, via call resolution."""
        probe = Call(dotted, tuple(dotted.split(".")), near.span, scope)
        target = self.calls.resolve(path, probe)
        return f"function:{target[0]}::{target[1]}" if target else None

    def functions_in(self, path: str, call: Call) -> list[Function]:
        """The functions written inside ``call``'s parentheses at the call's own nesting level, in source order:
        the inline handler in ``router.get('/', auth, async (req, res) => ...)`` or in ``wrap(async () => ...)``."""
        by_parent = self._functions.get(path)
        if by_parent is None:
            by_parent = self._functions[path] = defaultdict(list)
            for fn in sorted(self.modules[path].functions, key=lambda f: f.span.start_byte):
                by_parent[fn.parent].append(fn)
        return [fn for fn in by_parent.get(call.function, ()) if call.span.contains(fn.span)]

    def last_function_in(self, path: str, call: Call) -> Function | None:
        inside = self.functions_in(path, call)
        return inside[-1] if inside else None
