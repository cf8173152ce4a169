"""What ``duplicate-code`` needs besides the clone search: the token syntax of each language family, the
regions a ``perfrewrite: ignore[duplicate-code]`` comment takes out, and what the copies are (exact or
renamed, whole functions, components, hooks), which decides the advice."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from analyzers import js_tokens, py_tokens
from analyzers.detectors._clones import Cluster, Copy, Syntax
from analyzers.facts import Function, ModuleFacts, Tokens


@dataclass(frozen=True)
class Family:
    """Languages whose copies are compared with each other, and how their token streams are bracketed."""

    name: str
    syntax: Syntax
    continuations: frozenset[int]  # tokens that carry a statement on past its closing bracket


@cache
def family(language: str) -> Family:
    if language == "python":
        kind = py_tokens.kind_of
        syntax = Syntax(
            openers=frozenset(map(kind, py_tokens.OPENERS)),
            closers=frozenset(map(kind, py_tokens.CLOSERS)),
            separators=frozenset(),
        )
        return Family("python", syntax, frozenset(map(kind, py_tokens.CONTINUATIONS)))
    kinds = js_tokens.kinds_of
    syntax = Syntax(
        openers=kinds(*js_tokens.OPENERS), closers=kinds(*js_tokens.CLOSERS), separators=kinds(",", ".", "?.", ":")
    )
    return Family("javascript", syntax, kinds(*js_tokens.CONTINUATIONS, ".", "?."))


def suppressed_regions(module: ModuleFacts, rule: str, family: Family) -> list[tuple[int, int, int]]:
    """Token ranges ``(start, end, comment line)`` taken out by a suppression comment alone on the line
    before a function, class or block: the whole function (decorators included) or the bracketed block."""
    tokens = module.tokens
    regions = []
    for line, mark in sorted(module.suppressions.items()):
        if not mark.own_line or rule not in mark.rules:
            continue
        function = _function_after(module.functions, line)
        if function is not None:
            start = bisect_left(tokens.lines, line + 1)
            end = bisect_right(tokens.lines, function.span.end_line)
        else:
            start, end = _block_after(tokens, line, family)
        if end > start:
            regions.append((start, end, line))
    return regions


def _function_after(functions: Sequence[Function], line: int) -> Function | None:
    """The outermost function or class that starts on the next line, or after its decorators."""
    found = [f for f in functions if line < f.span.line <= line + 1 + len(f.decorators)]
    return min(found, key=lambda f: (f.span.line, -f.span.end_line), default=None)


def _block_after(tokens: Tokens, line: int, family: Family) -> tuple[int, int]:
    """The statement starting on the next line, through its brackets and the lines they continue on."""
    lines, kinds = tokens.lines, tokens.kinds
    start = bisect_left(lines, line + 1)
    if start >= len(kinds) or lines[start] != line + 1:
        return start, start
    openers, closers = family.syntax.openers, family.syntax.closers
    depth, at = 0, start
    while at < len(kinds):
        kind = kinds[at]
        depth += kind in openers
        depth -= kind in closers
        at += 1
        if depth > 0 or at == len(kinds):
            continue
        following = kinds[at]
        same_line = lines[at] == lines[at - 1]
        if not (same_line or following in openers or following in family.continuations):
            break
    return start, at


def clone_kind(cluster: Cluster, modules: Sequence[ModuleFacts]) -> str:
    """``exact`` when the lines holding code read the same in every copy, ``renamed`` when only names and
    literals differ, ``near-miss`` when some copies match only across gaps."""
    if cluster.near_miss:
        return "near-miss"
    texts = {_code_lines(copy, modules[copy.stream].tokens) for copy in cluster.copies}
    return "exact" if len(texts) == 1 else "renamed"


def _code_lines(copy: Copy, tokens: Tokens) -> tuple[int, ...]:
    """Checksums of the lines that hold code, without the first and last: a copy may start or end mid-line."""
    numbers = sorted(set(tokens.lines[copy.start : copy.end]))[1:-1]
    return tuple(tokens.line_hashes[n - 1] for n in numbers if n - 1 < len(tokens.line_hashes))


@dataclass(frozen=True)
class Shape:
    """What one copy is: whole functions (components?), JSX, hook calls, inside which class."""

    whole_function: bool
    component: bool
    jsx: bool
    hooks: bool
    class_name: str | None


@dataclass(frozen=True)
class Outline:
    """A module's functions by start line, and the sorted lines of its JSX elements and hook calls, for many
    copies."""

    functions: list[Function]  # sorted by start line, the outer one first on a tie
    starts: list[int]  # their start lines
    jsx_lines: list[int]
    hook_lines: list[int]


def outline(module: ModuleFacts) -> Outline:
    functions = sorted(module.functions, key=lambda f: (f.span.line, -f.span.end_line))
    return Outline(
        functions=functions,
        starts=[f.span.line for f in functions],
        jsx_lines=sorted(element.span.line for element in module.jsx),
        hook_lines=sorted(call.span.line for call in module.calls if _is_hook_name(call.name)),
    )


def shape(copy: Copy, where: Outline) -> Shape:
    first, last = copy.first_line, copy.last_line
    # functions that start inside the copy, then the ones of those that also end inside it
    starting = where.functions[bisect_left(where.starts, first) : bisect_right(where.starts, last)]
    inside = [f for f in starting if f.span.end_line <= last and f.kind != "class"]
    names = {f.qualname for f in inside}
    outermost = [f for f in inside if f.parent not in names]
    covered = sum(f.span.end_line - f.span.line + 1 for f in outermost)
    classes = {f.class_name for f in outermost}
    innermost = _innermost_around(where, first, last)
    return Shape(
        whole_function=bool(outermost) and covered >= 0.8 * copy.lines,
        component=bool(outermost) and all(f.is_component for f in outermost),
        jsx=_any_between(where.jsx_lines, first, last),
        hooks=_any_between(where.hook_lines, first, last),
        # whole methods of one class, or the method the copy is part of
        class_name=next(iter(classes)) if len(classes) == 1 else innermost.class_name if innermost else None,
    )


def _innermost_around(where: Outline, first: int, last: int) -> Function | None:
    """The function that starts last at or before ``first`` and ends at or after ``last``."""
    for index in range(bisect_right(where.starts, first) - 1, -1, -1):
        function = where.functions[index]
        if function.span.end_line >= last:
            return function
    return None


def _any_between(lines: list[int], first: int, last: int) -> bool:
    return bisect_right(lines, last) > bisect_left(lines, first)


def _is_hook_name(name: str) -> bool:
    return name.startswith("use") and len(name) > 3 and name[3].isupper()


def advice(shapes: Sequence[Shape], paths: Sequence[str], components: Sequence[str], language: str, kind: str) -> str:
    """The refactoring that fits the copies: one component, a base class, one function, a custom hook, a
    component for repeated markup, or a function for repeated statements."""
    where = _where(paths, components)
    differs = {"renamed": ", passing what differs as parameters", "near-miss": ", with parameters for what differs"}
    if all(s.whole_function for s in shapes):
        if all(s.component for s in shapes):
            ending = "render it in each place" if kind == "exact" else "pass what differs as props"
            return f"keep one component{where} and {ending}"
        methods = [s.class_name for s in shapes]
        if language == "python" and all(methods) and len(set(methods)) == len(methods):
            return "move the method into a base class or mixin the classes share" + differs.get(kind, "")
        return f"keep one function{where} and call it instead of the copies" + differs.get(kind, "")
    if language != "python" and all(s.jsx for s in shapes):
        props = differs.get(kind, "").replace("parameters", "props")
        return f"extract a component{where} and render it in each place" + props
    if language != "python" and all(s.hooks for s in shapes):
        return f"extract a custom hook{where} and call it from each component" + differs.get(kind, "")
    return f"extract the repeated lines into a function{where} and call it from each place" + differs.get(kind, "")


def _where(paths: Sequence[str], components: Sequence[str]) -> str:
    if len(set(components)) > 1:
        return " in a package shared by " + " and ".join(sorted(set(components)))
    if len(set(paths)) > 1:
        return " in a shared module"
    return ""
