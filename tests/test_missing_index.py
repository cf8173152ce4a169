"""missing-index: query shapes from TS sources, SQL columns, the prefix rules, foreign keys per database, messages."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from analyzers.detectors._query_columns import Lookup, join_uses, prisma_lookups, sort_uses, sql_lookups, where_uses
from analyzers.detectors.missing_index import missing_columns
from analyzers.prisma import parse_prisma
from analyzers.schema import Column, Table
from analyzers.sql import apply_migrations, parse_migration
from js_helpers import by_callee, facts
from optimizer.api import analyze
from optimizer.config import Config

SCHEMA = """\
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id        Int      @id
  email     String   @unique
  createdAt DateTime @map("created_at")
  posts     Post[]   @relation("written")
  edits     Post[]   @relation("edited")

  @@map("users")
}

model Post {
  id        Int      @id
  title     String
  authorId  Int      @map("author_id")
  author    User     @relation("written", fields: [authorId], references: [id])
  editorId  Int?     @map("editor_id")
  editor    User?    @relation("edited", fields: [editorId], references: [id])
  status    String
  createdAt DateTime @map("created_at")
  tags      Tag[]

  @@index([status, createdAt])
  @@map("posts")
}

model Tag {
  id    Int    @id
  name  String @unique
  posts Post[]
}
"""


@pytest.fixture(scope="module")
def schema():
    return parse_prisma("schema.prisma", SCHEMA)


def keys(source: str, callee: str) -> tuple[str, ...]:
    return by_callee(facts(source), callee).arg_keys


# --- query shapes in the JS/TS front-end ---------------------------------------------------------------


def test_arg_keys_are_the_leaf_paths_of_the_query_object():
    found = keys(
        """
        const q = 'x';
        await prisma.post.findMany({
          where: { authorId, author: { posts: { some: { title: q } } }, OR: [{ status: 'a' }, { id: 1 }],
                   createdAt: { gte: since }, tags: { some: {} }, [dynamic]: 1, 'quoted': 2, ...rest },
          orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
          cursor: { id } as Prisma.PostWhereUniqueInput,
          include: { author: true },
          take: 10,
          helper() {},
        });
        """,
        "prisma.post.findMany",
    )
    assert found == (
        "where.authorId", "where.author.posts.some.title", "where.OR.status", "where.OR.id", "where.createdAt.gte",
        "where.tags.some", "where.*", "where.quoted", "orderBy.createdAt", "orderBy.id", "cursor.id",
        "include.author", "take",
    )


def test_conditional_filters_keep_both_branches_and_undefined_adds_nothing():
    found = keys(
        "prisma.post.count({ where: { title: q ? { contains: q, mode: 'insensitive' } : undefined, id: undefined } })",
        "prisma.post.count",
    )
    assert found == ("where.title.contains", "where.title.mode")


def test_arg_keys_only_for_query_object_literals_of_delegate_methods():
    module = facts("prisma.post.create({ data: { title } }); prisma.post.findMany(args); cache.get({ id });")
    assert [(c.callee, c.arg_keys) for c in module.calls] == [
        ("prisma.post.create", ()), ("prisma.post.findMany", ()), ("cache.get", ()),
    ]


def test_arg_keys_are_bounded():
    deep = "{ a: " * 12 + "1" + " }" * 12
    assert keys(f"prisma.x.findMany({{ where: {deep} }})", "prisma.x.findMany") == ("where.a.a.a.a.a.a.a.*",)
    wide = ", ".join(f"k{i}: {i}" for i in range(100))
    found = keys(f"prisma.x.findMany({{ where: {{ {wide} }} }})", "prisma.x.findMany")
    assert len(found) == 65 and found[-1] == "where.*"


# --- Prisma shapes -> lookups ------------------------------------------------------------------------------


def test_where_and_order_map_to_database_columns(schema):
    table = schema.by_model("Post")
    lookups = prisma_lookups(schema, table, "findFirst", ("where.authorId", "where.createdAt.lt", "orderBy.createdAt"))
    assert lookups == [Lookup("posts", ("author_id",), ("created_at",), ("created_at",), (), True, ("created_at",))]
    between = prisma_lookups(schema, table, "findMany", ("where.createdAt.gte", "where.createdAt.lt"))
    assert between == [Lookup("posts", ranged=("created_at",))]


def test_relation_filters_use_the_related_models_foreign_key_named_by_the_relation(schema):
    users = schema.by_model("User")
    lookups = prisma_lookups(schema, users, "findMany", ("where.edits.none.status", "where.email"))
    assert lookups == [
        Lookup("posts", ("editor_id", "status"), joined=("editor_id",)),
        Lookup("users", ("email",)),
    ]


def test_include_reads_the_list_side_by_its_foreign_key_and_the_to_one_side_by_its_key(schema):
    users, posts = schema.by_model("User"), schema.by_model("Post")
    assert prisma_lookups(schema, users, "findUnique", ("where.id", "include.posts.orderBy.createdAt")) == [
        Lookup("users", ("id",), limited=True),
        Lookup("posts", ("author_id",), sorted=("created_at",), joined=("author_id",)),
    ]
    assert prisma_lookups(schema, posts, "findMany", ("where.id.in", "include.author")) == [Lookup("posts", ("id",))]


def test_unreadable_filters_give_no_lookup(schema):
    posts = schema.by_model("Post")
    for paths in [("where",), ("where.*", "where.title"), ("where.nope",), ("where.AND",), ("where.title.contains",)]:
        assert prisma_lookups(schema, posts, "findMany", paths) == [], paths
    # an implicit many-to-many relation has no foreign key to join on; the nested filter still counts
    assert prisma_lookups(schema, posts, "findMany", ("where.tags.some.name",)) == [Lookup("Tag", ("name",))]


# --- raw SQL -> lookups ----------------------------------------------------------------------------------


def test_sql_passes_each_read_one_clause():
    import sqlglot

    select = sqlglot.parse_one(
        "SELECT * FROM posts p JOIN users u ON u.id = p.author_id AND u.email = $2 "
        "WHERE p.status = $1 AND p.created_at > now() AND p.title LIKE '%x%' AND (p.id = 1 OR p.id = 2) "
        "ORDER BY p.created_at DESC, lower(p.title), p.id",
        read="postgres",
    )
    assert [(u.qualifier, u.column, u.role) for u in where_uses(select)] == [
        ("p", "status", "equality"), ("p", "created_at", "range"),
    ]
    assert [(u.qualifier, u.column, u.role) for u in join_uses(select)] == [
        ("u", "id", "join"), ("p", "author_id", "join"), ("u", "email", "equality"),
    ]
    assert [(u.column, u.role) for u in sort_uses(select)] == [("created_at", "sort")]


def test_join_columns_are_lookup_keys_only_when_the_other_side_is_filtered(schema):
    driven = sql_lookups(schema, 'SELECT p.title FROM users u JOIN posts p ON p.author_id = u.id WHERE u.email = $1')
    assert Lookup("posts", ("author_id",), joined=("author_id",)) in driven
    unfiltered = sql_lookups(schema, "SELECT p.title FROM users u JOIN posts p ON p.author_id = u.id")
    assert all(not lookup.equality for lookup in unfiltered)


def test_sql_subqueries_unknown_tables_and_unknown_columns(schema):
    nested = sql_lookups(schema, "DELETE FROM posts WHERE author_id IN (SELECT id FROM users WHERE created_at < ?)")
    assert nested == [Lookup("posts", ("author_id",)), Lookup("users", ranged=("created_at",), older=("created_at",))]
    assert sql_lookups(schema, "SELECT * FROM elsewhere WHERE a = 1") == []
    assert sql_lookups(schema, "SELECT * FROM posts WHERE no_such_column = 1") == []
    assert sql_lookups(schema, "SELECT * FROM ? WHERE id = 1") == []


# --- the prefix rules ----------------------------------------------------------------------------------------


def test_compound_index_serves_its_leading_column_only(schema):
    posts = schema.by_model("Post")
    assert missing_columns(posts, Lookup("posts", ("status",))) is None
    assert missing_columns(posts, Lookup("posts", ranged=("created_at",))) == ("created_at",)
    # equality columns in any order: the index leading with one of them serves the lookup
    assert missing_columns(posts, Lookup("posts", ("title", "status"))) is None
    assert missing_columns(posts, Lookup("posts", ("id", "title"))) is None


def test_suggestion_puts_keys_first_then_equality_then_one_range_or_sort_column(schema):
    posts = schema.by_model("Post")
    lookup = Lookup("posts", ("title", "author_id"), ("created_at",), ("id",))
    assert missing_columns(posts, lookup) == ("author_id", "title", "created_at")
    assert missing_columns(posts, Lookup("posts", ("title",), sorted=("id", "title"))) == ("title", "id")


def test_sort_alone_needs_a_limit_and_range_columns_count_as_served():
    table = parse_prisma("s.prisma", "model t {\n a Int @id\n b Int\n c Int\n @@index([b])\n}\n").tables["t"]
    assert missing_columns(table, Lookup("t", sorted=("c",))) is None
    assert missing_columns(table, Lookup("t", sorted=("c",), limited=True)) == ("c",)
    assert missing_columns(table, Lookup("t", ("c",), ranged=("b",))) is None  # the planner can start at b
    assert missing_columns(table, Lookup("t", joined=("b",), ranged=("c",))) is None


def test_foreign_keys_count_as_indexed_only_where_the_database_indexes_them(schema):
    posts = schema.by_model("Post")
    lookup = Lookup("posts", ("author_id",), joined=("author_id",))
    assert missing_columns(posts, lookup) == ("author_id",)
    assert missing_columns(posts, lookup, implicit_fk=True) is None


@pytest.mark.parametrize(("quote", "provider"), [('"', None), ("`", "mysql")])
def test_migrations_tell_mysql_by_its_backquotes(quote, provider):
    ddl = (
        "CREATE TABLE {q}a{q} ({q}id{q} INT PRIMARY KEY);\n"
        "CREATE TABLE {q}b{q} ({q}id{q} INT PRIMARY KEY, {q}a_id{q} INT REFERENCES {q}a{q}({q}id{q}));\n"
    ).format(q=quote)
    migrated = apply_migrations([("m/001.sql", ddl)])
    assert migrated.provider == provider
    (lookup,) = sql_lookups(migrated, "SELECT b.id FROM b WHERE b.a_id = ?")
    assert (missing_columns(migrated.tables["b"], lookup, migrated.provider == "mysql") is None) == bool(provider)


# --- the detector end to end ------------------------------------------------------------------------------


def run(tmp_path, schema_text: str, code: str, **rules):
    (tmp_path / "schema.prisma").write_text(schema_text)
    (tmp_path / "app.ts").write_text(code)
    config = Config(select=("missing-index",), rules=MappingProxyType({"missing-index": rules}))
    return analyze(tmp_path, use_cache=False, config=config).findings


APP = """\
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
export const byAuthor = (authorId: number) =>
  prisma.post.findMany({ where: { authorId }, orderBy: { createdAt: 'desc' } });
