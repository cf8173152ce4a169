"""Reading fixture annotations (``ruleid:`` / ``ok:`` / ``todoruleid:`` / ``todook:``) from annotated files."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
KINDS = ("ruleid", "ok", "todoruleid", "todook")
_ANNOTATION = re.compile(r"(?://|#|--|/\*|\{/\*)\s*(todoruleid|todook|ruleid|ok):\s*([A-Za-z0-9_\-]+(?:\s*,\s*[A-Za-z0-9_\-]+)*)")
_COMMENT_ONLY = re.compile(r"^\s*(?://|#|--|/\*|\{/\*|\*)")
_SOURCE_SUFFIXES = {".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".py", ".sql", ".prisma"}


@dataclass(frozen=True)
class Annotation:
    path: str  # relative to the fixture root
    line: int  # the line the finding must start on
    kind: str
    rule: str


def fixture_roots() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir() and any(annotated_files(p)))


def annotated_files(root: Path):
    for path in sorted(root.rglob("*")):
        if path.suffix in _SOURCE_SUFFIXES and ".fixed." not in path.name and "node_modules" not in path.parts:
            text = path.read_text(encoding="utf-8", errors="replace")
            if _ANNOTATION.search(text):
                yield path


def read_annotations(root: Path) -> list[Annotation]:
    found: list[Annotation] = []
    for path in annotated_files(root):
        lines = path.read_text(encoding="utf-8").splitlines()
        pending: list[tuple[str, str]] = []
        for number, text in enumerate(lines, 1):
            match = _ANNOTATION.search(text)
            if match and _COMMENT_ONLY.match(text):
                pending.extend((match.group(1), rule.strip()) for rule in match.group(2).split(","))
                continue
            if pending and text.strip() and not _COMMENT_ONLY.match(text):
                rel = path.relative_to(root).as_posix()
                found.extend(Annotation(rel, number, kind, rule) for kind, rule in pending)
                pending = []
    return found
