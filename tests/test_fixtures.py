"""The one fixture harness: every annotated fixture root is analysed and compared with its annotations.

Missing findings (false negatives) and noisy findings (false positives) are reported separately; the
``todo`` annotations are strict expected failures, so a known gap that gets fixed must be re-annotated.
"""

from __future__ import annotations

from functools import cache

import pytest

from annotations import fixture_roots, read_annotations
from optimizer.api import analyze

ROOTS = fixture_roots()


@cache
def _reported(root_name: str) -> frozenset[tuple[str, int, str]]:
    report = analyze(next(r for r in ROOTS if r.name == root_name), use_cache=False)
    return frozenset((f.path, f.line, f.rule) for f in report.findings)


def _cases():
    for root in ROOTS:
        annotations = read_annotations(root)
        for path in sorted({a.path for a in annotations}):
            yield pytest.param(root.name, path, id=f"{root.name}/{path}")


@pytest.mark.parametrize(("root_name", "path"), list(_cases()))
def test_fixture_file_matches_annotations(root_name, path):
    root = next(r for r in ROOTS if r.name == root_name)
    annotations = read_annotations(root)
    rules = {a.rule for a in annotations}  # rules this fixture root speaks about
    mine = [a for a in annotations if a.path == path]
    expected = {(a.line, a.rule) for a in mine if a.kind == "ruleid"}
    tolerated = {(a.line, a.rule) for a in mine if a.kind == "todook"}
    reported = {(line, rule) for p, line, rule in _reported(root_name) if p == path and rule in rules}
    missing = sorted(expected - reported)
    noisy = sorted(reported - expected - tolerated)
    assert not missing and not noisy, f"{path}: missing (false negatives) {missing}; noisy (false positives) {noisy}"


def _todo_cases():
    for root in ROOTS:
        for a in read_annotations(root):
            if a.kind.startswith("todo"):
                yield pytest.param(root.name, a, id=f"{root.name}/{a.path}:{a.line}:{a.kind}:{a.rule}",
                                   marks=pytest.mark.xfail(strict=True, reason="known gap, annotated todo"))


TODO_CASES = list(_todo_cases())

if TODO_CASES:  # an empty parametrisation would show up as a skipped test

    @pytest.mark.parametrize(("root_name", "annotation"), TODO_CASES)
    def test_known_gap_still_open(root_name, annotation):
        reported = (annotation.path, annotation.line, annotation.rule) in _reported(root_name)
        if annotation.kind == "todoruleid":
            assert reported, "todoruleid: the finding is expected once the gap is closed"
        else:
            assert not reported, "todook: the false positive is expected to go away once the gap is closed"


def test_every_fixture_root_has_positive_and_negative_cases():
    for root in ROOTS:
        annotations = read_annotations(root)
        for rule in {a.rule for a in annotations}:
            kinds = {a.kind for a in annotations if a.rule == rule}
            assert "ruleid" in kinds and "ok" in kinds, f"{root.name}: {rule} needs both ruleid and ok cases"


def test_harness_found_fixtures():
    assert ROOTS, "no annotated fixture roots found"


@pytest.mark.parametrize("root_name", [r.name for r in ROOTS])
def test_no_findings_in_unannotated_files(root_name):
    """A false positive in a file without annotations for that rule is noise too."""
    root = next(r for r in ROOTS if r.name == root_name)
    annotations = read_annotations(root)
    rules = {a.rule for a in annotations}
    annotated = {(a.path, a.rule) for a in annotations}
    noisy = sorted((p, line, rule) for p, line, rule in _reported(root_name) if rule in rules and (p, rule) not in annotated)
    assert not noisy, f"noisy (false positives) in unannotated files: {noisy}"
