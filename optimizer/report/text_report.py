"""The human report: the bottleneck map first, then findings grouped by file, errors, and a summary line."""

from __future__ import annotations

from itertools import groupby

import click

from optimizer.findings import Finding, Severity
from optimizer.impact import top_findings

_SEVERITY_COLOR = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def render_text(report, *, color: bool = False, diff: str = "") -> str:
    def style(text: str, **kwargs) -> str:
        return click.style(text, **kwargs) if color else text

    out: list[str] = []
    top = top_findings(report.findings)
    if top:
        share = sum(f.impact for f in top)
        out.append(style(f"Bottleneck map: {len(top)} finding(s) make up {share:.0%} of the estimated impact", bold=True))
        for rank, finding in enumerate(top, 1):
            out.append(f"  {rank:>2}. {finding.impact:6.1%}  {finding.path}:{finding.line}  {finding.rule}")
        out.append("")
    for path, group in groupby(report.findings, key=lambda f: f.path):
        out.append(style(path, bold=True, underline=True))
        for finding in group:
            out.append(_finding_line(finding, style))
            out.extend(f"        {r.path}:{r.line}: {r.message}" for r in finding.related)
        out.append("")
    if diff:
        out.append(diff.rstrip("\n"))
        out.append("")
    for path, line, rule in report.unused_suppressions:
        out.append(style(f"{path}:{line}: unused suppression for {rule}", dim=True))
    for error in report.errors:
        out.append(style(f"error: {error.path}: {error.message}", fg="red"))
    for warning in report.warnings:
        out.append(style(f"warning: {warning}", fg="yellow"))
    out.append(_summary(report))
    return "\n".join(out) + "\n"


def _finding_line(finding: Finding, style) -> str:
    sev = style(finding.severity.value, fg=_SEVERITY_COLOR[finding.severity])
    where = f"{finding.line}:{finding.location.column}"
    return f"  {where:<8} {sev:<7} {style(finding.rule, bold=True)}  {finding.message}"


def _summary(report) -> str:
    stats = report.stats
    count = len(report.findings)
    skipped = sum(stats.get("skipped", {}).values())
    return (
        f"{count} finding{'s' if count != 1 else ''} in {stats['files']} files "
        f"({stats['lines']:,} lines, {stats['cached']} from cache, {skipped} skipped, "
        f"{len(report.errors)} error{'s' if len(report.errors) != 1 else ''}) in {stats['seconds']:.2f}s"
    )
