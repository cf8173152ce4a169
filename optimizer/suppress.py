"""Inline suppressions: ``perfrewrite: ignore[rule-id, ...]`` on the finding's line, or alone on the line above."""

from __future__ import annotations

import re
from collections.abc import Iterable

from analyzers.facts import Suppression
from optimizer.findings import Finding

_IGNORE = re.compile(rb"perfrewrite:\s*ignore\[([A-Za-z0-9_\-, ]+)\]")
# What may precede the marker for the comment to stand alone on its line.
_COMMENT_OPENERS = re.compile(rb"^\s*(?://|#|/\*|\{/\*|--)?\s*$")


def scan_suppressions(source: bytes) -> dict[int, Suppression]:
    """Map the 1-based line of each suppression comment to the rules it names."""
    found: dict[int, Suppression] = {}
    if b"perfrewrite:" not in source:
        return found
    for match in _IGNORE.finditer(source):
        line_start = source.rfind(b"\n", 0, match.start()) + 1
        line = source.count(b"\n", 0, match.start()) + 1
        rules = tuple(r.strip() for r in match.group(1).decode().split(",") if r.strip())
        own_line = bool(_COMMENT_OPENERS.match(source[line_start : match.start()]))
        previous = found.get(line)
        found[line] = Suppression((previous.rules if previous else ()) + rules, own_line)
    return found


def _covering_line(finding: Finding, marks: dict[int, Suppression]) -> int | None:
    here = marks.get(finding.line)
    if here and finding.rule in here.rules:
        return finding.line
    above = marks.get(finding.line - 1)
    if above and above.own_line and finding.rule in above.rules:
        return finding.line - 1
    return None


def apply_suppressions(
    findings: Iterable[Finding], suppressions_by_path: dict[str, dict[int, Suppression]]
) -> tuple[list[Finding], list[tuple[str, int, str]]]:
    """Drop suppressed findings; return the rest and the unused suppressions as (path, line, rule)."""
    kept: list[Finding] = []
    used: set[tuple[str, int, str]] = set()
    for finding in findings:
        hit = _covering_line(finding, suppressions_by_path.get(finding.path, {}))
        if hit is None:
            kept.append(finding)
        else:
            used.add((finding.path, hit, finding.rule))
    unused = [
        (path, line, rule)
        for path, marks in suppressions_by_path.items()
        for line, mark in marks.items()
        for rule in mark.rules
        if (path, line, rule) not in used
    ]
    return kept, sorted(unused)
