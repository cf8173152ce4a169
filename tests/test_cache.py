"""Caching: per-file facts by content, whole-run results by everything the run reads; never stale."""

from __future__ import annotations

from optimizer.api import analyze
from optimizer.config import Config

LOOP = "async function f(prisma, ids) {\n  for (const id of ids) {\n    await prisma.user.findUnique({ where: { id } });\n  }\n}\n"
CLEAN = "export const a = 1;\n"


def findings(report):
    return [(f.path, f.line, f.rule) for f in report.findings]


def test_unchanged_tree_is_answered_from_the_result_cache(tmp_path):
    tree, cache = tmp_path / "repo", tmp_path / "cache"
    tree.mkdir()
    (tree / "a.ts").write_text(LOOP)
    (tree / "b.py").write_text("def f(:\n")
    cold = analyze(tree, cache_dir=cache)
    warm = analyze(tree, cache_dir=cache)
    assert findings(warm) == findings(cold) == [("a.ts", 3, "n-plus-one-query")]
    assert [e.path for e in warm.errors] == [e.path for e in cold.errors] == ["b.py"]
    assert (cold.stats["parsed"], warm.stats["parsed"], warm.stats["cached"]) == (2, 0, 2)
    assert warm.stats["lines"] == cold.stats["lines"]
    # the facts are still there for whoever asks (graph export, library users)
    assert set(warm.project.modules) == {"a.ts", "b.py"}
    assert warm.project.graph.graph.number_of_nodes() > 0


def test_a_changed_file_is_parsed_again_and_alone(tmp_path):
    tree, cache = tmp_path / "repo", tmp_path / "cache"
    tree.mkdir()
    (tree / "a.ts").write_text(LOOP)
    (tree / "b.ts").write_text(CLEAN)
    analyze(tree, cache_dir=cache)
    (tree / "a.ts").write_text(CLEAN)
    (tree / "b.ts").write_text(LOOP)
    again = analyze(tree, cache_dir=cache)
    assert findings(again) == [("b.ts", 3, "n-plus-one-query")]
    assert again.stats["parsed"] == 0  # both contents were seen before, under the other name
    (tree / "c.ts").write_text(LOOP.replace("ids", "keys"))
    third = analyze(tree, cache_dir=cache)
    assert third.stats["parsed"] == 1 and third.stats["cached"] == 2


def test_configuration_and_flags_are_part_of_the_key(tmp_path):
    tree, cache = tmp_path / "repo", tmp_path / "cache"
    tree.mkdir()
    (tree / "seed.ts").write_text(LOOP)
    assert findings(analyze(tree, cache_dir=cache)) == []  # a seed file
    options = {"n-plus-one-query": {"include-seeds": True}}
    assert findings(analyze(tree, cache_dir=cache, config=Config(rules=options))) == [("seed.ts", 3, "n-plus-one-query")]
    assert findings(analyze(tree, cache_dir=cache, config=Config(ignore=("n_plus_one",)))) == []


def test_no_cache_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("PERFREWRITE_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "a.ts").write_text(LOOP)
    analyze(tmp_path / "a.ts", use_cache=False)
    assert not (tmp_path / "cache").exists()


def test_unusable_cache_directory_degrades_to_no_cache(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    (tmp_path / "a.ts").write_text(LOOP)
    report = analyze(tmp_path / "a.ts", cache_dir=blocker / "cache")
    assert findings(report) == [("a.ts", 3, "n-plus-one-query")]
    assert report.warnings and "cache disabled" in report.warnings[0]


def test_the_schema_is_kept_until_a_schema_file_changes(tmp_path, monkeypatch):
    """Applying a large app's migrations takes a while: a run whose Prisma and SQL files are unchanged reuses the
    schema, and one that changes them builds it again."""
    from optimizer import schema_stage

    tree, cache = tmp_path / "repo", tmp_path / "cache"
    (tree / "migrations").mkdir(parents=True)
    (tree / "schema.prisma").write_text("model Post {\n  id Int @id\n  authorId Int\n}\n")
    (tree / "migrations" / "001.sql").write_text("CREATE TABLE audit (id INT PRIMARY KEY, actor INT);\n")
    query = "export const byAuthor = (prisma, authorId) => prisma.post.findMany({ where: { authorId } });\n"
    (tree / "posts.ts").write_text(query)
    builds = []
    real = schema_stage.load_schema
    monkeypatch.setattr(schema_stage, "load_schema", lambda *args: builds.append(1) or real(*args))
    config = Config(select=("missing-index",))

    def index_findings():
        return findings(analyze(tree, cache_dir=cache, config=config))

    assert index_findings() == [("posts.ts", 1, "missing-index")] and len(builds) == 1
    (tree / "posts.ts").write_text(query + "// edited\n")
    assert index_findings() == [("posts.ts", 1, "missing-index")] and len(builds) == 1  # reused
    (tree / "schema.prisma").write_text("model Post {\n  id Int @id\n  authorId Int\n  @@index([authorId])\n}\n")
    assert index_findings() == [] and len(builds) == 2
