"""Async methods that only wait for a promise their object already holds (`await this.snapshotPromise`, then
plain computation): awaiting several of them on one object, or one whose promise has settled, costs no round
trip, so they do not make a run of independent reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from analyzers.detectors._data_access import HTTP_FUNCTIONS, classify, prisma_clients
from analyzers.facts import Await, Call, Function, ModuleFacts

if TYPE_CHECKING:
    from optimizer.api import Project

_JS = ("typescript", "tsx", "javascript")
_RECEIVERS = frozenset({"this", "self"})


@dataclass(frozen=True)
class MemoisedMethods:
    """Every method of the project by (class, name), and whether it is a memoised accessor."""

    nodes: frozenset[str]  # graph nodes of the accessors
    methods: dict[str, dict[str, bool]]  # method name -> class name -> is an accessor

    def is_accessor(self, project: Project, path: str, call: Call, calls_on: Iterable[Call]) -> bool:
        """Whether ``call`` reaches an accessor: resolved through the graph, or, for a method of a local object
        the graph cannot type, through the classes that define every method the function calls on it."""
        target = project.graph.resolve_call(path, call)
        if target is not None:
            return target in self.nodes
        chain = call.chain
        if len(chain) != 2 or chain[0] in _RECEIVERS:
            return False
        classes = self._classes_with({c.chain[1] for c in calls_on if len(c.chain) == 2 and c.chain[0] == chain[0]})
        return bool(classes) and all(self.methods[chain[1]][cls] for cls in classes)

    def _classes_with(self, names: set[str]) -> set[str]:
        found: set[str] | None = None
        for name in names:
            defined = set(self.methods.get(name, ()))
            found = defined if found is None else found & defined
        return found or set()


def memoised_methods(project: Project) -> MemoisedMethods:
    nodes: set[str] = set()
    methods: dict[str, dict[str, bool]] = {}
    for path, module in project.modules.items():
        if module.language not in _JS:
            continue
        waits = _awaits_by_function(module.awaits)
        view = _ModuleView(module)
        for fn in module.functions:
            if fn.kind != "method" or fn.class_name is None:
                continue
            accessor = _is_accessor(view, fn, waits.get(fn.qualname, []))
            methods.setdefault(fn.name, {})[fn.class_name] = accessor
            if accessor:
                nodes.add(project.graph.function_node(path, fn.qualname))
    return MemoisedMethods(frozenset(nodes), methods)


def _awaits_by_function(awaits: list[Await]) -> dict[str | None, list[Await]]:
    found: dict[str | None, list[Await]] = {}
    for awaited in awaits:
        found.setdefault(awaited.function, []).append(awaited)
    return found


class _ModuleView:
    """What the accessor test reads of a module, built once per module on first use."""

    def __init__(self, module: ModuleFacts) -> None:
        self.module = module

    @cached_property
    def clients(self) -> frozenset[str]:
        return prisma_clients(self.module)

    @cached_property
    def members(self) -> dict[str | None, set[str]]:
        """Class name -> the `this.x` members its code assigns."""
        found: dict[str | None, set[str]] = {}
        for binding in self.module.bindings:
            if binding.name.startswith("this."):
                found.setdefault(binding.scope, set()).add(binding.name)
        return found

    @cached_property
    def _calls_by_function(self) -> dict[str | None, list[Call]]:
        found: dict[str | None, list[Call]] = {}
        for call in self.module.calls:
            found.setdefault(call.function, []).append(call)
        return found

    @cached_property
    def _nested(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for fn in self.module.functions:
            if fn.parent is not None:
                found.setdefault(fn.parent, []).append(fn.qualname)
        return found

    def calls_within(self, fn: Function) -> list[Call]:
        """The calls in ``fn``'s body, those of the callbacks nested in it included."""
        calls: list[Call] = []
        pending = [fn.qualname]
        while pending:
            qualname = pending.pop()
            calls.extend(self._calls_by_function.get(qualname, ()))
            pending.extend(self._nested.get(qualname, ()))
        return calls


def _is_accessor(view: _ModuleView, fn: Function, own: list[Await]) -> bool:
    """An async method whose awaits all wait for a stored value, and which starts no I/O of its own: no
    query, no HTTP call, no call to a member's method (`this.repo.find()`; a longer chain such as
    `this.snapshot.items.map()` walks data), no async sibling method."""
    if not fn.is_async or not own or any(awaited.call for awaited in own):
        return False
    module = view.module
    members = view.members.get(fn.class_name, set())
    for call in view.calls_within(fn):
        chain = call.chain
        if not chain or chain[0] in HTTP_FUNCTIONS or classify(call, module.language, view.clients) is not None:
            return False
        if chain[0] == "this" and len(chain) == 3 and f"this.{chain[1]}" in members:
            return False
        if chain[0] == "this" and len(chain) == 2:
            sibling = module.function(f"{fn.class_name}.{chain[1]}")
            if sibling is None or sibling.is_async:
                return False
    return True
