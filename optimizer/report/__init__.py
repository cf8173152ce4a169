"""Report renderers: each turns a Report into text for one output format."""

from __future__ import annotations

FORMATS = ("text", "json")


def render(report, fmt: str, *, color: bool = False, diff: str = "") -> str:
    if fmt == "json":
        from optimizer.report.json_report import render_json

        return render_json(report)
    from optimizer.report.text_report import render_text

    return render_text(report, color=color, diff=diff)
