"""How much a router's route page adds to the first bundle: the code and packages it loads that the router and
its index pages do not load anyway.

A page that only composes modules the first screen already imports costs its own few lines; making it lazy
then saves almost nothing and adds a loading step.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from analyzers.facts import Import, ModuleFacts

if TYPE_CHECKING:
    from optimizer.api import Project

# styles, images and data a bundler loads as assets; they are no module the analysis sees
_ASSETS = (".css", ".scss", ".sass", ".less", ".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".json", ".woff2")
# below this size the first bundle is no real app (and small examples keep their findings)
MIN_FIRST_BUNDLE_LINES = 2000
# a lazy page that would shrink the first bundle by less than this share is not worth a loading step
MIN_SHARE = 0.01


@dataclass(frozen=True)
class _Reach:
    modules: frozenset[str]
    packages: frozenset[str]
    complete: bool  # every import resolved to an analysed module or a package


class FirstBundle:
    """The modules and packages a router loads without its non-index route pages."""

    def __init__(self, project: Project, router: ModuleFacts, page_imports: list[Import]) -> None:
        self.project = project
        self.router = router
        skip = {id(imp) for imp in page_imports}
        self.base = _reach(project, [router.path], skip_in=(router.path, skip))
        self.lines = _lines(project, self.base.modules)

    def page_adds_little(self, page_import: Import) -> bool:
        """True when the first bundle is large and the page ``page_import`` loads adds less than ``MIN_SHARE`` of
        its lines and no package it does not load already."""
        if not self.base.complete or self.lines < MIN_FIRST_BUNDLE_LINES:
            return False
        start = self.project.graph.resolve_module(self.router.path, page_import)
        if start is None:
            return False
        page = _reach(self.project, [start], stop=self.base.modules)
        added = _lines(self.project, page.modules)
        return page.complete and not (page.packages - self.base.packages) and added < MIN_SHARE * self.lines


def _reach(
    project: Project, starts: list[str], stop: frozenset[str] = frozenset(),
    skip_in: tuple[str, set[int]] | None = None,
) -> _Reach:
    """Modules and packages loaded statically from ``starts``, not entering ``stop``; ``skip_in`` leaves out
    some imports of one module (the pages being judged)."""
    graph = project.graph
    seen = {s for s in starts if s not in stop}
    queue = deque(seen)
    packages: set[str] = set()
    complete = True
    while queue:
        path = queue.popleft()
        module = project.modules.get(path)
        if module is None:
            complete = False
            continue
        for imp in module.imports:
            if imp.kind not in ("esm", "require") or imp.type_only or imp.function is not None:
                continue
            if skip_in is not None and path == skip_in[0] and id(imp) in skip_in[1]:
                continue
            target = graph.resolve_module(path, imp)
            if target is None:
                if not imp.source.split("?", 1)[0].lower().endswith(_ASSETS):
                    package = graph.resolver.package_name(path, imp)
                    complete = complete and package is not None
                    packages.update([package] if package else [])
            elif target not in seen and target not in stop:
                seen.add(target)
                queue.append(target)
    return _Reach(frozenset(seen), frozenset(packages), complete)


def _lines(project: Project, paths: frozenset[str]) -> int:
    return sum(project.modules[p].lines for p in paths if p in project.modules)
