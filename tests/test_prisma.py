"""schema.prisma -> tables, columns, keys, indexes and relations, including multi-file schemas and bad input."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from analyzers.prisma import parse_prisma, resolve_references
from analyzers.schema import Schema

GENERATOR_AND_ENUM = """\
// Storefront schema.
generator client {
  provider        = "prisma-client-js"
  previewFeatures = ["fullTextSearch"]
}

datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

/// Who can do what.
enum Role {
  CUSTOMER
  ADMIN
}
"""

USERS = """\
model User {
  id        String   @id @default(dbgenerated("gen_random_uuid()")) @db.Uuid
  email     String   @unique @db.VarChar(255)
  name      String?
  role      Role     @default(CUSTOMER)
  createdAt DateTime @default(now()) @map("created_at")
  orders    Order[]
  reviews   Review[] @relation("ReviewAuthor")
  profile   Profile?

  @@map("users")
}

model Profile {
  userId String @id @map("user_id") @db.Uuid
  bio    String @default("Hello // not a comment (really)")
  user   User   @relation(fields: [userId], references: [id], onDelete: Cascade)

  @@map("profiles")
}
"""

SHOP = """\
model Product {
  id         Int         @id @default(autoincrement())
  sku        String      @unique(map: "product_sku_key")
  title      String
  priceCents Int         @map("price_cents")
  tags       String[]
  categoryId Int?        @map("category_id")
  category   Category?   @relation(fields: [categoryId], references: [id])
  lines      OrderLine[]
  reviews    Review[]

  @@index([categoryId, priceCents(sort: Desc)], map: "products_category_price_idx")
  @@map("products")
}

model Category {
  id       Int       @id @default(autoincrement())
  slug     String    @unique
  products Product[]
  @@map("categories")
}

model Order {
  id       Int         @id @default(autoincrement())
  userId   String      @map("user_id") @db.Uuid
  user     User        @relation(fields: [userId], references: [id])
  status   String      @default("pending")
  placedAt DateTime    @default(now()) @map("placed_at")
  lines    OrderLine[]

  @@index(
    fields: [status, placedAt],
    type: BTree
  )
  @@map("orders")
}

/// One product on one order; the key leads with orderId, so lookups by productId need an index of their own.
model OrderLine {
  orderId   Int     @map("order_id")
  productId Int     @map("product_id")
  quantity  Int     @default(1)
  order     Order   @relation(fields: [orderId], references: [id], onDelete: Cascade)
  product   Product @relation(fields: [productId], references: [id])

  @@id([orderId, productId])
  @@map("order_lines")
}

model Review {
  id        Int     @id @default(autoincrement())
  rating    Int
  body      String? // optional text
  authorId  String  @map("author_id") @db.Uuid
  author    User    @relation("ReviewAuthor", fields: [authorId], references: [id])
  productId Int     @map("product_id")
  product   Product @relation(fields: [productId], references: [id])

  @@unique([authorId, productId], name: "one_review_per_product")
  @@index([productId])
  @@map("reviews")
}
"""

SCHEMA = GENERATOR_AND_ENUM + "\n" + USERS + "\n" + SHOP


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def fks(schema: Schema, table: str) -> set[tuple[tuple[str, ...], str, tuple[str, ...]]]:
    return {(fk.columns, fk.references_table, fk.references_columns) for fk in schema.tables[table].foreign_keys}


def test_models_become_tables_named_by_map():
    schema = parse_prisma("schema.prisma", SCHEMA)
    assert schema.errors == []
    assert set(schema.tables) == {"users", "profiles", "products", "categories", "orders", "order_lines", "reviews"}
    assert schema.by_model("OrderLine").name == "order_lines"
    assert schema.tables["users"].model == "User"
    assert schema.tables["users"].line == line_of(SCHEMA, "model User {")


def test_columns_use_database_names_and_relation_fields_are_not_columns():
    schema = parse_prisma("schema.prisma", SCHEMA)
    products = schema.tables["products"]
    assert [c.name for c in products.columns] == ["id", "sku", "title", "price_cents", "tags", "category_id"]
    price = products.column("priceCents")
    assert (price.name, price.field, price.type, price.nullable) == ("price_cents", "priceCents", "Int", False)
    assert products.column("tags").is_list
    assert products.column("category_id").nullable
    assert schema.tables["users"].column("role").type == "Role"
    assert schema.tables["users"].column("created_at").line == line_of(SCHEMA, "createdAt DateTime")
    # The "//" inside the default string is not a comment, so the relation after it is still read.
    assert [r.field for r in schema.tables["profiles"].relations] == ["user"]


def test_indexes_come_from_id_unique_and_block_attributes_in_column_names():
    schema = parse_prisma("schema.prisma", SCHEMA)
    users, products, lines = schema.tables["users"], schema.tables["products"], schema.tables["order_lines"]
    assert users.is_indexed(("email",)) and users.is_indexed(("id",))
    assert not users.is_indexed(("created_at",))
    assert products.is_indexed(("category_id",))  # prefix of the compound index
    assert products.is_indexed(("category_id", "price_cents"))
    assert not products.is_indexed(("price_cents",))
    assert {i.name for i in products.indexes} >= {"product_sku_key", "products_category_price_idx"}
    assert [(i.columns, i.kind) for i in lines.indexes] == [(("order_id", "product_id"), "primary")]
    assert not lines.is_indexed(("product_id",))
    assert schema.tables["orders"].is_indexed(("status", "placed_at"))  # multi-line @@index(fields: ...)
    assert not schema.tables["orders"].is_indexed(("user_id",))  # Prisma does not index foreign keys on PostgreSQL
    [unique] = [i for i in schema.tables["reviews"].indexes if i.kind == "unique"]
    assert (unique.columns, unique.name) == (("author_id", "product_id"), "one_review_per_product")


def test_relations_give_foreign_keys_on_target_table_names():
    schema = parse_prisma("schema.prisma", SCHEMA)
    assert fks(schema, "orders") == {(("user_id",), "users", ("id",))}
    assert fks(schema, "order_lines") == {(("order_id",), "orders", ("id",)), (("product_id",), "products", ("id",))}
    assert fks(schema, "users") == set()
    relations = {r.field: (r.target, r.is_list, r.fields, r.references) for r in schema.tables["users"].relations}
    assert relations == {
        "orders": ("Order", True, (), ()),
        "reviews": ("Review", True, (), ()),
        "profile": ("Profile", False, (), ()),
    }
    [author] = [r for r in schema.tables["reviews"].relations if r.field == "author"]
    assert (author.target, author.fields, author.references) == ("User", ("authorId",), ("id",))
    assert author.line == line_of(SCHEMA, '@relation("ReviewAuthor", fields')


BROKEN = """\
model Good {
  id Int @id
}

