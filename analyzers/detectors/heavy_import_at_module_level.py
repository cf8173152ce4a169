"""Heavy imports at module level: torch, pandas and the like loaded on import when only some functions need them."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING

from analyzers.detectors._import_costs import python_import_ms
from analyzers.detectors._loaded_by_name import LoadedByName
from analyzers.detectors._name_uses import NameUses
from analyzers.detectors.base import FileContext, ProjectDetector
from analyzers.facts import Import, ModuleFacts
from optimizer.findings import Applicability, Category, Finding, Fix, Related, Severity

if TYPE_CHECKING:
    from optimizer.api import Project

# heavy table key -> the import chain that loads it, from the importing module down to the heavy import
_Loads = dict[str, tuple[Related, ...]]
_LAZY_IMPORT = Fix(
    "Import the library inside the functions that use it (annotations: under `if TYPE_CHECKING:`)",
    Applicability.UNSAFE,
    codemod="lazy-import",
)


class HeavyImportAtModuleLevel(ProjectDetector):
    """## What it does
    Finds module-level imports of slow-to-import libraries (torch, tensorflow, transformers, pandas,
    scipy, sklearn, matplotlib.pyplot, cv2, skimage, onnxruntime, ...) whose names the module uses only
    inside functions, or never. It follows the project's own imports: `api.py` importing `ml_utils`,
    which imports torch at module level, pays for torch as well, and the finding shows that chain.

    ## Why is this slow?
    Python runs every module-level import when the module is first imported. `import torch` costs about
    1.5 s, `import tensorflow` over 2 s, before any code runs: CLI start-up, every test session, every
    serverless cold start and every worker boot pay it, even for commands and requests that never touch
    the model. A library used only inside a function can be imported there and then costs nothing until
    the function first runs (later imports are a dictionary lookup).

    ## Example
    ```python
    import torch

    def predict(x):
        return torch.tensor(x).sum()
    ```

    ## Use instead
    ```python
    def predict(x):
        import torch

        return torch.tensor(x).sum()
    ```
    Names needed only in annotations go under `if TYPE_CHECKING:`. For a project module that drags a
    heavy library in, import that module inside the functions that use it.

    Deferring saves nothing when the library is loaded anyway, so these are not reported: a module whose
    importers all load the library themselves for names they need on import, or import the module only inside
    functions (followed up through the importers' own importers; importing `pkg.mod` also runs
    `pkg/__init__.py`, and `from pkg import a, b` imports `pkg/a.py` and `pkg/b.py`; test modules do not
    count; so do modules loaded by name: `from pkg import *` with a computed `__all__` imports every public
    submodule, a literal one those it lists, and a module-level `import_module(f"{__package__}.sub.{name}")`
    every module of `sub/`, where a sibling counts only for what some module on its way needs on import);
    a module inside a package whose `__init__.py` loads the library other than through it (that
    file runs first); names used by a function the module calls on import
    (`main()` under `if __name__ == "__main__":` included); and every name of a module-level annotation.

    ## Known limits
    Import times come from a fixed table (`min-ms` sets the threshold; numpy, ~80 ms, is below the default)
    unless `--measure-imports` is given: then each library found is imported in a subprocess
    (`python -X importtime`, with `--python` naming the service's interpreter) and the measured milliseconds
    are used; a library that does not import there keeps its typical figure. Name uses are read from calls, call arguments, decorators
    and bindings; class bases are not recorded, so names used inside a class, and unused names in a
    module that defines classes, count as needed at import time and are not reported. Unused names in
    `__init__.py` are taken as re-exports, and a name the facts never see used but that still appears in the
    code (an attribute assignment such as `pkg.mod.Cls.forward = patched`) is not called unused. A module
    nothing in the project imports (an entry point, one loaded by a path or a name the code computes
    otherwise, or dead code) is judged on its own.
    Test files are skipped.

    ## Fix safety
    Unsafe fix (codemod `lazy-import`, applied with `--unsafe-fixes`): the import moves to the top of each
    function that uses its names, and names also used in annotations are imported under
    `if TYPE_CHECKING:`. It is unsafe because moving an import changes when import errors and import side
    effects happen. Imports whose names are used nowhere get no fix.
    """

    id = "heavy-import-at-module-level"
    category = Category.HEAVY_IMPORT
    languages = ("python",)
    severity = Severity.WARNING
    options = {"min-ms": 150, "include-tests": False}

    def check_project(self, project: Project) -> Iterable[Finding]:
        imports = _ImportSites(project)
        for module, ctx in self.checked_modules(project):
            needed = imports.needed(module.path)
            for imp, loaded in imports.eager(module.path):
                saved = {
                    key: chain for key, chain in loaded.items()
                    if key not in needed and not imports.importers_load(module.path, key)
                    and not imports.inits_load(module.path, key)
                }
                total = sum(_cost(project, key) for key in saved)
                if saved and total >= ctx.options["min-ms"] and not imports.unrecorded_use(module, imp):
                    yield self._finding(module, imp, saved, total, imports.uses(module.path), ctx, project.import_ms)

    def _finding(
        self, module: ModuleFacts, imp: Import, saved: _Loads, total: int, uses: NameUses, ctx: FileContext,
        measured: dict[str, int],
    ) -> Finding:
        libraries = ", ".join(
            f"{key} ({measured[key]} ms measured)" if key in measured else f"{key} (~{python_import_ms(key)[1]} ms)"
            for key in sorted(saved)
        )
        functions = sorted({f for name in imp.names for f in uses.functions.get(name.local, ())})
        names = ", ".join(f"`{name.local}`" for name in imp.names)
        direct = all(len(chain) == 1 and chain[0].path == module.path for chain in saved.values())
        through = "" if direct else f" through `{'.' * imp.level}{imp.source}`"
        if functions:
            where = ", ".join(f"`{f}`" for f in functions[:3]) + (" and others" if len(functions) > 3 else "")
            verb = "are" if len(imp.names) > 1 else "is"
            advice = f"{names} {verb} only used inside {where}; import it there so the cost is paid on first use"
        else:
            advice = f"no use of {names} was found; remove the import, or import it where it is used"
        in_all = f", ~{total} ms in all" if len(saved) > 1 else ""
        message = f"Importing this module loads {libraries}{through}{in_all}; {advice}."
        # the chains share their first steps when one project module loads several libraries
        related = () if direct else tuple(dict.fromkeys(r for chain in saved.values() for r in chain))
        finding = self.finding(module, imp.span, message, ctx=ctx, related=related, weight=total / 100, estimated_ms=total)
        return finding.with_(fix=_LAZY_IMPORT) if functions else finding


def _cost(project: Project, key: str) -> int:
    """Milliseconds to import library ``key``: measured with ``--measure-imports``, else the typical figure."""
    measured = project.import_ms.get(key)
    return measured if measured is not None else python_import_ms(key)[1]


def _is_eager(imp: Import) -> bool:
    return imp.kind == "python" and imp.function is None and not imp.type_only


class _ImportSites:
    """Per module: its eager imports with what each loads, the libraries it needs on import, and who imports it."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.by_name = LoadedByName(project)
        self.loads = _EagerLoads(project, self.by_name)
        self._uses: dict[str, NameUses] = {}
        self._eager: dict[str, list[tuple[Import, _Loads, str | None]]] = {}
        self.importers: dict[str, list[tuple[str, Import]]] = {}
        self._covered: dict[tuple[str, str], bool] = {}
        self._needed: dict[tuple[str, str | None], set[str]] = {}
        for path, module in project.modules.items():
            for imp in module.imports if module.language == "python" else ():
                target = project.graph.resolve_module(path, imp) if imp.kind == "python" else None
                if target is not None and target != path and not imp.type_only and not _is_test(project, path):
                    # importing `pkg.sub.mod` runs `pkg/__init__.py` and `pkg/sub/__init__.py` first, and
                    # `from pkg import a, b` imports `pkg/a.py` and `pkg/b.py`
                    submodules = _imported_submodules(project, path, imp)
                    for module_path in (target, *_package_inits(target, project.modules), *submodules):
                        if module_path != path:
                            self.importers.setdefault(module_path, []).append((path, imp))
            # a star import of a package with a computed `__all__`, or an `import_module` loop, loads each module
            for submodule, imp in () if _is_test(project, path) else self.by_name.of_module(path):
                self.importers.setdefault(submodule, []).append((path, imp))

    def uses(self, path: str) -> NameUses:
        if path not in self._uses:
            self._uses[path] = NameUses(self.project.modules[path])
        return self._uses[path]

    def eager(self, path: str) -> list[tuple[Import, _Loads]]:
        return [(imp, loaded) for imp, loaded, _ in self._eager_with_targets(path)]

    def needed(self, path: str, besides: str | None = None) -> set[str]:
        """Heavy libraries ``path`` loads for names it needs on import, not counting its imports of ``besides``."""
        if (path, besides) not in self._needed:
            uses = self.uses(path)
            needed: set[str] = set()
            self._needed[(path, besides)] = needed  # provisional, for import cycles
            for imp, loaded, target in self._eager_with_targets(path):
                if (besides is None or target != besides) and any(uses.needed_on_import(n.local) for n in imp.names):
                    needed.update(loaded)
            # modules loaded by name count only for what they load because some module on the way needs it on
            # import: otherwise deferring it in each of them would still save the cost
            for submodule, _ in self.by_name.of_module(path):
                needed.update(
                    key for key, chain in self.loads.of_module(submodule).items()
                    if submodule != besides and all(r.path != besides for r in chain)
                    and any(key in self.needed(r.path) for r in chain if r.path != path)
                )
        return self._needed[(path, besides)]

    def unrecorded_use(self, module: ModuleFacts, imp: Import) -> bool:
        """Whether names the facts never saw used still occur in the code: an assignment to an attribute
        (`pkg.mod.Cls.forward = patched`), `del`, `global` and the like record no use. Read only for the rare
        "no use" finding, whose advice (remove the import) would break such a module."""
        uses = self.uses(module.path)
        unseen = [name.local for name in imp.names if name.local not in uses.seen]
        if len(unseen) < len(imp.names):
            return False
        raw = self.project.source(module.path)
        if raw is None:
            return True
        source = raw.decode("utf-8", errors="replace")
        import_lines = {n for i in module.imports for n in range(i.span.line, (i.span.end_line or i.span.line) + 1)}
        code = [
            line.split("#", 1)[0] for number, line in enumerate(source.splitlines(), 1) if number not in import_lines
        ]
        names = "|".join(re.escape(name) for name in unseen)
        return re.search(rf"(?<![\w.])(?:{names})\b", "\n".join(code)) is not None

    def importers_load(self, path: str, key: str) -> bool:
        """Whether every project module importing ``path`` loads ``key`` anyway, or imports ``path`` only inside
        functions: deferring ``key`` in ``path`` then saves nothing. False for a module nothing imports (an
        entry point, or one loaded by name). An importer met again is an import cycle, which is only entered
        through its other importers: it counts as loading ``key`` until they decide."""
        if (path, key) in self._covered:
            return self._covered[(path, key)]
        importers = self.importers.get(path)
        self._covered[(path, key)] = True  # provisional, for the cycles below
        covered = bool(importers) and all(
            imp.function is not None or key in self.needed(importer, besides=path) or self.importers_load(importer, key)
            for importer, imp in importers
        )
        self._covered[(path, key)] = covered
        return covered

    def inits_load(self, path: str, key: str) -> bool:
        """Whether the `__init__.py` of a package enclosing ``path`` loads ``key`` other than through ``path``:
        importing ``path`` runs that file first, so deferring ``key`` here saves nothing."""
        for init in _package_inits(path, self.project.modules):
            chain = self.loads.of_module(init).get(key)
            if chain is not None and all(r.path != path for r in chain) and self._loaded_on_import(key, chain):
                return True
        return False

    def _loaded_on_import(self, key: str, chain: tuple[Related, ...]) -> bool:
        """A chain through a module loaded by name counts only when some module on it needs ``key`` on import:
        otherwise each sibling defers it and all of them together save it."""
        by_name = any(
            any(sub == step.path for sub, _ in self.by_name.of_module(r.path)) for r, step in zip(chain, chain[1:])
        )
        return not by_name or any(key in self.needed(r.path) for r in chain)

    def _eager_with_targets(self, path: str) -> list[tuple[Import, _Loads, str | None]]:
        if path not in self._eager:
            module = self.project.modules[path]
            self._eager[path] = [
                (imp, self.loads.of_import(path, imp), self.project.graph.resolve_module(path, imp))
                for imp in module.imports if _is_eager(imp)
            ]
        return self._eager[path]


class _EagerLoads:
    """Which heavy libraries importing a module loads, following the project's own module-level imports
    breadth first, so each library comes with its shortest chain and import cycles simply end."""

    def __init__(self, project: Project, by_name: LoadedByName) -> None:
        self.project = project
        self.by_name = by_name
        self.memo: dict[str, _Loads] = {}

    def of_import(self, path: str, imp: Import) -> _Loads:
        target = self.project.graph.resolve_module(path, imp)
        if target is None:
            return _direct(path, imp)
        if target == path:
            return {}
        # a chain that comes back to the importing module (an import cycle) loads nothing new for it
        return {key: chain for key, chain in self.of_module(target).items() if all(r.path != path for r in chain)}

    def of_module(self, start: str) -> _Loads:
        if start in self.memo:
            return self.memo[start]
        loads: _Loads = {}
        queue: deque[tuple[str, tuple[Related, ...]]] = deque([(start, ())])
        seen = {start}
        while queue:
            path, chain = queue.popleft()
            module = self.project.modules.get(path)
            for imp in module.imports if module and module.language == "python" else ():
                if not _is_eager(imp):
                    continue
                target = self.project.graph.resolve_module(path, imp)
                if target is None:
                    for key, heavy in _direct(path, imp).items():
                        loads.setdefault(key, chain + heavy)
                elif target not in seen:
                    seen.add(target)
                    step = Related(path, imp.span.line, f"imports `{'.' * imp.level}{imp.source}` at module level")
                    queue.append((target, (*chain, step)))
            for target, imp in self.by_name.of_module(path) if module else ():
                if target not in seen:
                    seen.add(target)
                    queue.append((target, (*chain, Related(path, imp.span.line, f"imports `{target}` by name"))))
        self.memo[start] = loads
        return loads


def _direct(path: str, imp: Import) -> _Loads:
    """The heavy library an import of an external module loads itself, if it is in the table."""
    found = python_import_ms(imp.source, tuple(n.imported for n in imp.names)) if imp.level == 0 else None
    if found is None:
        return {}
    return {found[0]: (Related(path, imp.span.line, f"imports `{found[0]}` at module level"),)}


def _is_test(project: Project, path: str) -> bool:
    """Test modules pay for what they exercise; they do not decide what the application's imports cost."""
    file = project.files.get(path)
    return file is not None and file.is_test


def _imported_submodules(project: Project, path: str, imp: Import) -> list[str]:
    """Every analysed module `from pkg import a, b` loads: the graph resolves an import to its first only."""
    return [module for module in project.graph.resolver.targets(path, imp) if module in project.modules]


def _package_inits(path: str, modules: dict[str, ModuleFacts]) -> list[str]:
    """The analysed `__init__.py` of each package enclosing module ``path``."""
    parts = path.split("/")[:-1]
    inits = (f"{'/'.join(parts[:n])}/__init__.py" for n in range(len(parts), 0, -1))
    return [init for init in inits if init in modules and init != path]
