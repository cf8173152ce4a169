"""Inline suppressions: ``perfrewrite: ignore[rule-id, ...]`` comments, on the finding's line or the line above."""

from __future__ import annotations

import re
from collections.abc import Iterable

from optimizer.findings import Finding

_IGNORE = re.compile(rb"perfrewrite:\s*ignore\[([A-Za-z0-9_\-, ]+)\]")


def scan_suppressions(source: bytes) -> dict[int, tuple[str, ...]]:
    """Map 1-based line numbers to the rule ids a suppression comment on that line names."""
    found: dict[int, tuple[str, ...]] = {}
    if b"perfrewrite:" not in source:
        return found
    for match in _IGNORE.finditer(source):
        line = source.count(b"\n", 0, match.start()) + 1
        rules = tuple(r.strip() for r in match.group(1).decode().split(",") if r.strip())
        found[line] = found.get(line, ()) + rules
    return found


def is_suppressed(finding: Finding, suppressions: dict[int, tuple[str, ...]]) -> bool:
    line = finding.location.line
    return any(finding.rule in suppressions.get(n, ()) for n in (line, line - 1))


def apply_suppressions(
    findings: Iterable[Finding], suppressions_by_path: dict[str, dict[int, tuple[str, ...]]]
) -> tuple[list[Finding], list[tuple[str, int, str]]]:
    """Drop suppressed findings; return the rest and the unused suppressions as (path, line, rule)."""
    kept: list[Finding] = []
    used: set[tuple[str, int, str]] = set()
    for finding in findings:
        marks = suppressions_by_path.get(finding.path, {})
        hit = next(
            (n for n in (finding.line, finding.line - 1) if finding.rule in marks.get(n, ())),
            None,
        )
        if hit is None:
            kept.append(finding)
        else:
            used.add((finding.path, hit, finding.rule))
    unused = [
        (path, line, rule)
        for path, marks in suppressions_by_path.items()
        for line, rules in marks.items()
        for rule in rules
        if (path, line, rule) not in used
    ]
    return kept, sorted(unused)
