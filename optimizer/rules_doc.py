"""Rule documentation from the detectors' docstrings: `perfrewrite rules`, `explain`, and docs/rules.md."""

from __future__ import annotations

import inspect

from analyzers.detectors import all_detectors

REQUIRED_SECTIONS = ("What it does", "Why is this slow?", "Example", "Use instead")


def rule_markdown(rule_id: str) -> str | None:
    cls = all_detectors().get(rule_id)
    if cls is None:
        return None
    header = f"# {cls.id}\n\ncategory: {cls.category.value} · severity: {cls.severity.value} · languages: {', '.join(cls.languages) or 'all'}"
    options = "".join(f"\n- `{name}` (default `{value!r}`)" for name, value in cls.options.items())
    body = inspect.cleandoc(cls.__doc__ or "")
    return f"{header}\n\n{body}\n" + (f"\n## Options{options}\n" if options else "")


def rule_summaries() -> list[tuple[str, str, str, str]]:
    rows = []
    for rule_id, cls in all_detectors().items():
        doc = inspect.cleandoc(cls.__doc__ or "")
        section = doc.split("## What it does", 1)[-1].strip().split("\n\n", 1)[0]
        rows.append((rule_id, cls.category.value, cls.severity.value, " ".join(section.split())))
    return rows


def missing_sections(rule_id: str) -> list[str]:
    doc = inspect.cleandoc(all_detectors()[rule_id].__doc__ or "")
    return [s for s in REQUIRED_SECTIONS if f"## {s}" not in doc]


def rules_document() -> str:
    parts = ["# Rules\n\nGenerated from the detectors by `python -m optimizer.rules_doc`; do not edit by hand.\n"]
    parts.extend(_demote_headings(rule_markdown(rule_id)) for rule_id in all_detectors())
    return "\n".join(parts)


def _demote_headings(markdown: str) -> str:
    """One level deeper, so every rule nests under the page title; code blocks are left alone."""
    lines, in_code = [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        lines.append("#" + line if line.startswith("#") and not in_code else line)
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    from pathlib import Path

    Path("docs/rules.md").write_text(rules_document(), encoding="utf-8")
