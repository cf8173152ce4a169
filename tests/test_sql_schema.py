"""SQL migrations (Prisma's PostgreSQL, MySQL and SQLite output, and hand-written DDL) -> tables and indexes."""

from __future__ import annotations

import subprocess
import sys

from analyzers.prisma import parse_prisma
from analyzers.schema import Schema
from analyzers.sql import apply_migrations, parse_migration

INIT = """\
-- CreateEnum
CREATE TYPE "Role" AS ENUM ('CUSTOMER', 'ADMIN');

-- CreateTable
CREATE TABLE "public"."users" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "email" VARCHAR(255) NOT NULL,
    "name" TEXT,
    "role" "Role" NOT NULL DEFAULT 'CUSTOMER',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "orders" (
    "id" SERIAL NOT NULL,
    "user_id" UUID NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "tags" TEXT[],

    CONSTRAINT "orders_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "order_lines" (
    "order_id" INTEGER NOT NULL,
    "product_id" INTEGER NOT NULL,
    "quantity" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "order_lines_pkey" PRIMARY KEY ("order_id","product_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- AddForeignKey
ALTER TABLE "orders" ADD CONSTRAINT "orders_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "order_lines" ADD CONSTRAINT "order_lines_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;
"""

ADD_PLACED_AT = """\
-- DropForeignKey
ALTER TABLE "orders" DROP CONSTRAINT "orders_user_id_fkey";

-- AlterTable
ALTER TABLE "orders" ADD COLUMN "placed_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ALTER COLUMN "status" DROP NOT NULL;

-- CreateIndex
CREATE INDEX "orders_status_placed_at_idx" ON "orders"("status", "placed_at" DESC);

-- AddForeignKey
ALTER TABLE "orders" ADD CONSTRAINT "orders_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
"""

TIDY_UP = """\
-- DropIndex
DROP INDEX "users_email_key";

-- CreateIndex
CREATE UNIQUE INDEX "users_email_name_key" ON "users"("email", "name");

-- RenameIndex
ALTER INDEX "orders_status_placed_at_idx" RENAME TO "orders_status_idx";

-- AlterTable
ALTER TABLE "users" DROP COLUMN "name";

-- Data fix-up that has nothing to do with the schema.
INSERT INTO "orders" ("user_id", "status") VALUES ('00000000-0000-0000-0000-000000000000', 'a;b');
CREATE EXTENSION IF NOT EXISTS "pg_trgm";
"""

PRISMA_POSTGRES = [
    ("prisma/migrations/20240301090000_tidy_up/migration.sql", TIDY_UP),
    ("prisma/migrations/20240101090000_init/migration.sql", INIT),
    ("prisma/migrations/20240201090000_add_placed_at/migration.sql", ADD_PLACED_AT),
]

MYSQL = """\
-- CreateTable
CREATE TABLE `User` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `email` VARCHAR(191) NOT NULL,
    `name` VARCHAR(191) NULL,
    `role` ENUM('USER', 'ADMIN') NOT NULL DEFAULT 'USER',

    UNIQUE INDEX `User_email_key`(`email`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `Post` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `title` VARCHAR(191) NOT NULL,
    `body` TEXT NULL,
    `authorId` INTEGER NOT NULL,

    INDEX `Post_authorId_title_idx`(`authorId`, `title`),
    FULLTEXT INDEX `Post_body_idx`(`body`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE `Post` ADD CONSTRAINT `Post_authorId_fkey` FOREIGN KEY (`authorId`) REFERENCES `User`(`id`) ON DELETE RESTRICT ON UPDATE CASCADE;

-- DropIndex
DROP INDEX `User_email_key` ON `User`;

-- AlterTable
ALTER TABLE `User` ADD UNIQUE INDEX `User_email_role_key`(`email`, `role`);
"""

