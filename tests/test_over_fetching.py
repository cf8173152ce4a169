"""How a fetched value is used later (``Await.result_uses``), and the unread relations and large columns
`over-fetching` reports from it."""

from __future__ import annotations

import pytest

from analyzers.javascript import parse
from optimizer.api import analyze

SCHEMA = """
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id    Int    @id
  name  String
  bio   String @db.Text
  posts Post[]
}

model Post {
  id       Int    @id
  authorId Int
  author   User   @relation(fields: [authorId], references: [id])
  meta     Json
}
"""


def uses_of(body: str, read: str = "findMany", declare: str = "const rows =") -> tuple[str, ...]:
    source = f"async function f(prisma, id) {{\n  {declare} await prisma.image.{read}({{ where: {{ id }} }});\n{body}\n}}\n"
    [awaited] = parse("f.ts", source.encode(), "typescript").awaits
    return awaited.result_uses


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("  return rows.length;", ("length",)),
        ("  return rows.filter((r) => r.ok).length;", ("filter.length", "[]ok")),
        ("  return rows.reduce((a, r) => a + r.size, 0);", ("reduce", "[]size")),
        ("  send(rows);\n  return rows.length;", ("", "length")),
        ("  return rows.map((r) => r.id);", ("map", "[]id")),
        ("  return rows.map(toDto);", ("map", "[]")),
        ("  return rows.map(({ id, title: t }) => id + t);", ("map", "[]id", "[]title")),
        ("  return rows.find((r) => r.id === 1)?.title;", ("find.title", "[]id", "[]title")),
        ("  return rows.filter((r) => r.ok);", ("filter", "[]ok", "[]")),
        ("  for (const r of rows) send(r.id, r.tags.length);\n  return 1;", ("of", "[]id", "[]tags.length")),
        ("  for (const r of rows) send(r);\n  return 1;", ("of", "[]")),
        ("  return { ...rows };", ("",)),
        ("  const other = 1;\n  return other;", ()),
        ("  if (!rows) return;\n  return rows!.name;", ("!", "name")),
        ("  if (rows === null || rows == undefined) return 0;\n  return rows?.posts.length;", ("!", "!", "posts.length")),
        ("  return rows ? rows.name : rows;", ("!", "name", "")),
        ("  return rows ?? fallback;", ("",)),
    ],
)
def test_result_uses(body, expected):
    assert uses_of(body) == expected


@pytest.mark.parametrize(
    ("declare", "expected"),
    [
        ("const { name, posts: list, 'email': mail, age = 1 } =", ("name", "posts", "email", "age")),
        ("const { name, ...rest } =", ("name", "")),
        ("const [first] =", ("",)),
        ("this.user =", ("",)),
        ("const dto = toDto(", ("",)),
        ("return", ("",)),
        ("", ()),
    ],
)
def test_where_the_value_goes(declare, expected):
    closing = ")" if declare.endswith("(") else ""
    source = f"async function f(prisma, id) {{\n  {declare} await prisma.user.findUnique({{ where: {{ id }} }}){closing};\n  return dto.name;\n}}\n"
    [awaited] = parse("f.ts", source.encode(), "typescript").awaits
    assert awaited.result_uses == expected


def test_only_awaited_reads_of_rows_are_followed():
    source = b"async function f(prisma) {\n  const n = await prisma.image.count();\n  return n.length;\n}\n"
    [awaited] = parse("f.ts", source, "typescript").awaits
    assert awaited.result_uses == ()


def findings(tmp_path, code: str) -> list[str]:
    (tmp_path / "schema.prisma").write_text(SCHEMA)
    (tmp_path / "reads.ts").write_text("import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\n" + code)
    report = analyze(tmp_path, root=tmp_path, use_cache=False)
    return [f.message for f in report.findings if f.rule == "over-fetching"]


def test_unread_include_names_the_relation(tmp_path):
    [message] = findings(
        tmp_path,
        "export async function f(id: number) {\n"
        "  const post = await prisma.post.findUnique({ where: { id }, select: { id: true, author: true } });\n"
        "  return post?.id;\n}\n",
    )
    assert "relation `author`" in message and "`.id`" in message


def test_unread_large_column_suggests_a_select_of_what_is_read(tmp_path):
    [message] = findings(
        tmp_path,
        "export async function f(id: number) {\n"
        "  const user = await prisma.user.findUnique({ where: { id } });\n"
        "  return user?.name;\n}\n",
    )
    assert "large column `bio`" in message and "select: { name: true }" in message


@pytest.mark.parametrize(
    "use",
    [
        "return user;",  # returned whole
        "return user?.bio;",  # the large column is read
        "return JSON.stringify(user);",  # serialised
        "return user?.nickname;",  # a field the schema does not know: not a plain row
    ],
)
def test_rows_read_in_full_are_not_reported(tmp_path, use):
    assert findings(
        tmp_path,
        f"export async function f(id: number) {{\n  const user = await prisma.user.findUnique({{ where: {{ id }} }});\n  {use}\n}}\n",
    ) == []


def test_select_and_omit_leave_large_columns_out(tmp_path):
    assert findings(
        tmp_path,
        "export async function f(id: number) {\n"
        "  const a = await prisma.user.findUnique({ where: { id }, select: { name: true } });\n"
        "  const b = await prisma.user.findUnique({ where: { id }, omit: { bio: true } });\n"
        "  return [a?.name, b?.name];\n}\n",
    ) == []


def test_unread_relation_of_listed_rows(tmp_path):
    [message] = findings(
        tmp_path,
        "export async function f(authorId: number) {\n"
        "  const posts = await prisma.post.findMany({ where: { authorId }, include: { author: true }, select: undefined });\n"
        "  return posts.map((post) => post.id);\n}\n",
    )
    assert "relation `author`" in message and "`.id` of each row" in message


@pytest.mark.parametrize(
    "use",
    [
        "return posts.map((post) => post.author.name);",  # the relation is read from each row
        "return posts.map(show);",  # each row goes to code not seen here
        "return posts.length;",  # only counted: the count advice, not this one
    ],
)
def test_listed_rows_read_in_full_or_counted_get_no_unread_finding(tmp_path, use):
    messages = findings(
        tmp_path,
        f"export async function f(authorId: number) {{\n"
        f"  const posts = await prisma.post.findMany({{ where: {{ authorId }}, include: {{ author: true }} }});\n"
        f"  {use}\n}}\nfunction show(p: unknown) {{ return p; }}\n",
    )
    assert not any("relation `author`" in message for message in messages)
