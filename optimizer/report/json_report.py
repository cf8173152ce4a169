"""The stable JSON output contract (version 1), as written down in DESIGN.md."""

from __future__ import annotations

import json

from optimizer.findings import Finding

VERSION = 1


def finding_to_dict(finding: Finding) -> dict:
    loc = finding.location
    data = {
        "rule": finding.rule,
        "category": finding.category.value,
        "severity": finding.severity.value,
        "path": loc.path,
        "line": loc.line,
        "column": loc.column,
        "end_line": loc.end_line if loc.end_line is not None else loc.line,
        "end_column": loc.end_column if loc.end_column is not None else loc.column,
        "message": finding.message,
        "impact": finding.impact,
        "component": finding.component,
        "related": [{"path": r.path, "line": r.line, "message": r.message} for r in finding.related],
    }
    if finding.fix is not None:
        data["fix"] = {
            "applicability": finding.fix.applicability.value,
            "description": finding.fix.description,
            "diff": finding.fix.diff,
            "codemod": finding.fix.codemod,  # null for a fix given as plain edits
        }
    return data


def report_to_dict(report) -> dict:
    return {
        "version": VERSION,
        "tool": "perfrewrite",
        "root": ".",
        "findings": [finding_to_dict(f) for f in report.findings],
        "errors": [{"path": e.path, "message": e.message} for e in report.errors],
        "stats": report.stats,
    }


def render_json(report) -> str:
    return json.dumps(report_to_dict(report), indent=2, ensure_ascii=False) + "\n"