SQLITE = """\
-- CreateTable
CREATE TABLE "User" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "email" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "Post" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "authorId" INTEGER NOT NULL,
    CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Post" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "authorId" INTEGER NOT NULL,
    "slug" TEXT NOT NULL,
    CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Post" ("authorId", "id") SELECT "authorId", "id" FROM "Post";
DROP TABLE "Post";
ALTER TABLE "new_Post" RENAME TO "Post";
CREATE UNIQUE INDEX "Post_slug_key" ON "Post"("slug");
CREATE INDEX "Post_authorId_idx" ON "Post"("authorId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
"""


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def fks(schema: Schema, table: str) -> list[tuple[tuple[str, ...], str, tuple[str, ...], str | None]]:
    return [(f.columns, f.references_table, f.references_columns, f.name) for f in schema.tables[table].foreign_keys]


def test_prisma_postgres_init_migration():
    schema = parse_migration("prisma/migrations/20240101090000_init/migration.sql", INIT)
    assert schema.errors == []
    assert set(schema.tables) == {"users", "orders", "order_lines"}  # "public"."users" -> users; no enum table
    users = schema.tables["users"]
    assert [c.name for c in users.columns] == ["id", "email", "name", "role", "created_at"]
    assert (users.column("email").type, users.column("email").nullable) == ("VARCHAR(255)", False)
    assert users.column("name").nullable
    assert users.column("role").type == "Role"
    assert schema.tables["orders"].column("id").type == "SERIAL"
    assert schema.tables["orders"].column("tags").is_list
    assert [(i.columns, i.kind, i.name) for i in users.indexes] == [
        (("id",), "primary", "users_pkey"),
        (("email",), "unique", "users_email_key"),
    ]
    lines = schema.tables["order_lines"]
    assert lines.is_indexed(("order_id",)) and not lines.is_indexed(("product_id",))
    assert fks(schema, "orders") == [(("user_id",), "users", ("id",), "orders_user_id_fkey")]
    assert not schema.tables["orders"].is_indexed(("user_id",))
    assert users.line == line_of(INIT, 'CREATE TABLE "public"."users"')
    assert users.column("created_at").line == line_of(INIT, '"created_at" TIMESTAMP')
    assert users.indexes[1].line == line_of(INIT, 'CREATE UNIQUE INDEX "users_email_key"')


def test_later_migrations_modify_earlier_tables_in_path_order():
    schema = apply_migrations(PRISMA_POSTGRES)
    assert schema.errors == []
    orders, users = schema.tables["orders"], schema.tables["users"]
    # Dropped and re-added with a new ON DELETE: one foreign key, not two.
    assert fks(schema, "orders") == [(("user_id",), "users", ("id",), "orders_user_id_fkey")]
    assert orders.column("placed_at").nullable is False
    assert orders.column("status").nullable is True
    assert orders.is_indexed(("status",)) and orders.is_indexed(("status", "placed_at"))
    assert [i.name for i in orders.indexes if i.kind == "index"] == ["orders_status_idx"]
    assert users.column("name") is None
    # Dropping "name" took the unique index over (email, name) with it, and users_email_key was dropped before.
    assert not users.is_indexed(("email",))
    assert [i.kind for i in users.indexes] == ["primary"]
    assert orders.path.endswith("20240101090000_init/migration.sql")


def test_prisma_mysql_migration():
    schema = parse_migration("prisma/migrations/20240101_init/migration.sql", MYSQL)
    assert schema.errors == []
    user, post = schema.tables["User"], schema.tables["Post"]
    assert [c.name for c in user.columns] == ["id", "email", "name", "role"]
    assert user.column("name").nullable and not user.column("email").nullable
    assert [(i.columns, i.kind, i.name) for i in user.indexes] == [
        (("id",), "primary", None),
        (("email", "role"), "unique", "User_email_role_key"),
    ]
    assert post.is_indexed(("authorId",))
    assert not post.is_indexed(("body",))  # a FULLTEXT index does not serve equality lookups
    assert fks(schema, "Post") == [(("authorId",), "User", ("id",), "Post_authorId_fkey")]


def test_prisma_sqlite_redefine_table():
    schema = parse_migration("prisma/migrations/20240101_init/migration.sql", SQLITE, dialect="sqlite")
    assert schema.errors == []
    assert set(schema.tables) == {"User", "Post"}
    post = schema.tables["Post"]
    assert [c.name for c in post.columns] == ["id", "authorId", "slug"]
    assert post.is_indexed(("slug",)) and post.is_indexed(("authorId",)) and post.is_indexed(("id",))
    assert fks(schema, "Post") == [(("authorId",), "User", ("id",), "Post_authorId_fkey")]
    assert schema.tables["User"].is_indexed(("email",))
    # The same file also reads with the default dialect order.
    assert parse_migration("m.sql", SQLITE).tables["Post"].indexes == post.indexes


