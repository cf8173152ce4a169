"""Python calls that run only behind a debug, tracing or feature flag (`if is_tracing_enabled():`,
`if settings.DEBUG:`, `if os.getenv("TRACE"):`): code that most deployments never run on a request."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

# `is_promptrace_enabled()`, `tracing_enabled`, `DEBUG`, `settings.debug_mode`, `verbose`
_FLAG_NAME = re.compile(r"(?i)^(?:is_\w*enabled\w*|\w*_enabled|(?:\w+_)?debug(?:_\w+)?|verbose)$")
# reads of an environment variable
_ENV_READS = frozenset({"os.getenv", "getenv", "os.environ.get", "environ.get"})


class FlagGates:
    """Reads and parses each file once per run, only for the few lines a rule asks about."""

    def __init__(self, read: Callable[[str], bytes | None]) -> None:
        self.read = read
        self._gates: dict[str, list[ast.If]] = {}

    def gate(self, path: str, line: int) -> str | None:
        """The source of the test of the innermost `if` whose body holds ``line`` and whose test reads a
        flag, or None. An `else`/`elif` branch is not gated by the test."""
        if path not in self._gates:
            self._gates[path] = _flag_ifs(self.read(path))
        inside = [
            node for node in self._gates[path] if node.body[0].lineno <= line <= (node.body[-1].end_lineno or 0)
        ]
        return ast.unparse(max(inside, key=lambda node: node.lineno).test) if inside else None


def _flag_ifs(source: bytes | None) -> list[ast.If]:
    try:
        tree = ast.parse(source or b"")
    except (SyntaxError, ValueError):
        return []
    return [node for node in ast.walk(tree) if isinstance(node, ast.If) and node.body and _reads_flag(node.test)]


def _reads_flag(test: ast.expr) -> bool:
    """Every operand of an `and`/`or`/`not` test is a flag read; a test that also checks request data
    (`if user.is_admin and DEBUG`) is not a flag gate."""
    if isinstance(test, ast.BoolOp):
        return all(_reads_flag(value) for value in test.values)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _reads_flag(test.operand)
    if isinstance(test, ast.Compare):
        return _reads_flag(test.left)
    if isinstance(test, ast.Call):
        return _dotted(test.func) in _ENV_READS or _is_flag_name(test.func)
    if isinstance(test, ast.Subscript):
        return _dotted(test.value) in ("os.environ", "environ")
    return _is_flag_name(test)


def _is_flag_name(node: ast.expr) -> bool:
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
    return name is not None and bool(_FLAG_NAME.match(name))


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr}" if head else None
    return None
