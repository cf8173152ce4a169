"""Helpers for the serving rules (blocking calls, model loading): what an imported name really is, and
whether a function caches its result."""

from __future__ import annotations

import re

from analyzers.facts import Call, Function, ModuleFacts

# `functools.cache`, `lru_cache(maxsize=4)`, `@cache`, `cached(...)` from cachetools
_CACHE_DECORATOR = re.compile(r"^(?:functools\.)?(?:lru_cache|cache|cached)\b|^cachetools\.cached\b")


def import_prefixes(module: ModuleFacts, function: str | None) -> dict[str, str]:
    """Local name -> the dotted name it stands for, for the imports visible in ``function``:
    `import numpy as np` -> np: numpy; `from time import sleep` -> sleep: time.sleep;
    `const fs = require('node:fs')` -> fs: fs; `import { readFileSync } from 'fs'` -> readFileSync: fs.readFileSync.

    Rules ask once per call: the answer is kept on the module, one per function (as ``ModuleFacts.function``
    keeps its index)."""
    kept = module.__dict__.setdefault("_import_prefixes", {})
    found = kept.get(function)
    if found is None:
        found = kept[function] = _import_prefixes(module, function)
    return found


def _import_prefixes(module: ModuleFacts, function: str | None) -> dict[str, str]:
    prefixes: dict[str, str] = {}
    for imp in module.imports:
        if imp.function is not None and imp.function != function:
            continue
        source = imp.source.removeprefix("node:")
        for name in imp.names:
            if imp.kind == "python" and name.imported == imp.source:
                # `import a.b` binds `a` (to the package), `import a.b as c` binds `c` to `a.b`
                prefixes[name.local] = name.local if name.local == source.partition(".")[0] else source
            elif name.imported in ("default", "*"):
                prefixes[name.local] = source
            else:
                prefixes[name.local] = f"{source}.{name.imported}" if source else name.imported
    return prefixes


def qualified_name(call: Call, prefixes: dict[str, str]) -> str | None:
    """The call's dotted name with its head replaced by what the import binds, or None when the head is no import."""
    if not call.chain or "?" in call.chain or any(part.endswith("()") for part in call.chain):
        return None
    head = prefixes.get(call.chain[0])
    return ".".join((head, *call.chain[1:])) if head else None


def is_cached(fn: Function | None) -> bool:
    """True for a function whose result is memoised by a decorator, so its body runs once per argument set."""
    return fn is not None and any(_CACHE_DECORATOR.match(d.lstrip("@")) for d in fn.decorators)