def test_hand_written_ddl_with_inline_keys():
    text = """\
CREATE TABLE accounts (
    id BIGINT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    owner_id INT CONSTRAINT accounts_owner_fk REFERENCES people (id) ON DELETE CASCADE,
    team_id INT,
    UNIQUE (owner_id, team_id),
    FOREIGN KEY (team_id) REFERENCES teams
);
CREATE INDEX accounts_lower_email ON accounts (lower(email));
ALTER TABLE accounts RENAME COLUMN team_id TO group_id;
"""
    schema = parse_migration("schema.sql", text)
    assert schema.errors == []
    accounts = schema.tables["accounts"]
    assert accounts.column("id").nullable is False  # primary keys are NOT NULL
    assert accounts.is_indexed(("email",)) and accounts.is_indexed(("owner_id", "group_id"))
    assert not accounts.is_indexed(("group_id",))
    assert fks(schema, "accounts") == [
        (("owner_id",), "people", ("id",), "accounts_owner_fk"),
        (("group_id",), "teams", (), None),
    ]
    # An expression index does not make the bare column indexed.
    assert [i.columns for i in accounts.indexes if i.name == "accounts_lower_email"] == [("LOWER(email)",)]


def test_unparseable_statement_is_an_error_and_the_rest_applies():
    text = INIT.replace(
        "-- CreateIndex",
        'CREATE TABLE "broken" ("id" INTEGER NOT NULL, CONSTRAINT "broken_pkey" PRIMARY KEY ("id");\n\n-- CreateIndex',
    )
    schema = parse_migration("m.sql", text)
    [(path, message)] = schema.errors
    assert path == "m.sql"
    assert message.startswith(f"line {line_of(text, 'broken_pkey')}:")
    assert "broken" not in schema.tables
    assert schema.tables["users"].is_indexed(("email",))  # the statement after the broken one
    assert fks(schema, "order_lines") == [(("order_id",), "orders", ("id",), "order_lines_order_id_fkey")]


def test_unterminated_quote_costs_one_statement():
    text = "CREATE TABLE a (id INT PRIMARY KEY);\nCREATE TABLE b (name TEXT DEFAULT 'oops);\nCREATE INDEX a_id ON a (id);\n"
    schema = parse_migration("m.sql", text)
    assert [m.split(":")[0] for _, m in schema.errors] == ["line 2"]
    assert set(schema.tables) == {"a"}
    assert [i.name for i in schema.tables["a"].indexes] == [None, "a_id"]


def test_numbered_files_apply_in_numeric_order():
    files = [
        ("sql/V10__drop.sql", "DROP TABLE t;"),
        ("sql/V2__create.sql", "CREATE TABLE t (id INT);"),
        ("sql/V1__seed.sql", "CREATE TABLE s (id INT);"),
    ]
    assert set(apply_migrations(files).tables) == {"s"}


def test_migrations_and_prisma_schema_merge():
    schema = apply_migrations(PRISMA_POSTGRES)
    schema.merge(parse_prisma("schema.prisma", 'model User {\n  id String @id\n  email String\n  @@map("users")\n}\n'))
    assert schema.by_model("User") is schema.tables["users"]
    assert schema.tables["users"].column("id").type == "UUID"  # the migration's column is kept


def test_importing_analyzers_sql_does_not_load_sqlglot():
    code = "import sys, analyzers.sql; print('sqlglot' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_renaming_a_constraint_is_not_an_error():
    schema = apply_migrations([
        ("001.sql", 'CREATE TABLE "Org" ("id" TEXT NOT NULL, CONSTRAINT "Org_pkey" PRIMARY KEY ("id"));'),
        ("002.sql", 'ALTER TABLE "Org" RENAME TO "Project";\nALTER TABLE "Project" RENAME CONSTRAINT "Org_pkey" TO "Project_pkey";'),
    ])
    assert schema.errors == []
    assert schema.tables["Project"].is_indexed(("id",))
