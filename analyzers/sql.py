"""SQL: recognising SQL in string literals, and reading SQL migrations into the schema model (via sqlglot)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analyzers.schema import Schema

# A statement keyword at the start, followed later by a clause that only SQL has. Cheap enough to run on
# every string literal a front-end sees; sqlglot only parses the strings that pass.
_SQL_START = re.compile(
    r"^\s*(?:\(\s*)?(?:WITH\s+\w+\s+AS|SELECT|INSERT\s+INTO|UPDATE\s+[\w\".`]+\s+SET|DELETE\s+FROM|"
    r"CREATE\s+(?:UNIQUE\s+)?(?:TABLE|INDEX|VIEW)|ALTER\s+TABLE|DROP\s+(?:TABLE|INDEX)|UPSERT|MERGE\s+INTO)\b",
    re.IGNORECASE,
)
_SQL_BODY = re.compile(r"\b(?:FROM|INTO|SET|TABLE|INDEX|VALUES|WHERE|JOIN|RETURNING|VIEW)\b", re.IGNORECASE)


def looks_like_sql(text: str) -> bool:
    """True for strings such as ``"SELECT * FROM users WHERE id = $1"``; false for prose like ``"Select a file"``."""
    if len(text) < 10 or not _SQL_START.match(text):
        return False
    return bool(_SQL_BODY.search(text))


def parse_migration(path: str, text: str, dialect: str | None = None) -> Schema:
    """Tables and indexes that one SQL migration file leaves behind; see ``analyzers.sql_migrations``."""
    from analyzers import sql_migrations  # sqlglot loads on first use, not when a front-end imports this module

    return sql_migrations.parse_migration(path, text, dialect)


def apply_migrations(paths_and_texts: list[tuple[str, str]], dialect: str | None = None) -> Schema:
    """Apply many migration files in path order; see ``analyzers.sql_migrations``."""
    from analyzers import sql_migrations

    return sql_migrations.apply_migrations(paths_and_texts, dialect)


_QUERY_DIALECTS = ("postgres", "mysql", "sqlite")


def quiet_sqlglot() -> None:
    """sqlglot logs a warning for every statement it can only keep as an opaque command; the errors we
    report are enough, so its log stays off the user's terminal."""
    import logging

    logging.getLogger("sqlglot").setLevel(logging.ERROR)


def parse_query(text: str):
    """(sqlglot tree, dialect) of a SQL string found in code, trying common dialects in turn; None if none reads it.

    sqlglot's own warnings are silenced: a string it cannot read is simply not analysed.
    """
    import sqlglot
    from sqlglot.errors import SqlglotError

    quiet_sqlglot()
    for dialect in _QUERY_DIALECTS:
        try:
            tree = sqlglot.parse_one(text, read=dialect)
        except (SqlglotError, ValueError):
            continue
        if tree is not None:
            return tree, dialect
    return None
