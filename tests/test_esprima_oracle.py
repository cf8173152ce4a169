"""esprima as an oracle: on plain ES2017 sources, the tree-sitter front-end must report the same function
spans and the same call sites as esprima's syntax tree (fixtures/frontend_oracle/*.js, ASCII only, so
esprima's 0-based character columns are byte columns)."""

from __future__ import annotations

from pathlib import Path

import esprima
import pytest

from analyzers.javascript import parse

FIXTURES = sorted((Path(__file__).resolve().parent.parent / "fixtures" / "frontend_oracle").glob("*.js"))
_FUNCTIONS = {"FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"}
_CALLS = {"CallExpression", "NewExpression", "TaggedTemplateExpression"}

Position = tuple[int, int, int, int]


def _position(node) -> Position:
    loc = node.loc
    return (loc.start.line, loc.start.column + 1, loc.end.line, loc.end.column + 1)


def _children(node):
    for key, value in vars(node).items():
        if key in ("loc", "range"):
            continue
        for child in value if isinstance(value, list) else [value]:
            if getattr(child, "type", None) and getattr(child, "loc", None):
                yield child


def esprima_positions(source: str) -> tuple[set[Position], set[Position]]:
    """(function spans, call spans) from esprima. A method's function is spanned like its definition
    (``static async name() {}``), as tree-sitter does; esprima starts it at the parameter list."""
    is_module = any(line.startswith(("import ", "export ")) for line in source.splitlines())
    tree = (esprima.parseModule if is_module else esprima.parseScript)(source, {"loc": True, "range": True})
    functions: set[Position] = set()
    calls: set[Position] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if node.type in ("MethodDefinition", "Property") and (
            getattr(node, "method", False) or node.type == "MethodDefinition" or node.kind in ("get", "set")
        ):
            functions.add(_position(node))
            stack.extend(child for child in _children(node.value))
            stack.append(node.key)
            continue
        if node.type in _FUNCTIONS:
            functions.add(_position(node))
        elif node.type in _CALLS:
            calls.add(_position(node))
        stack.extend(_children(node))
    return functions, calls


def frontend_positions(source: str) -> tuple[set[Position], set[Position]]:
    module = parse("oracle.js", source.encode(), "javascript")
    assert module.errors == []

    def position(span) -> Position:
        return (span.line, span.column, span.end_line, span.end_column)

    functions = {position(f.span) for f in module.functions if f.kind != "class"}
    calls = {position(c.span) for c in module.calls}
    return functions, calls


def _difference(expected: set[Position], actual: set[Position]) -> str:
    return f"only esprima: {sorted(expected - actual)}; only tree-sitter: {sorted(actual - expected)}"


def test_oracle_fixtures_exist_and_are_ascii():
    assert len(FIXTURES) >= 3
    for path in FIXTURES:
        path.read_bytes().decode("ascii")


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_function_spans_match_esprima(path):
    source = path.read_text()
    expected, _ = esprima_positions(source)
    actual, _ = frontend_positions(source)
    assert expected, "the oracle found no functions: the walk is broken"
    assert actual == expected, _difference(expected, actual)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_call_sites_match_esprima(path):
    source = path.read_text()
    _, expected = esprima_positions(source)
    _, actual = frontend_positions(source)
    assert expected, "the oracle found no calls: the walk is broken"
    assert actual == expected, _difference(expected, actual)


def test_oracle_comparison_can_fail():
    """A shifted span must show up as a difference (the comparison is not vacuous)."""
    source = "function f() { g(1); }\n"
    expected, expected_calls = esprima_positions(source)
    actual, actual_calls = frontend_positions(source)
    assert actual == expected == {(1, 1, 1, 23)} and actual_calls == expected_calls == {(1, 16, 1, 20)}
    shifted = {(line, column + 1, end_line, end_column) for line, column, end_line, end_column in actual}
    assert shifted != expected and "only tree-sitter" in _difference(expected, shifted)
