"""Several queries in one loop are reported once; a probe loop's condition is not a per-item query."""

from __future__ import annotations

from optimizer.api import analyze
from optimizer.config import Config

LOOP = """\
async function sync(prisma, users) {
  for (const user of users) {
    await prisma.profile.update({ where: { userId: user.id }, data: {} });
    await prisma.audit.create({ data: { userId: user.id } });
    await prisma.session.deleteMany({ where: { userId: user.id } });
    for (const role of user.roles) {
      await prisma.grant.upsert({ where: { id: role.id }, update: {}, create: {} });
    }
  }
}
"""


def test_one_finding_per_loop_with_the_others_related(tmp_path):
    (tmp_path / "sync.ts").write_text(LOOP)
    report = analyze(tmp_path, use_cache=False, config=Config(select=("n-plus-one-query",)))
    assert [f.line for f in report.findings] == [3, 7]  # the outer loop once, the nested loop once
    first = report.findings[0]
    assert "The same loop runs 2 more" in first.message
    assert {r.line for r in first.related if r.message == "also runs once per item"} == {4, 5}


def test_query_in_a_while_condition_is_a_probe(tmp_path):
    (tmp_path / "slug.ts").write_text(
        "async function slug(prisma, base) {\n  let s = base;\n"
        "  while (await prisma.post.findUnique({ where: { slug: s } })) {\n    s += '-1';\n  }\n"
        "  do {\n    s += 'x';\n  } while (await prisma.post.findFirst({ where: { slug: s } }));\n  return s;\n}\n"
    )
    report = analyze(tmp_path, use_cache=False, config=Config(select=("n-plus-one-query",)))
    assert report.findings == []
