"""HTTP routes: what the framework passes declare (routes on app and router objects, routers mounted under
prefixes), composed into full paths, and an index that finds the route a client URL requests."""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from optimizer.urls import REST, WILD, UrlPattern, join_paths, match_score, route_segments

# An app or router object: the module, scope and name of the binding that holds it.
RouterKey = tuple[str, str | None, str]
ANY_METHOD = "ALL"
_MAX_PREFIXES = 8  # mount paths kept per router: a router mounted in many places is rare, a cycle is not


@dataclass(frozen=True, slots=True)
class Route:
    """One route. ``path_pattern`` is the full path as declared (``/api/projects/:id``); ``anchored`` is False
    when the router's mount point is unknown, so the path is only the tail of the real one. ``method`` is upper
    case, ``ALL`` for Express ``all``. ``line`` is the route call's (Express) or the handler's (FastAPI).
    ``node`` is the graph node id."""

    method: str
    path_pattern: str
    handler_node: str | None
    module_path: str
    line: int
    framework: str
    anchored: bool = True
    segments: tuple[str, ...] = ()
    node: str = ""


@dataclass(frozen=True, slots=True)
class LocalRoute:
    """A route as one call or decorator declares it, relative to its router."""

    router: RouterKey
    method: str
    path: str
    handler_node: str | None
    module_path: str
    line: int
    framework: str


@dataclass
class Declarations:
    """Everything the framework passes found; ``compose`` turns it into routes with full paths."""

    roots: set[RouterKey] = field(default_factory=set)  # apps: their routes sit at ``/``
    own_prefix: dict[RouterKey, str] = field(default_factory=dict)  # ``APIRouter(prefix=...)``
    mounts: list[tuple[RouterKey, str, RouterKey]] = field(default_factory=list)  # parent, prefix, child
    routes: list[LocalRoute] = field(default_factory=list)
    # routes whose full path needs no router composition (file routes, RPC procedures)
    complete: list[Route] = field(default_factory=list)

    def compose(self) -> list[Route]:
        mount_paths = self._mount_paths()
        composed: dict[tuple, Route] = {}
        for local in self.routes:
            own = self.own_prefix.get(local.router, "")
            paths = mount_paths.get(local.router)
            bases = [(join_paths(p, own), True) for p in paths] if paths else [(own, False)]
            for base, anchored in bases:
                path = join_paths(base, local.path)
                route = Route(
                    local.method,
                    path,
                    local.handler_node,
                    local.module_path,
                    local.line,
                    local.framework,
                    anchored,
                    route_segments(path),
                )
                composed.setdefault((route.method, path, anchored, route.module_path, route.line), route)
        for route in self.complete:
            composed.setdefault((route.method, route.path_pattern, True, route.module_path, route.line), route)
        return _with_nodes(sorted(composed.values(), key=lambda r: (r.path_pattern, r.method, r.module_path, r.line)))

    def _mount_paths(self) -> dict[RouterKey, set[str]]:
        """Every path each router is mounted at, following mounts down from the apps that nothing mounts."""
        children = defaultdict(list)
        mounted = set()
        for parent, prefix, child in self.mounts:
            children[parent].append((prefix, child))
            mounted.add(child)
        paths: dict[RouterKey, set[str]] = defaultdict(set)
        queue = deque((root, "/") for root in sorted(self.roots - mounted, key=str))
        for root, path in queue:
            paths[root].add(path)
        while queue:
            key, path = queue.popleft()
            full = join_paths(path, self.own_prefix.get(key, ""))
            for prefix, child in children.get(key, ()):
                child_path = join_paths(full, prefix)
                if child_path not in paths[child] and len(paths[child]) < _MAX_PREFIXES:
                    paths[child].add(child_path)
                    queue.append((child, child_path))
        return paths


class RouteIndex:
    """Routes indexed by their first literal segment (for anchored client URLs) and their last (for URLs whose
    base is unknown), so a lookup compares a handful of routes rather than all of them."""

    def __init__(self, routes: list[Route]) -> None:
        self.routes = routes
        self._first: dict[str, list[Route]] = defaultdict(list)
        self._last: dict[str, list[Route]] = defaultdict(list)
        self._first_open: list[Route] = []  # anchored routes starting with a parameter (or the root)
        self._last_open: list[Route] = []
        for route in routes:
            segments = route.segments
            if route.anchored:
                first = segments[0] if segments else WILD
                (self._first_open if first in (WILD, REST) else self._first[first]).append(route)
            last = segments[-1] if segments else WILD
            (self._last_open if last in (WILD, REST) else self._last[last]).append(route)

    def match(self, url: UrlPattern, method: str | None) -> Route | None:
        """The one route ``url`` requests with ``method`` (None: unknown), or None when no route or more than
        one fits equally well."""
        best: list[Route] = []
        best_key = (-1, False)
        for route in self._candidates(url):
            if method is not None and route.method not in (method, ANY_METHOD):
                continue
            score = match_score(url, route.segments, route.anchored)
            if score is None:
                continue
            key = (score, url.anchored and route.anchored)
            if key > best_key:
                best, best_key = [route], key
            elif key == best_key:
                best.append(route)
        return best[0] if len(best) == 1 else None

    def _candidates(self, url: UrlPattern) -> Iterable[Route]:
        segments = url.segments
        found: dict[int, Route] = {}
        if url.anchored:
            first = segments[0] if segments else None
            if first is None or WILD in first:
                pool: Iterable[Route] = (r for r in self.routes if r.anchored)
            else:
                pool = (*self._first.get(first, ()), *self._first_open)
            found.update((id(r), r) for r in pool)
        last = segments[-1] if segments else None
        if last is None or WILD in last:
            pool = (r for r in self.routes if not (url.anchored and r.anchored))
        else:
            pool = (r for r in (*self._last.get(last, ()), *self._last_open) if not (url.anchored and r.anchored))
        found.update((id(r), r) for r in pool)
        return found.values()


def _with_nodes(routes: list[Route]) -> list[Route]:
    """Give each route its node id, ``route:GET /api/projects/:id``; two services that both declare
    ``GET /health`` get the declaring module and line appended."""
    base = [f"route:{r.method} {'' if r.anchored else '…'}{r.path_pattern}" for r in routes]
    counts = Counter(base)
    return [
        replace(r, node=node if counts[node] == 1 else f"{node} @{r.module_path}:{r.line}")
        for r, node in zip(routes, base)
    ]
