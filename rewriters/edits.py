"""Span edits on UTF-8 source: apply in order, defer overlaps to a later pass, and render unified diffs."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence

from optimizer.findings import Edit

MAX_PASSES = 10


class NoFix(Exception):
    """A codemod cannot rewrite this file with certainty; the message says why."""


def apply_edits(source: bytes, edits: Sequence[Edit]) -> tuple[bytes, list[Edit]]:
    """Apply the edits that do not overlap an earlier one; return the new source and the deferred edits.

    Offsets are bytes of ``source``. Edits are taken in (start, end) order and an edit that starts before the
    previous one ended is deferred: its offsets refer to the old text, so it must be recomputed on the new one.
    """
    out: list[bytes] = []
    deferred: list[Edit] = []
    cursor = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.start < cursor or not 0 <= edit.start <= edit.end <= len(source):
            deferred.append(edit)
            continue
        out.append(source[cursor : edit.start])
        out.append(edit.text.encode("utf-8"))
        cursor = edit.end
    out.append(source[cursor:])
    return b"".join(out), deferred


def fixpoint(source: bytes, step: Callable[[bytes], bytes]) -> bytes:
    """Run ``step`` on its own output until it changes nothing; NoFix if it still changes after
    ``MAX_PASSES`` passes. A step that defers overlapping edits finds them again on the new text."""
    for _ in range(MAX_PASSES):
        updated = step(source)
        if updated == source:
            return source
        source = updated
    raise NoFix(f"the rewrite still changes the file after {MAX_PASSES} passes")


def unified_diff(path: str, before: str, after: str) -> str:
    """A unified diff with ``a/path`` and ``b/path`` headers, as git and patch -p1 expect; empty if equal."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{path}", f"b/{path}"
    )
    text = ""
    for line in lines:
        # a last line without a newline would otherwise run into the next header
        text += line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
    return text


# The analysis reads a few constructs the grammar rejects (type arguments on tagged templates, `&` in JSX
# text) through offset-keeping repairs; a rewrite must copy the file's real text, so it needs a clean parse.
UNREADABLE = (
    "tree-sitter cannot parse this file as written (e.g. type arguments on a tagged template), "
    "so it is not rewritten"
)

