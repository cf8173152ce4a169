"""Smoke test of the benchmark corpus: it is deterministic, every file is unique and parses cleanly,
and analyze() reads all of it without errors. No timing is asserted here."""

from __future__ import annotations

import ast
import hashlib
import sys
from pathlib import Path

import pytest
import tree_sitter_javascript
import tree_sitter_typescript
from tree_sitter import Language, Parser

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from corpus import CODE_SUFFIXES, generate, make_plan  # noqa: E402

from optimizer.api import analyze  # noqa: E402

PARSERS = {
    ".ts": Parser(Language(tree_sitter_typescript.language_typescript())),
    ".tsx": Parser(Language(tree_sitter_typescript.language_tsx())),
    ".js": Parser(Language(tree_sitter_javascript.language())),
    ".jsx": Parser(Language(tree_sitter_javascript.language())),
}
TINY = 0.05


def _code_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in CODE_SUFFIXES)


def _first_error(node):
    if node.type == "ERROR" or node.is_missing:
        return node
    for child in node.children:
        if child.has_error:
            return _first_error(child)
    return node


def _parse_problems(root: Path) -> list[str]:
    problems = []
    for path in _code_files(root):
        source = path.read_bytes()
        if path.suffix == ".py":
            try:
                ast.parse(source, filename=str(path))
            except SyntaxError as exc:
                problems.append(f"{path.relative_to(root)}:{exc.lineno}: {exc.msg}")
            continue
        tree = PARSERS[path.suffix].parse(source)
        if tree.root_node.has_error:
            node = _first_error(tree.root_node)
            problems.append(f"{path.relative_to(root)}:{node.start_point[0] + 1}: {node.type} {source[node.start_byte:node.start_byte + 60]!r}")
    return problems


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("corpus")
    return root, generate(root, TINY, seed=0)


def test_tiny_corpus_parses_cleanly(tiny):
    root, counts = tiny
    assert counts["code_files"] == len(_code_files(root))
    assert _parse_problems(root) == []


def test_a_larger_corpus_with_another_seed_parses_cleanly(tmp_path):
    # more files draw more of the template variants
    generate(tmp_path, 0.3, seed=7)
    assert _parse_problems(tmp_path) == []


def test_every_file_is_unique(tiny):
    root, _ = tiny
    digests = [hashlib.blake2b(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()]
    assert len(digests) == len(set(digests))


def test_generation_is_deterministic(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    generate(first, TINY, seed=3)
    generate(second, TINY, seed=3)
    names = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / n).read_bytes() == (second / n).read_bytes() for n in names)


def test_scale_one_has_the_planned_shape():
    plan = make_plan(1, seed=0)
    suffixes = [Path(m.path).suffix for m in plan.modules]
    js = sum(s in (".ts", ".tsx", ".js", ".jsx") for s in suffixes)
    assert 220 <= js <= 290
    assert 70 <= suffixes.count(".py") <= 95
    assert len(make_plan(4, seed=0).modules) > 3.5 * len(plan.modules)


def test_analyze_reads_the_whole_corpus_without_errors(tiny, tmp_path):
    root, counts = tiny
    report = analyze(root, jobs=1, cache_dir=tmp_path / "cache")
    assert [f"{e.path}: {e.message}" for e in report.errors] == []
    assert report.stats["files"] == counts["code_files"]
    assert report.stats["parsed"] == counts["code_files"]