export async function byAuthors(ids: number[]) {
  for (const authorId of ids) {
    await prisma.post.findMany({ where: { authorId } });
  }
}
export const withPosts = (id: number) => prisma.user.findUnique({ where: { id }, include: { posts: true } });
"""


def test_one_finding_per_missing_index_with_the_exact_fixes(tmp_path):
    (finding,) = run(tmp_path, SCHEMA, APP)
    assert (finding.path, finding.line) == ("app.ts", 4)
    assert "`@@index([authorId, createdAt])` to model `Post`" in finding.message
    assert 'CREATE INDEX "posts_author_id_created_at_idx" ON "posts" ("author_id", "created_at");' in finding.message
    assert "PostgreSQL does not index foreign keys by itself" in finding.message
    assert [(r.path, r.line) for r in finding.related] == [("app.ts", 7), ("app.ts", 10), ("schema.prisma", 16)]
    assert finding.weight == 1 + 2 + 1  # the query in a loop counts double


def test_mysql_indexes_foreign_keys_itself(tmp_path):
    assert run(tmp_path, SCHEMA.replace('"postgresql"', '"mysql"'), APP) == []


def test_small_tables_and_missing_schema_give_no_findings(tmp_path):
    assert run(tmp_path, SCHEMA, APP, **{"small-tables": ["Post"]}) == []
    assert run(tmp_path, SCHEMA, APP, **{"small-tables": ["posts"]}) == []
    (tmp_path / "schema.prisma").unlink()
    config = Config(select=("missing-index",))
    assert analyze(tmp_path, use_cache=False, config=config).findings == []


def test_datasource_provider_and_relation_names_are_read(schema):
    assert schema.provider == "postgresql"
    assert {r.field: r.name for r in schema.by_model("Post").relations} == {
        "author": "written", "editor": "edited", "tags": None,
    }


def test_sql_ranges_bounded_only_from_above_read_the_old_rows(schema):
    assert sql_lookups(schema, "SELECT id FROM users WHERE $1 > created_at") == [
        Lookup("users", ranged=("created_at",), older=("created_at",))
    ]
    assert sql_lookups(schema, "SELECT id FROM users WHERE created_at >= $1 AND created_at < $2") == [
        Lookup("users", ranged=("created_at",))
    ]


def test_old_rows_of_a_column_every_row_fills_ask_for_no_index():
    table = Table("events", columns=[Column("id", "id", "Int", nullable=False),
                                     Column("created_at", "created_at", "DateTime", nullable=False),
                                     Column("deleted_at", "deleted_at", "DateTime")])
    assert missing_columns(table, Lookup("events", ranged=("created_at",), older=("created_at",))) is None
    assert missing_columns(table, Lookup("events", ranged=("created_at",))) == ("created_at",)
    assert missing_columns(table, Lookup("events", ranged=("deleted_at",), older=("deleted_at",))) == ("deleted_at",)


def test_some_and_is_filters_find_the_parent_by_its_join_key(schema):
    users, posts = schema.by_model("User"), schema.by_model("Post")
    written = Lookup("posts", ("author_id", "title"), joined=("author_id",))
    assert prisma_lookups(schema, users, "findMany", ("where.posts.some.title",)) == [written, Lookup("users", ("id",))]
    # rows without a match cannot be found through the related table
    assert prisma_lookups(schema, users, "findMany", ("where.posts.none.title",)) == [written]
    assert prisma_lookups(schema, posts, "findMany", ("where.author.is.email",)) == [
        Lookup("users", ("email",)), Lookup("posts", ("author_id",))
    ]


def test_clickhouse_merge_tree_key_is_the_tables_index():
    schema = parse_migration(
        "clickhouse/schema.sql",
        "CREATE TABLE stats (site_id UUID, created_at DateTime, n UInt64) "
        "ENGINE = AggregatingMergeTree PARTITION BY toYYYYMM(created_at) ORDER BY (site_id, toStartOfHour(created_at));\n"
        "CREATE TABLE events (id UUID, site_id UUID) ENGINE = MergeTree PRIMARY KEY (site_id) ORDER BY (site_id, id);\n"
        "CREATE TABLE plain (id INT, site_id INT);",
    )
    assert [(i.columns, i.kind) for i in schema.tables["stats"].indexes] == [(("site_id", "created_at"), "primary")]
    assert [i.columns for i in schema.tables["events"].indexes] == [("site_id",)]
    assert schema.tables["plain"].indexes == []
