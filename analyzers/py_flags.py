"""Python front-end, the `if` tests that read only a debug, tracing or feature flag (`if is_tracing_enabled():`,
`if settings.DEBUG:`, `if os.getenv("TRACE"):`): their bodies are code that most deployments never run on a
request."""

from __future__ import annotations

import ast
import re

# `is_promptrace_enabled()`, `tracing_enabled`, `DEBUG`, `settings.debug_mode`, `verbose`
_FLAG_NAME = re.compile(r"(?i)^(?:is_\w*enabled\w*|\w*_enabled|(?:\w+_)?debug(?:_\w+)?|verbose)$")
# reads of an environment variable
_ENV_READS = frozenset({"os.getenv", "getenv", "os.environ.get", "environ.get"})


def reads_flag(test: ast.expr) -> bool:
    """Every operand of an `and`/`or`/`not` test is a flag read; a test that also checks request data
    (`if user.is_admin and DEBUG`) is not a flag gate."""
    if isinstance(test, ast.BoolOp):
        return all(reads_flag(value) for value in test.values)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return reads_flag(test.operand)
    if isinstance(test, ast.Compare):
        return reads_flag(test.left)
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
