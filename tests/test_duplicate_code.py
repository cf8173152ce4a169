"""duplicate-code: normalised token streams, winnowed fingerprints, the clone search, and the rule's options,
region suppressions and caching."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from analyzers.detectors._clones import Limits, Stream, Syntax, find_clones
from analyzers.detectors.duplicate_code import DuplicateCode
from analyzers.frontends import parse_source
from analyzers.tokens import BREAK, DATA_CLOSE, DATA_OPEN, IDENT, KGRAM, WINDOW, winnow
from optimizer.api import analyze
from optimizer.config import Config
from optimizer.graph import CodeGraph

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from clone_sets import Fragment, compare, group_pairs, jscpd_pairs, one_sided  # noqa: E402

RULE = "duplicate-code"
TOTAL = """\
export function total(items, rate) {
  let sum = 0;
  for (const item of items) {
    if (item.count > 0) {
      sum += item.price * item.count;
    }
  }
  const tax = sum * rate;
  return Math.round((sum + tax) * 100) / 100;
}
"""
RENAMED = TOTAL.replace("total", "amount").replace("items", "lines").replace("item", "line").replace("100", "1000")


def kinds(source: str, language: str = "typescript") -> bytes:
    return parse_source("x", language, source.encode()).tokens.kinds


def found(tree: Path, **options) -> list[tuple[str, int, tuple[tuple[str, int], ...]]]:
    config = Config(select=(RULE,), rules={RULE: options} if options else {})
    report = analyze(tree, config=config, use_cache=False)
    return [(f.path, f.line, tuple((r.path, r.line) for r in f.related)) for f in report.findings]


def write(tree: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text(text)
    return tree


# -- token streams


def test_names_literals_comments_and_semicolons_do_not_change_the_stream():
    styled = RENAMED.replace(";\n", "\n").replace("{\n", "{ // note\n")
    assert kinds(TOTAL) == kinds(RENAMED) == kinds(styled)
    assert kinds(TOTAL) != kinds(TOTAL.replace("sum * rate", "sum / rate"))


def test_typescript_and_tsx_share_kinds():
    assert kinds(TOTAL, "typescript") == kinds(TOTAL, "tsx") == kinds(TOTAL, "javascript")


def test_imports_reexports_and_type_only_declarations_become_one_break():
    declarations = (
        "import { a } from 'a';\nimport b from 'b';\nexport { c } from 'c';\nconst d = require('d');\n"
        "interface I { x: number }\ntype T = { y: string };\nenum E { A, B }\ndeclare const g: number;\n"
    )
    assert kinds(declarations + TOTAL) == bytes([BREAK]) + kinds(TOTAL)


def test_data_tables_fold_and_query_objects_stay():
    table = "export const en = {\n" + "".join(f"  key{i}: 'text {i}',\n" for i in range(12)) + "};\n"
    assert kinds(table).count(DATA_OPEN) == kinds(table).count(DATA_CLOSE) == 1
    query = "db.user.findMany({ where: { id: userId, teamId }, select: { id: true, name: true, role: true } });"
    assert DATA_OPEN not in kinds(query)


def test_python_stream_ignores_names_docstrings_imports_and_tables():
    first = 'import os\n\ndef f(a, b):\n    """doc"""\n    return g(a) + b\n'
    second = "from x import y\n\ndef other(p, q):\n    return h(p) + q\n"
    assert kinds(first, "python") == kinds(second, "python")
    assert kinds(first, "python")[0] == BREAK
    table = "LABELS = {" + ", ".join(f"'k{i}': 'v{i}'" for i in range(12)) + "}\n"
    assert kinds(table, "python").count(DATA_OPEN) == 1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.just(IDENT) | st.integers(8, 40), min_size=KGRAM, max_size=80), st.randoms(use_true_random=False))
def test_a_shared_run_with_enough_identifier_led_windows_shares_a_fingerprint(shared, rng):
    anchors = [i for i, kind in enumerate(shared) if kind == IDENT and i + KGRAM <= len(shared)]
    assume(len(anchors) >= WINDOW)

    def noise(n: int) -> list[int]:
        return [rng.choice([IDENT, *range(41, 200)]) for _ in range(n)]

    left = bytes(noise(rng.randrange(0, 30)) + shared + noise(rng.randrange(0, 30)))
    right = bytes(noise(rng.randrange(0, 30)) + shared + noise(rng.randrange(0, 30)))
    assert set(winnow(left)[0]) & set(winnow(right)[0])


def test_no_fingerprint_window_spans_a_break():
    half = bytes([IDENT, *range(10, 10 + KGRAM - 2)])
    assert winnow(half + bytes([BREAK]) + half) == ([], []) != winnow(half + half)


# -- the clone search


SYNTAX = Syntax(openers=frozenset({100}), closers=frozenset({101}), separators=frozenset())
LIMITS = Limits(min_tokens=40, min_lines=1, max_gap_lines=10, max_gap_tokens=20)  # one token per line


def stream(tokens: list[int], masked: tuple[tuple[int, int], ...] = ()) -> Stream:
    data = bytes(tokens)
    hashes, offsets = winnow(data)
    return Stream(data, list(range(1, len(data) + 1)), hashes, offsets, masked)


def block(seed: int, n: int = 60) -> list[int]:
    """Random code, one identifier in three tokens; each seed draws its other tokens from its own range, so
    no block matches another by chance."""
    rng = random.Random(seed)
    low = 8 + 12 * (seed % 8)
    return [IDENT if i % 3 == 1 else rng.randrange(low, low + 12) for i in range(n)]


def test_three_copies_are_one_cluster_with_exact_extents():
    code = block(1)
    streams = [stream(block(2, 30) + code + block(3, 30)), stream(code + block(4, 10)), stream(block(5, 50) + code)]
    (cluster,) = find_clones(streams, SYNTAX, LIMITS)
    assert [(c.stream, c.start, c.end) for c in cluster.copies] == [(0, 30, 90), (1, 0, 60), (2, 50, 110)]
    assert not cluster.near_miss


def test_near_miss_copies_join_across_a_small_gap_but_not_across_a_break():
    head, tail = block(6, 50), block(7, 50)
    original, changed = stream(head + block(8, 5) + tail), stream(head + block(9, 8) + tail)
    (cluster,) = find_clones([original, changed], SYNTAX, LIMITS)
    assert cluster.near_miss and [(c.start, c.end) for c in cluster.copies] == [(0, 105), (0, 108)]
    broken = stream(head + [BREAK] + block(9, 7) + tail)
    assert all(not c.near_miss for c in find_clones([original, broken], SYNTAX, LIMITS))
    no_gaps = Limits(min_tokens=40, min_lines=1, max_gap_lines=0, max_gap_tokens=20)
    assert all(not c.near_miss for c in find_clones([original, changed], SYNTAX, no_gaps))


def test_masked_tokens_take_part_in_no_clone():
    code = block(10)
    assert find_clones([stream(code), stream(code, masked=((0, 60),))], SYNTAX, LIMITS) == []


def test_code_that_repeats_itself_gives_copies_that_do_not_overlap():
    unit = block(11, 25)
    (cluster,) = find_clones([stream(block(12, 20) + unit * 4 + block(13, 20))], SYNTAX, LIMITS)
    ends = [(c.start, c.end) for c in cluster.copies]
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(ends, ends[1:]))


def test_a_copy_does_not_start_with_the_end_of_the_statement_before_it():
    code = [101, 101] + block(14)  # two closers of brackets opened before the copy
    streams = [stream([100, 100] + block(15, 5) + code), stream([100, 100] + block(16, 5) + code)]
    (cluster,) = find_clones(streams, SYNTAX, LIMITS)
    assert cluster.copies[0].start == 9


# -- the rule


def test_renamed_copies_across_files_are_one_finding_with_the_advice(tmp_path):
    write(tmp_path, {"a.ts": TOTAL, "b.ts": RENAMED, "c.ts": "const x = 1;\n" + TOTAL})
    report = analyze(tmp_path, config=Config(select=(RULE,)), use_cache=False)
    (finding,) = report.findings
    assert (finding.path, finding.line) == ("a.ts", 1)
    assert [(r.path, r.line) for r in finding.related] == [("b.ts", 1), ("c.ts", 2)]
    assert finding.extra["copies"] == 3 and finding.extra["clone_type"] == "renamed"
    assert "3 copies of the same 10 lines" in finding.message
    assert "keep one function in a shared module" in finding.message


def test_exact_copies_and_thresholds(tmp_path):
    write(tmp_path, {"a.ts": TOTAL, "b.ts": TOTAL})
    (only,) = analyze(tmp_path, config=Config(select=(RULE,)), use_cache=False).findings
    assert only.extra["clone_type"] == "exact"
    assert found(tmp_path, **{"min-lines": 11}) == [] and found(tmp_path, **{"min-tokens": 200}) == []


def test_ignore_paths_and_per_file_ignores_take_files_out_of_every_clone(tmp_path):
    write(tmp_path, {"a.ts": TOTAL, "b.ts": RENAMED, "gen/c.ts": TOTAL})
    assert found(tmp_path, **{"ignore-paths": ["a.ts"]}) == [("b.ts", 1, (("gen/c.ts", 1),))]
    config = Config(select=(RULE,), per_file_ignores={"gen/**": (RULE,)})
    report = analyze(tmp_path, config=config, use_cache=False)
    assert [(f.path, [r.path for r in f.related]) for f in report.findings] == [("a.ts", ["b.ts"])]


def test_tests_are_left_out_unless_included(tmp_path):
    write(tmp_path, {"a.test.ts": TOTAL, "b.test.ts": RENAMED})
    assert found(tmp_path) == []
    assert found(tmp_path, **{"include-tests": True}) == [("a.test.ts", 1, (("b.test.ts", 1),))]


def test_a_region_comment_takes_a_function_out_and_counts_as_used(tmp_path):
    marked = "// perfrewrite: ignore[duplicate-code]\n" + RENAMED
    write(tmp_path, {"a.ts": TOTAL, "b.ts": marked, "c.ts": TOTAL.replace("rate", "r")})
    report = analyze(tmp_path, config=Config(select=(RULE,)), use_cache=False)
    assert [(f.path, [r.path for r in f.related]) for f in report.findings] == [("a.ts", ["c.ts"])]
    assert report.unused_suppressions == []


def test_a_region_comment_covers_a_block_and_is_unused_when_nothing_is_duplicated(tmp_path):
    body = TOTAL.split("\n", 1)[1].rsplit("}", 1)[0]
    block_copy = "if (ready) {\n" + body + "}\n"
    write(tmp_path, {"a.ts": TOTAL, "b.ts": "// perfrewrite: ignore[duplicate-code]\n" + block_copy})
    report = analyze(tmp_path, config=Config(select=(RULE,)), use_cache=False)
    assert report.findings == [] and report.unused_suppressions == []
    write(tmp_path, {"b.ts": "// perfrewrite: ignore[duplicate-code]\nexport const unique = compute(1, 2);\n"})
    report = analyze(tmp_path, config=Config(select=(RULE,)), use_cache=False)
    assert report.unused_suppressions == [("b.ts", 1, RULE)]


def test_python_methods_in_two_classes_get_the_base_class_advice(tmp_path):
    method = (
        "    def load(self, ids, limit):\n        rows = []\n        for key in ids:\n"
        "            row = self.store.get(key)\n            if row is None or row.deleted:\n                continue\n"
        "            rows.append(self.decode(row))\n            if len(rows) >= limit:\n                break\n"
        "        return sorted(rows, key=lambda r: r.created_at)\n"
    )
    users = "class Users:\n    table = 'users'\n\n" + method
    teams = "class Teams(Base):\n    def __init__(self, store):\n        self.store = store\n\n" + method
    write(tmp_path, {"a.py": users, "b.py": teams})
    (finding,) = analyze(tmp_path, config=Config(select=(RULE,)), use_cache=False).findings
    assert (finding.path, finding.line) == ("a.py", 4) and "base class or mixin" in finding.message


def test_a_warm_run_parses_only_the_changed_file(tmp_path):
    tree = write(tmp_path / "tree", {"a.ts": TOTAL, "b.ts": RENAMED, "c.ts": "export const c = 3;\n"})
    config = Config(select=(RULE,))
    cold = analyze(tree, config=config, cache_dir=tmp_path / "cache")
    (tree / "c.ts").write_text("export const c = 4;\n")
    warm = analyze(tree, config=config, cache_dir=tmp_path / "cache")
    assert (cold.stats["parsed"], warm.stats["parsed"], warm.stats["cached"]) == (3, 1, 2)
    assert [f.message for f in warm.findings] == [f.message for f in cold.findings] != []


def test_slim_facts_give_the_findings_of_the_whole_facts(tmp_path):
    """A run of this rule alone loads only the slim facts; a run of every rule loads the whole facts. Both
    report the same clones, with the same advice, from a cold cache and a warm one."""
    component = "export function Card({ items }) {\n  const [open, setOpen] = useState(false);\n" + "\n".join(
        f"  const v{n} = items.filter((item) => item.count > {n}).map((item) => item.price * {n});" for n in range(6)
    ) + "\n  return <div onClick={() => setOpen(!open)}>{v0.length}</div>;\n}\n"
    marked = "// perfrewrite: ignore[duplicate-code]\n" + RENAMED
    files = {"a.tsx": component, "b.tsx": component.replace("Card", "Tile"), "c.ts": TOTAL, "d.ts": RENAMED}
    files.update({"e.ts": marked, "f.py": "import os\n", "g.ts": "import { total } from './c';\n"})
    tree = write(tmp_path / "tree", files)
    cache = tmp_path / "cache"

    def clones(report):
        return [(f.path, f.line, f.message) for f in report.findings if f.rule == RULE]

    alone = analyze(tree, config=Config(select=(RULE,)), cache_dir=cache)
    assert alone.project.modules["f.py"].imports == []  # slim: what the rule does not read is not there
    # the graph is built from the whole facts all the same
    graph, g, c = alone.project.graph, CodeGraph.module_node("g.ts"), CodeGraph.module_node("c.ts")
    assert graph.graph.has_edge(g, c)
    everything = analyze(tree, cache_dir=cache)
    assert everything.project.modules["f.py"].imports != []
    (tree / "c.ts").write_text(TOTAL + "// edited\n")
    warm = analyze(tree, config=Config(select=(RULE,)), cache_dir=cache)
    assert warm.stats["parsed"] == 1 and not warm.stats["results_reused"]
    assert clones(alone) == clones(everything) == clones(warm)
    assert {f.path for f in alone.findings} == {"a.tsx", "c.ts"}
    assert "extract a component" in clones(alone)[0][2] or "keep one component" in clones(alone)[0][2]
    assert alone.unused_suppressions == everything.unused_suppressions == []


def test_a_rule_selected_by_id_imports_no_other_rule(tmp_path):
    """Selecting rules by id imports only their modules: the others' dependencies (sqlglot, networkx) cost
    a run of one rule nothing."""
    import subprocess

    write(tmp_path / "tree", {"a.ts": TOTAL, "b.ts": RENAMED})
    script = (
        "import sys\nfrom optimizer.api import analyze\nfrom optimizer.config import Config\n"
        f"report = analyze({str(tmp_path / 'tree')!r}, config=Config(select=({RULE!r},)), use_cache=False)\n"
        "rules = sorted(m for m in sys.modules if m.startswith('analyzers.detectors.') and '._' not in m)\n"
        "print(len(report.findings), rules, 'sqlglot' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    found, *modules, sqlglot = done.stdout.split()
    assert (found, modules, sqlglot) == ("1", ["['analyzers.detectors.base',", f"'{DuplicateCode.__module__}']"], "False")


# -- the benchmark's comparison of clone sets


def test_clone_sets_compare_clusters_with_pairs(tmp_path):
    a, b, c = Fragment("a.ts", 1, 10), Fragment("b.ts", 5, 14), Fragment("c.ts", 1, 10)
    report = {"duplicates": [
        {"firstFile": {"name": str(tmp_path / "a.ts"), "startLoc": {"line": 2}, "endLoc": {"line": 10}},
         "secondFile": {"name": "b.ts", "startLoc": {"line": 5}, "endLoc": {"line": 13}}},
        {"firstFile": {"name": "x.ts", "startLoc": {"line": 1}, "endLoc": {"line": 9}},
         "secondFile": {"name": "y.ts", "startLoc": {"line": 1}, "endLoc": {"line": 9}}},
    ]}  # fmt: skip
    pairs = jscpd_pairs(json.loads(json.dumps(report)), tmp_path)
    assert pairs[0] == (Fragment("a.ts", 2, 10), Fragment("b.ts", 5, 13))
    overlap = compare([[a, b, c]], pairs)
    assert (overlap.their_pairs, overlap.their_found, overlap.our_found, overlap.their_clusters) == (2, 1, 1, 2)
    assert one_sided([[a, b, c], [Fragment("z.ts", 1, 5), Fragment("z.ts", 9, 14)]], pairs)[1] == [pairs[1]]
    assert len(group_pairs([(a, b), (Fragment("a.ts", 1, 9), c)])) == 1
