"""SQL: recognising SQL in string literals, and reading SQL migrations into the schema model (via sqlglot)."""

from __future__ import annotations

import re

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
