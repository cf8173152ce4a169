"""Python pieces shared by the corpus templates: module names, import rendering, size control and
general utility functions."""

from __future__ import annotations

import posixpath

from corpus_base import ADJECTIVES, MAX_LINES, NOUNS, VERBS, Entity, FileContext, fill, line_count, pascal, snake


def module_name(path: str) -> str:
    """Dotted module of a file below ml-service/: ml-service/app/db/base.py -> app.db.base."""
    dotted = path.split("/", 1)[1].removesuffix(".py").replace("/", ".")
    return dotted.removesuffix(".__init__")


def _from(ctx: FileContext, target: str) -> str:
    """``from X`` part importing ``target`` from ctx's module: absolute, or relative within the package."""
    if ctx.rng.random() < 0.4 and ctx.module.path.split("/")[1] != "tests":
        here = posixpath.dirname(ctx.module.path).split("/")[1:]
        there = target.split(".")
        common = 0
        while common < min(len(here), len(there) - 1) and here[common] == there[common]:
            common += 1
        if common:
            return "." * (len(here) - common + 1) + ".".join(there[common:])
    return target


def render_imports(ctx: FileContext, body: str) -> str:
    """Import block for ``body``: standard library, third-party and project imports, then module globals."""
    merged: dict[str, set[str]] = {}
    plain = set()
    for line in ctx.stdlib:
        if line.startswith("from "):
            module, names = line[5:].split(" import ")
            merged.setdefault(module, set()).update(names.split(", "))
        else:
            plain.add(line)
    stdlib = sorted(plain) + [f"from {m} import {', '.join(sorted(n))}" for m, n in sorted(merged.items())]
    third = sorted(f"from {pkg} import {', '.join(sorted(names))}" for pkg, names in ctx.external.items() if pkg != "import")
    third = sorted(f"import {name}" for name in ctx.external.get("import", ())) + third
    local = sorted(
        (f"from {_from(ctx, module_name(target))} import {', '.join(sorted(names))}" for target, names in ctx.imports.items()),
        key=lambda line: (line.startswith("from ."), line),
    )
    globals_ = []
    if any("TypeVar" in line for line in stdlib):
        globals_.append('T = TypeVar("T")')
    if "import logging" in stdlib:
        globals_.append("logger = logging.getLogger(__name__)")
    sections = [["from __future__ import annotations"], stdlib, third, local, globals_]
    return "\n\n".join("\n".join(section) for section in sections if section) + "\n\n\n" + body


def grow_py(ctx: FileContext, parts: list[str], blocks: list) -> str:
    total = sum(line_count(p) + 2 for p in parts)
    while total < ctx.module.target:
        block = ctx.rng.choice(blocks)(ctx)
        if total + line_count(block) > MAX_LINES - 25:  # leave room for the import block
            break
        parts.append(block)
        total += line_count(block) + 2
    return "\n\n".join(p.rstrip("\n") + "\n" for p in parts)


def _use_module(ctx: FileContext, kind: str, entity: Entity | None = None, index: int = 0) -> str | None:
    for m in ctx.plan.of(kind):
        if m.path.startswith("ml-service/") and (entity is None or m.entity == entity) and m.path != ctx.module.path:
            name = m.exports[index]
            ctx.imports.setdefault(m.path, set()).add(name)
            return name
    return None


UTIL_BLOCKS = {
    "group": """def «name»(items: Iterable[dict], key: str) -> dict[object, list[dict]]:
    groups: dict[object, list[dict]] = defaultdict(list)
    for item in items:
        groups[item.get(key)].append(item)
    return dict(groups)
""",
    "chunks": """def «name»(items: Sequence[T], size: int = «size») -> Iterator[Sequence[T]]:
    if size <= 0:
        raise ValueError("size must be positive")
    for start in range(0, len(items), size):
        yield items[start : start + size]
""",
    "retry": """def «name»(attempts: int = «n», delay: float = «delay»):
    def decorate(fn: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs) -> T:
            for attempt in range(attempts):
                try:
                    return fn(*args, **kwargs)
                except Exception:
                    if attempt == attempts - 1:
                        raise
                    time.sleep(delay * 2**attempt)
            raise AssertionError("unreachable")

        return wrapper

    return decorate
""",
    "timer": """@contextlib.contextmanager
def «name»(label: str, threshold: float = «delay»):
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        if elapsed > threshold:
            logger.warning("%s took %.3fs", label, elapsed)
""",
    "slug": """_«name»_pattern = re.compile(r"[^a-z0-9]+")


def «name»(value: str, limit: int = «size») -> str:
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return _«name»_pattern.sub("-", value.lower()).strip("-")[:limit]
""",
    "stats": """def «name»(values: Sequence[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {"count": 0, "mean": 0.0, "p95": 0.0}
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return {"count": len(ordered), "mean": statistics.fmean(ordered), "p95": p95}
""",
    "cached": """@functools.lru_cache(maxsize=«size»)
def «name»(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
""",
    "settings": """@dataclasses.dataclass(frozen=True)
class «Name»:
    name: str = "«noun»"
    enabled: bool = True
    batch_size: int = «size»
    timeout: float = «delay»
    tags: tuple[str, ...] = ()

    def with_tags(self, *tags: str) -> "«Name»":
        return dataclasses.replace(self, tags=(*self.tags, *tags))
""",
}


_UTIL_STDLIB = {
    "group": ["from collections import defaultdict", "from collections.abc import Iterable"],
    "chunks": ["from collections.abc import Iterator, Sequence", "from typing import TypeVar"],
    "retry": ["import functools", "import time", "from collections.abc import Callable", "from typing import TypeVar"],
    "timer": ["import contextlib", "import logging", "import time"],
    "slug": ["import re", "import unicodedata"],
    "stats": ["import statistics", "from collections.abc import Sequence"],
    "cached": ["import functools", "import json"],
    "settings": ["import dataclasses"],
}


def _util_block(ctx: FileContext, kind: str | None = None, name: str | None = None) -> str:
    kind = kind or ctx.rng.choice(list(UTIL_BLOCKS))
    ctx.stdlib.update(_UTIL_STDLIB[kind])
    if name is None:
        style = pascal if kind == "settings" else snake
        name = ctx.fresh(lambda: style(ctx.rng.choice(VERBS), ctx.rng.choice(ADJECTIVES), ctx.rng.choice(NOUNS)))
    return fill(UTIL_BLOCKS[kind], name=name, Name=name, size=ctx.rng.choice((16, 64, 128, 512)),
                n=ctx.rng.randint(2, 5), delay=ctx.rng.choice((0.1, 0.5, 1.0)), noun=ctx.rng.choice(NOUNS))


def util_module(ctx: FileContext) -> str:
    parts = [_util_block(ctx, kind, name) for kind, name in zip(("stats", "group", "chunks"), ctx.module.exports, strict=True)]
    body = grow_py(ctx, parts, [_util_block])
    return render_imports(ctx, body)
