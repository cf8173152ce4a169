"""add-prisma-index: the `@@index([a, b])` a `missing-index` finding suggests, as a new line of the model block.

The finding is reported at the query, so its fix names the schema file (``Fix.path``) and carries the one
insertion as a span edit, computed when the finding is made from the schema text on disk.
"""

from __future__ import annotations

import re

from optimizer.findings import Edit

# `@@index([a, b])` or `@@index(fields: [a, b], ...)`: the field list is what makes two indexes the same
_INDEX = re.compile(rb"@@index\(\s*(?:fields\s*:\s*)?\[([^\]]*)\]")


def index_edit(source: bytes, line: int, fields: tuple[str, ...]) -> Edit | None:
    """The insertion of `@@index([fields])` before the closing brace of the block that opens on ``line``
    (1-based), indented like the block's first member; None when the block already has that index, or its
    brace does not sit on a line of its own (a one-line block has no indentation to follow)."""
    start = _line_start(source, line)
    opening = source.find(b"{", start)
    closing = _closing_brace(source, opening) if opening >= 0 else None
    if closing is None:
        return None
    body = source[opening + 1 : closing]
    if any(_names(match.group(1)) == fields for match in _INDEX.finditer(body)):
        return None
    brace_line = source.rfind(b"\n", 0, closing) + 1
    if source[brace_line:closing].strip():
        return None
    newline = "\r\n" if b"\r\n" in source else "\n"
    members = [m for m in body.splitlines()[1:] if m.strip() and not m.strip().startswith(b"//")]
    indent = re.match(rb"[ \t]*", members[0]).group(0).decode() if members else "  "
    return Edit(brace_line, brace_line, f"{indent}@@index([{', '.join(fields)}]){newline}")


def _line_start(source: bytes, line: int) -> int:
    offset = 0
    for _ in range(line - 1):
        offset = source.find(b"\n", offset) + 1
        if offset == 0:
            return len(source)
    return offset


def _closing_brace(source: bytes, opening: int) -> int | None:
    """The offset of the `}` that closes the block at ``opening``; comments and strings may hold braces."""
    depth = 0
    i = opening
    while i < len(source):
        char = source[i : i + 1]
        if source.startswith(b"//", i):
            newline = source.find(b"\n", i)
            i = len(source) if newline < 0 else newline
            continue
        if char == b'"':
            end = re.compile(rb'"(?:[^"\\\n]|\\.)*"').match(source, i)
            i = end.end() if end else i + 1
            continue
        if char == b"{":
            depth += 1
        elif char == b"}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def _names(listed: bytes) -> tuple[str, ...]:
    """`a, b(sort: Desc)` -> (a, b): the fields of an index, without their per-field arguments."""
    return tuple(part.split(b"(")[0].strip().decode() for part in listed.split(b",") if part.strip())
