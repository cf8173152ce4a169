"""Where a Python module uses each name: at import time or only inside functions (for deferring imports)."""

from __future__ import annotations

import re

from analyzers.facts import Function, ModuleFacts

IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


class NameUses:
    """Where a module uses each name: at import time (module level, decorators, annotations, class bodies)
    or only inside functions, read from calls, their arguments, decorators and bindings."""

    def __init__(self, module: ModuleFacts) -> None:
        self.by_qualname = {f.qualname: f for f in module.functions}
        self.on_import: set[str] = set()
        self.functions: dict[str, set[str]] = {}
        self.seen: set[str] = set()
        # every name counts as needed in a package's __init__ (re-exports) or next to a class (possible base)
        self.unseen_needed = module.path.endswith("__init__.py") or any(
            f.kind == "class" and f.parent is None for f in module.functions
        )
        lazy_annotations = any(
            imp.source == "__future__" and any(n.imported == "annotations" for n in imp.names) for imp in module.imports
        )
        for call in module.calls:
            self._use(call.chain[0] if call.chain else call.callee, call.function)
            for arg in call.args:
                for name in IDENTIFIER.findall(arg):
                    self._use(name, call.function)
        for fn in module.functions:
            for decorator in fn.decorators:
                self._use(decorator, fn.parent)
        for binding in module.bindings:
            if binding.kind == "param_type":
                # every name of `Dict[str, Model]` is read, on import unless annotations are lazy
                for name in IDENTIFIER.findall(binding.value):
                    self._use(name, binding.scope if lazy_annotations else None)
            else:
                self._use(binding.value, binding.scope)
        self._add_functions_run_on_import(module)

    def needed_on_import(self, name: str) -> bool:
        return name == "*" or name in self.on_import or (name not in self.seen and self.unseen_needed)

    def _add_functions_run_on_import(self, module: ModuleFacts) -> None:
        """A module-level call (`run()`, or `main()` under `if __name__ == "__main__":`) runs its function on
        import, and with it the functions that one calls: the names they use are needed on import too."""
        local = {qualname for qualname, fn in self.by_qualname.items() if fn.parent is None and fn.kind != "class"}
        callees: dict[str | None, set[str]] = {}
        for call in module.calls:
            if len(call.chain) == 1 and call.callee in local:
                caller = call.function.split(".", 1)[0] if call.function else None
                callees.setdefault(caller, set()).add(call.callee)
        run, todo = set(), list(callees.get(None, ()))
        while todo:
            function = todo.pop()
            if function not in run:
                run.add(function)
                todo.extend(callees.get(function, ()))
        for name, functions in self.functions.items():
            if any(f.split(".", 1)[0] in run for f in functions):
                self.on_import.add(name)

    def _use(self, text: str, scope: str | None) -> None:
        head = IDENTIFIER.match(text)
        if head is None:
            return
        name = head.group()
        self.seen.add(name)
        function = self._runs_later(scope)
        if function is None:
            self.on_import.add(name)
        else:
            self.functions.setdefault(name, set()).add(function)

    def _runs_later(self, scope: str | None) -> str | None:
        """The function whose call runs code in ``scope``, or None when it runs on import: module level,
        and anything inside a class, whose bases and body are not told apart in the facts."""
        fn: Function | None = self.by_qualname.get(scope) if scope else None
        if fn is None:
            return None
        while fn is not None:
            if fn.kind == "class":
                return None
            fn = self.by_qualname.get(fn.parent) if fn.parent else None
        return scope
