"""Build a code graph from real source snippets (parsed by the front-ends), for the route and client tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

from analyzers import javascript, python
from analyzers.facts import ModuleFacts
from optimizer.graph import CodeGraph, ProjectFiles


def parse(path: str, source: str) -> ModuleFacts:
    text = textwrap.dedent(source).lstrip("\n").encode()
    if path.endswith(".py"):
        return python.parse(path, text)
    return javascript.parse(path, text, "tsx" if path.endswith(".tsx") else "typescript")


def project(files: dict[str, str]) -> CodeGraph:
    modules = {path: parse(path, source) for path, source in files.items()}
    return CodeGraph.build(modules, ProjectFiles(Path("/project"), set(modules), {}))


def route_set(graph: CodeGraph) -> set[tuple[str, str]]:
    return {(r.method, r.path_pattern) for r in graph.routes}


def handlers(graph: CodeGraph) -> dict[tuple[str, str], str | None]:
    return {(r.method, r.path_pattern): r.handler_node for r in graph.routes}


def requested(graph: CodeGraph) -> dict[tuple[str, int], str | None]:
    """(path, line) of each client call -> the node of the route it requests."""
    return {(c.path, c.line): c.route.node if c.route else None for c in graph.client_calls}


def line_of(source: str, needle: str) -> int:
    """The line of the first occurrence of ``needle`` in a snippet, as ``parse`` numbers it."""
    text = textwrap.dedent(source).lstrip("\n")
    return text[: text.index(needle)].count("\n") + 1
