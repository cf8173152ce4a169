"""The front-ends make no reference cycles: a run loads and parses thousands of files with collection paused
(optimizer.detect), so anything cyclic they left behind would stay in memory until the detectors are done."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from analyzers.frontends import CODE_LANGUAGES, parse_source
from optimizer.workspace import EXTENSION_LANGUAGES

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
APP = FIXTURES / "fullstack-app"
FILES = [
    *sorted(p for p in APP.rglob("*") if EXTENSION_LANGUAGES.get(p.suffix) in CODE_LANGUAGES and p.is_file()),
    FIXTURES / "blocking_call_in_async" / "server" / "app.js",
]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_parsing_leaves_nothing_for_the_cycle_collector(path: Path) -> None:
    language = EXTENSION_LANGUAGES[path.suffix]
    source = path.read_bytes()
    parse_source(path.name, language, source)  # grammars, queries and caches made once are not garbage
    gc.collect()
    collecting = gc.isenabled()
    gc.disable()
    try:
        facts = parse_source(path.name, language, source)
        assert facts.errors == []
        del facts
        assert gc.collect() == 0
    finally:
        if collecting:
            gc.enable()


def test_every_language_is_checked() -> None:
    assert {EXTENSION_LANGUAGES[p.suffix] for p in FILES} == set(CODE_LANGUAGES)
