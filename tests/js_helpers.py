"""Shared helpers for the JS/JSX/TS/TSX front-end tests: parse inline sources and pick facts out."""

from __future__ import annotations

import textwrap

from analyzers.facts import ModuleFacts
from analyzers.javascript import parse


def facts(source: str, language: str = "typescript", path: str = "m.ts") -> ModuleFacts:
    return parse(path, textwrap.dedent(source).encode(), language)


def by_callee(module: ModuleFacts, callee: str):
    found = [c for c in module.calls if c.callee == callee]
    assert len(found) == 1, [c.callee for c in module.calls]
    return found[0]


def qualnames(module: ModuleFacts) -> list[str]:
    return [f.qualname for f in module.functions]
