"""Rule docs: every rule documents the required sections, and docs/rules.md matches the rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzers.detectors import all_detectors
from optimizer.rules_doc import missing_sections, rules_document

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules.md"


@pytest.mark.parametrize("rule_id", sorted(all_detectors()))
def test_rule_has_every_section(rule_id):
    assert missing_sections(rule_id) == []


def test_rules_md_is_fresh():
    assert DOCS.read_text(encoding="utf-8") == rules_document(), "run `python -m optimizer.rules_doc` to regenerate"


def test_detector_ids_are_kebab_case_and_files_named_after_them():
    for rule_id, cls in all_detectors().items():
        assert rule_id == rule_id.lower() and " " not in rule_id
        assert cls.__module__.rsplit(".", 1)[-1] == rule_id.replace("-", "_")
