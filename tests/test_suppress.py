"""Inline suppressions name rules, work on the line or the line above, and unused ones are reported."""

from __future__ import annotations

from optimizer.api import analyze

SOURCE = """\
async function a(prisma, ids) {
  for (const id of ids) {
    // perfrewrite: ignore[n-plus-one-query]
    await prisma.user.findUnique({ where: { id } });
  }
  for (const id of ids) await prisma.post.findMany({ where: { authorId: id } }); // perfrewrite: ignore[n-plus-one-query]
  for (const id of ids) await prisma.tag.findFirst({ where: { id } }); // perfrewrite: ignore[some-other-rule]
  for (const id of ids) await prisma.like.count({ where: { id } });
}
"""


def test_suppressions(tmp_path):
    (tmp_path / "a.ts").write_text(SOURCE)
    (tmp_path / "unused.py").write_text("x = 1  # perfrewrite: ignore[n-plus-one-query]\n")
    report = analyze(tmp_path, use_cache=False)
    assert sorted(f.line for f in report.findings) == [7, 8]
    assert report.unused_suppressions == [("a.ts", 7, "some-other-rule"), ("unused.py", 1, "n-plus-one-query")]
