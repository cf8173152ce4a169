"""Every codemod fixture pair fixtures/rewrites/<codemod>/X.ext -> X.fixed.ext, checked four ways: the output
equals the expected file, it parses, the fixed finding is gone, and a second pass changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analyzers.frontends import parse_source
from optimizer.api import analyze
from rewriters.edits import NoFix, apply_edits, fixpoint
from rewriters.engine import JS_CODEMODS, plan, python_codemods
from rewriters.javascript.cherry_pick_lodash import compute_edits

PAIRS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "rewrites"


def _pairs() -> list[tuple[str, Path, Path]]:
    found = []
    for source in sorted(PAIRS_DIR.glob("*/*")):
        if ".fixed." in source.name or source.is_dir():  # a directory holds a multi-file case with its own test
            continue
        stem, _, ext = source.name.partition(".")
        found.append((source.parent.name, source, source.with_name(f"{stem}.fixed.{ext}")))
    return found


def _codemod_findings(root: Path, codemod: str):
    return [f for f in analyze([root], root=root, use_cache=False).findings if f.fix and f.fix.codemod == codemod]


@pytest.mark.parametrize(("codemod", "source", "expected"), _pairs(), ids=lambda v: getattr(v, "name", v))
def test_codemod_pair(tmp_path: Path, codemod: str, source: Path, expected: Path) -> None:
    shutil.copy(source, tmp_path / source.name)
    before = _codemod_findings(tmp_path, codemod)
    assert before, "the fixture must have a finding whose fix names the codemod"

    report = analyze([tmp_path], root=tmp_path, use_cache=False)
    (rewrite,) = plan(report, unsafe=True)
    assert rewrite.error is None
    assert rewrite.after.decode() == expected.read_text(encoding="utf-8")

    language = report.project.files[source.name].language
    assert parse_source(source.name, language, rewrite.after).errors == []

    (tmp_path / source.name).write_bytes(rewrite.after)
    assert _codemod_findings(tmp_path, codemod) == []
    again = plan(analyze([tmp_path], root=tmp_path, use_cache=False), unsafe=True)
    assert [r for r in again if r.changed] == []


JS_PAIRS = [pair for pair in _pairs() if pair[0] in JS_CODEMODS]


@pytest.mark.parametrize(("codemod", "source", "expected"), JS_PAIRS, ids=lambda v: getattr(v, "name", v))
def test_blank_lines_at_the_top_of_the_file_move_nothing(codemod: str, source: Path, expected: Path) -> None:
    """tree-sitter's root node starts at the first token, after any blank lines: offsets of lines and indents
    must come from the whole file, not from the root's text."""
    language = {".ts": "typescript", ".tsx": "tsx"}.get(source.suffix, "javascript")
    rewritten = fixpoint(
        b"\n\n" + source.read_bytes(),
        lambda text: apply_edits(text, JS_CODEMODS[codemod](text, language))[0],
    )
    assert rewritten.decode() == "\n\n" + expected.read_text(encoding="utf-8")


def _multi_file_cases() -> set[str]:
    """Codemods with a multi-file case: a folder next to the expected ``X.fixed.ext`` of one of its files
    (add-prisma-index/app holds schema.prisma, expected in add-prisma-index/schema.fixed.prisma)."""
    found = set()
    for expected in PAIRS_DIR.glob("*/*.fixed.*"):
        stem, _, ext = expected.name.partition(".fixed.")
        if any(folder.is_dir() and any(folder.rglob(f"{stem}.{ext}")) for folder in expected.parent.iterdir()):
            found.add(expected.parent.name)
    return found


def test_every_codemod_has_a_pair() -> None:
    with_pairs = {codemod for codemod, _, expected in _pairs() if expected.exists()} | _multi_file_cases()
    assert set(JS_CODEMODS) | set(python_codemods()) | {"add-prisma-index"} <= with_pairs
    assert all(expected.exists() for _, _, expected in _pairs())


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ("import _ from 'lodash';\nexport const m = _;\n", "used other than"),
        ("import _ from 'lodash';\nconst get = 1;\nexport const v = _.get(o, 'a') + get;\n", "already used"),
        ("import _ from 'lodash';\nexport const f = _.map;\n", "used other than"),
        ("import _ from 'lodash';\nexport const v = _['get'](o, 'a');\n", "used other than"),
    ],
)
def test_cherry_pick_declines_when_unsure(source: str, why: str) -> None:
    with pytest.raises(NoFix, match=why):
        compute_edits(source.encode(), "typescript")


def test_cherry_pick_leaves_other_imports() -> None:
    source = b"import _, { map } from 'lodash';\nimport get from 'lodash/get';\nexport const v = _.x(map, get);\n"
    assert compute_edits(source, "typescript") == []


def test_declined_fix_is_reported_and_file_kept(tmp_path: Path) -> None:
    path = tmp_path / "a.ts"
    path.write_text("import _ from 'lodash';\nexport const helpers = _;\n", encoding="utf-8")
    (rewrite,) = plan(analyze([tmp_path], root=tmp_path, use_cache=False))
    assert not rewrite.changed
    assert "used other than" in (rewrite.error or "")
