"""Ranking: estimated impact of each finding, and the short list that makes up most of it.

impact = severity weight x the detector's static weight (queries per request, loop nesting, ...)
x a component weight; the scores are then normalised so that all impacts of a run add up to 1.
"""

from __future__ import annotations

from collections.abc import Mapping

from optimizer.findings import Finding, Severity

_SEVERITY_WEIGHT = {Severity.INFO: 1.0, Severity.WARNING: 3.0, Severity.ERROR: 9.0}
# Request-serving tiers cost every user; a frontend finding costs one browser.
_COMPONENT_WEIGHT = {"backend": 1.0, "ml": 1.0, "frontend": 0.6, "other": 0.5}


def rank(findings: list[Finding], component_weights: Mapping[str, float] | None = None) -> list[Finding]:
    """Findings with ``impact`` filled in, in report order (path, line, rule)."""
    weights = {**_COMPONENT_WEIGHT, **(component_weights or {})}
    scores = [
        _SEVERITY_WEIGHT[f.severity] * max(f.weight, 0.0) * weights.get(f.component or "other", 0.5) for f in findings
    ]
    total = sum(scores) or 1.0
    ranked = [f.with_(impact=round(score / total, 4)) for f, score in zip(findings, scores)]
    return sorted(ranked, key=Finding.sort_key)


def top_findings(findings: list[Finding], share: float = 0.8, limit: int = 10) -> list[Finding]:
    """The highest-impact findings that together make up ``share`` of the estimated impact."""
    chosen: list[Finding] = []
    covered = 0.0
    for finding in sorted(findings, key=lambda f: (-f.impact, f.sort_key())):
        if covered >= share or len(chosen) >= limit:
            break
        chosen.append(finding)
        covered += finding.impact
    return chosen
