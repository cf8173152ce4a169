"""Query-builder reads `unbounded-query` follows: knex, Kysely and SQLAlchemy chains, bounded or not."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from analyzers.detectors._query_builders import builder_inserts, unbounded_builder_reads
from analyzers.javascript import parse as parse_js
from analyzers.python import parse as parse_py
from optimizer.api import analyze
from optimizer.config import Config, ConfigError, load_config


def js_reads(statement: str) -> list[tuple[str, str | None]]:
    source = f"async function f(knex, db, id) {{\n  const rows = {statement};\n  return rows;\n}}\n"
    module = parse_js("f.ts", source.encode(), "typescript")
    return [(read.library, read.table) for read in unbounded_builder_reads(module)]


def py_reads(body: str) -> list[tuple[str, str | None]]:
    source = "async def f(session, db):\n" + "".join(f"    {line}\n" for line in body.splitlines())
    module = parse_py("f.py", source.encode())
    return [(read.library, read.table) for read in unbounded_builder_reads(module)]


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("await knex('users as u').select('id').where({ id })", [("knex", "users")]),
        ("await db('users')", [("knex", "users")]),
        ("await this.db('users').orderBy('id')", [("knex", "users")]),
        ("await knex('users').where({ id }).first()", []),
        ("await knex('users').limit(10)", []),
        ("await knex('users').count('id as n')", []),
        ("await knex('users').insert({ id })", []),
        ("knex('users')", []),  # a builder finished later
        ("await knex('a').whereIn('id', knex('b').select('id')).limit(5)", []),
        ("await knex('a').select(knex.raw('count(*) as n'))", []),
        ("await db.selectFrom('person').selectAll().execute()", [("kysely", "person")]),
        ("await db.selectFrom('person').selectAll().executeTakeFirst()", []),
        ("await db.selectFrom('person').selectAll().limit(10).execute()", []),
        ("await db.selectFrom('person').select((eb) => eb.fn.countAll().as('n')).execute()", []),
        ("await prisma.user.findMany()", []),
    ],
)
def test_js_builder_reads(statement, expected):
    assert js_reads(statement) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("return session.query(User).filter(User.a == 1).all()", [("sqlalchemy", "User")]),
        ("return User.query.filter_by(a=1).all()", [("sqlalchemy", "User")]),
        ("return db.session.execute(select(User)).scalars().all()", [("sqlalchemy", "User")]),
        ("r = await session.execute(select(User))\nreturn r.scalars().all()", [("sqlalchemy", "User")]),
        ("r = await session.execute(select(User))\nreturn r.scalar_one()", []),
        ("return session.query(User).limit(5).all()", []),
        ("return session.query(User).first()", []),
        ("return session.execute(select(User).limit(5)).scalars().all()", []),
        ("return session.execute(select(func.count(User.id))).scalars().all()", []),
        ("return session.query(User)", []),  # not run here
        ("return session.execute(stmt).scalars().all()", []),  # the statement is not visible
    ],
)
def test_sqlalchemy_reads(body, expected):
    assert py_reads(body) == expected


def test_inserts_name_their_tables():
    js = parse_js(
        "f.ts",
        b"async function f(knex, db) {\n  await knex('orders').insert({});\n"
        b"  await db.insertInto('audit').values({}).execute();\n  await knex('orders').where({}).first();\n}\n",
        "typescript",
    )
    py = parse_py(
        "f.py",
        b"def f(session):\n    note = Note(text='x')\n    session.add(note)\n\n"
        b"def g(session):\n    return Tag(label='x')\n\ndef h(session):\n    session.execute(insert(Event).values(a=1))\n",
    )
    assert [table for table, _ in builder_inserts(js)] == ["orders", "audit"]
    assert [table for table, _ in builder_inserts(py)] == ["Note", "Event"]


def test_builder_read_on_a_route_over_a_growing_table(tmp_path):
    (tmp_path / "app.ts").write_text(
        "import express from 'express';\nimport knexFactory from 'knex';\n"
        "const knex = knexFactory({});\nconst app = express();\n"
        "app.post('/e', async (req, res) => { await knex('events').insert(req.body); res.end(); });\n"
        "app.get('/e', async (_req, res) => res.json(await knex('events').orderBy('id')));\n"
        "app.get('/k', async (_req, res) => res.json(await knex('kinds').orderBy('id')));\n"
        "export async function report() { return knex('events').orderBy('id'); }\n"
    )
    findings = [f for f in analyze(tmp_path, root=tmp_path, use_cache=False).findings if f.rule == "unbounded-query"]
    assert [(f.location.line, "`events`" in f.message, "app.ts:5" in f.message) for f in findings] == [(6, True, True)]


@pytest.mark.parametrize(
    "statement",
    ["await knex('users').whereIn('id', ids)", "await db.selectFrom('person').where('id', 'in', ids).selectAll().execute()"],
)
def test_reads_of_listed_keys_are_bounded(statement):
    assert js_reads(statement) == []


def test_sqlalchemy_in_list_is_bounded():
    assert py_reads("return session.execute(select(User).where(User.id.in_(ids))).scalars().all()") == []


SCHEMA = """\
model Poll {
  id      String   @id
  title   String
  options Option[]
}

model Option {
  id     String @id
  label  String
  pollId String
  poll   Poll   @relation(fields: [pollId], references: [id])
}
"""

ROUTES = """\
import express from 'express';
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
const app = express();
app.post('/o', async (req, res) => res.json(await prisma.option.create({ data: req.body })));
app.get('/a', async (req, res) => res.json(await prisma.option.findMany({ where: { pollId: req.query.poll } })));
app.get('/b', async (req, res) => res.json(await prisma.option.findMany({ where: { poll: { id: req.query.poll } } })));
app.get('/c', async (req, res) => res.json(await prisma.option.findMany({ where: { label: req.query.label } })));
app.get('/d', async (req, res) => res.json(await prisma.option.findMany({ where: req.query.poll ? { pollId: req.query.poll } : {} })));
app.get('/e', async (req, res) => res.json(await prisma.option.findMany({ where: { pollId: { not: req.query.poll } } })));
"""


def unbounded_lines(tmp_path, rules=None) -> list[int]:
    (tmp_path / "schema.prisma").write_text(SCHEMA)
    (tmp_path / "app.ts").write_text(ROUTES)
    config = Config(select=("unbounded-query",), rules=MappingProxyType({"unbounded-query": rules or {}}))
    return [f.location.line for f in analyze(tmp_path, root=tmp_path, use_cache=False, config=config).findings]


def test_one_parents_children_are_not_reported_by_default(tmp_path):
    # /a pins the foreign key, /b the to-one relation; /c filters on a plain column, /d may pin nothing,
    # /e excludes a parent instead of pinning one
    assert unbounded_lines(tmp_path) == [8, 9, 10]


def test_per_parent_option_reports_them(tmp_path):
    assert unbounded_lines(tmp_path, {"per-parent": True}) == [6, 7, 8, 9, 10]


def test_per_parent_option_is_validated(tmp_path):
    (tmp_path / ".perfrewrite.toml").write_text('[rules.unbounded-query]\nper-parent = "yes"\n')
    with pytest.raises(ConfigError, match="per-parent"):
        load_config(tmp_path)