model Broken {
  id      Int     @id
  title   String  @default("unterminated
  count   Int
  owner   @relation(fields: [ownerId])
  @@index([count
  slug    String  @unique
}

stray text here

model Unclosed {
  id Int @id

model After {
  id    Int @id
  email String @unique
}
"""


def test_malformed_lines_are_errors_and_the_rest_still_parses():
    schema = parse_prisma("bad.prisma", BROKEN)
    messages = [message for path, message in schema.errors]
    assert all(path == "bad.prisma" for path, _ in schema.errors)
    for needle in ('@default("unterminated', "owner   @relation", "@@index([count", "stray text", "model Unclosed"):
        assert any(m.startswith(f"line {line_of(BROKEN, needle)}:") for m in messages), needle
    broken = schema.tables["Broken"]
    assert [c.name for c in broken.columns] == ["id", "count", "slug"]
    assert broken.is_indexed(("slug",)) and not broken.is_indexed(("count",))
    assert schema.tables["After"].is_indexed(("email",))
    assert set(schema.tables) == {"Good", "Broken", "Unclosed", "After"}


def test_duplicate_model_and_unknown_index_field_are_reported():
    text = "model A {\n  id Int @id\n  @@index([nope])\n}\nmodel A {\n  id Int @id\n}\n"
    messages = [m for _, m in parse_prisma("dup.prisma", text).errors]
    assert any(m.startswith("line 3:") and "nope" in m for m in messages)
    assert any(m.startswith("line 5:") and "repeats" in m for m in messages)


def test_views_are_tables_and_composite_types_are_not():
    text = """\
type Address {
  street String
}

model Shop {
  id      Int     @id
  address Address
  area    Unsupported("polygon")?
}

view ShopStats {
  shopId Int @unique @map("shop_id")
  orders Int
}
"""
    schema = parse_prisma("v.prisma", text)
    assert schema.errors == []
    assert set(schema.tables) == {"Shop", "ShopStats"}
    shop = schema.tables["Shop"]
    assert shop.column("address").type == "Address"  # an embedded composite type, not a relation
    assert shop.column("area").type == 'Unsupported("polygon")'
    assert shop.relations == []
    assert schema.tables["ShopStats"].is_indexed(("shop_id",))


def test_schema_folder_files_merge_and_resolve_across_files():
    user_file = parse_prisma("prisma/schema/user.prisma", GENERATOR_AND_ENUM + USERS)
    shop_file = parse_prisma("prisma/schema/shop.prisma", SHOP)
    # Alone, the shop file cannot know User's table name, and the user file cannot tell Order is a model.
    assert fks(shop_file, "orders") == set()
    assert user_file.tables["users"].column("orders") is not None

    schema = Schema()
    schema.merge(user_file)
    schema.merge(shop_file)
    resolve_references(schema)
    resolve_references(schema)  # idempotent

    assert fks(schema, "orders") == {(("user_id",), "users", ("id",))}
    assert fks(schema, "reviews") == {(("author_id",), "users", ("id",)), (("product_id",), "products", ("id",))}
    users = schema.tables["users"]
    assert users.column("orders") is None
    assert {r.field for r in users.relations} == {"orders", "reviews", "profile"}
    assert schema.errors == []
    assert {t.path for t in schema.tables.values()} == {"prisma/schema/user.prisma", "prisma/schema/shop.prisma"}


# Fragments that glue into near-Prisma text, to reach deeper into the parser than random characters do.
PRISMA_PIECES = [
    "model",
    "enum",
    "view",
    "type",
    "datasource",
    " User",
    " Post",
    " {",
    "}",
    "\n",
    " id",
    " Int",
    "?",
    "[]",
    " @id",
    " @unique",
    " @@id([a, b])",
    '"',
    "(",
    ")",
    ",",
    ":",
    " @relation(fields: [a], references: [id])",
    " @@index([",
    "])",
    ' @map("x")',
    ' @@map("t")',
    "//",
    "///",
    " a",
    " b",
    " @default(now())",
    " @@unique(fields: [a])",
]


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.lists(st.sampled_from(PRISMA_PIECES), max_size=80).map("".join)))
def test_parse_prisma_never_raises(text):
    schema = parse_prisma("fuzz.prisma", text)
    assert isinstance(schema, Schema)
    assert all(path == "fuzz.prisma" and message.startswith("line ") for path, message in schema.errors)


def test_single_bare_field_in_block_index():
    schema = parse_prisma("schema.prisma", "model Log {\n  id Int @id\n  callId String\n  @@index(callId)\n}\n")
    assert schema.errors == []
    assert schema.tables["Log"].is_indexed(("callId",))
