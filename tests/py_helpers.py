"""Parse Python snippets with the front-end, for the front-end's tests."""

from __future__ import annotations

import textwrap

from analyzers.facts import ModuleFacts
from analyzers.python import parse


def facts(source: str) -> ModuleFacts:
    result = parse("mod.py", textwrap.dedent(source).encode())
    assert result.errors == []
    return result


def call(module: ModuleFacts, callee: str):
    [found] = [c for c in module.calls if c.callee == callee]
    return found


def fn(module: ModuleFacts, qualname: str):
    found = module.function(qualname)
    assert found is not None, [f.qualname for f in module.functions]
    return found
