"""add-prisma-index: the fixture app (fixtures/rewrites/add-prisma-index/app: a query and its schema) against
schema.fixed.prisma, checked four ways, and the cases that get no fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analyzers.detectors import missing_index
from analyzers.prisma import parse_prisma
from optimizer.api import analyze
from optimizer.findings import Applicability
from rewriters.apply import fix
from rewriters.engine import plan
from rewriters.prisma_index import index_edit

CASE = Path(__file__).resolve().parent.parent / "fixtures" / "rewrites" / "add-prisma-index"
RULE = "missing-index"


def _findings(root: Path):
    return [f for f in analyze([root], root=root, use_cache=False).findings if f.rule == RULE]


@pytest.fixture
def app(tmp_path: Path) -> Path:
    return Path(shutil.copytree(CASE / "app", tmp_path / "app"))


def test_fixture_app(app: Path) -> None:
    (finding,) = _findings(app)
    assert finding.path == "queries.ts" and finding.fix is not None
    assert finding.fix.path == "schema.prisma" and finding.fix.applicability is Applicability.SAFE
    assert 'CREATE INDEX "posts_author_id_created_at_idx" ON "posts"' in finding.fix.description

    (rewrite,) = plan(analyze([app], root=app, use_cache=False))
    assert rewrite.error is None and rewrite.path == "schema.prisma"
    expected = (CASE / "schema.fixed.prisma").read_text(encoding="utf-8")
    assert rewrite.after.decode() == expected
    assert parse_prisma("schema.prisma", expected).errors == []

    (app / "schema.prisma").write_bytes(rewrite.after)
    assert _findings(app) == []
    assert [r for r in plan(analyze([app], root=app, use_cache=False)) if r.changed] == []


def test_fix_writes_the_schema_and_puts_the_diff_on_the_finding(app: Path) -> None:
    report = analyze([app], root=app, use_cache=False)
    outcome = fix(report)
    assert outcome.written == ["schema.prisma"]
    (finding,) = [f for f in report.findings if f.rule == RULE]
    assert "+    @@index([authorId, createdAt])" in finding.fix.diff
    assert (app / "schema.prisma").read_text(encoding="utf-8") == (CASE / "schema.fixed.prisma").read_text(
        encoding="utf-8"
    )


def test_index_that_does_not_serve_the_query_is_refused(app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the right columns in the wrong order: the query narrows by authorId, which this index does not lead with
    monkeypatch.setattr(
        missing_index, "index_edit", lambda source, line, fields: index_edit(source, line, tuple(reversed(fields)))
    )
    (rewrite,) = plan(analyze([app], root=app, use_cache=False))
    assert rewrite.path == "schema.prisma" and rewrite.after == rewrite.before
    assert rewrite.error is not None and "`missing-index` is still reported" in rewrite.error


def test_sql_only_table_has_no_fix(tmp_path: Path) -> None:
    (tmp_path / "migrations" / "001").mkdir(parents=True)
    (tmp_path / "migrations" / "001" / "migration.sql").write_text(
        "CREATE TABLE posts (id INT PRIMARY KEY, author_id INT NOT NULL);\n", encoding="utf-8"
    )
    (tmp_path / "q.ts").write_text(
        "import { Pool } from 'pg';\nconst pool = new Pool();\n"
        "export const f = (a: number) => pool.query('SELECT * FROM posts WHERE author_id = $1', [a]);\n",
        encoding="utf-8",
    )
    (finding,) = _findings(tmp_path)
    assert finding.fix is None


MODEL = b'model Post {\n\tid Int @id // {not a brace}\n\tname String @default("}")\n}\n'


def test_index_line_follows_the_block_and_its_line_ends() -> None:
    edit = index_edit(MODEL, 1, ("name",))
    assert edit is not None and edit.text == "\t@@index([name])\n" and MODEL[edit.start :] == b"}\n"
    crlf = MODEL.replace(b"\n", b"\r\n")
    assert index_edit(crlf, 1, ("name",)).text == "\t@@index([name])\r\n"


@pytest.mark.parametrize(
    "source",
    [
        b"model Post {\n  id Int @id\n  name String\n  @@index(fields: [name(sort: Desc)])\n}\n",
        b"model Post { id Int @id }\n",
    ],
    ids=["already-indexed", "one-line-block"],
)
def test_no_edit(source: bytes) -> None:
    assert index_edit(source, 1, ("name",)) is None
