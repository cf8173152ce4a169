"""SQL migrations -> the schema model: files in order, split into statements, each parsed by the first dialect
that reads it and applied by the passes in ``analyzers.sql_statements``."""

from __future__ import annotations

import re
from collections.abc import Iterator

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, SqlglotError
from sqlglot.tokens import TokenType

from analyzers.schema import Schema
from analyzers.sql import quiet_sqlglot
from analyzers.sql_statements import STATEMENTS, Tables
from analyzers.sql_tables import At

# Only statements that can change tables or indexes are parsed: data changes, PRAGMAs, CREATE TYPE/EXTENSION
# and DO blocks cannot, and sqlglot does not need to understand them. FULLTEXT/SPATIAL indexes are left out
# because they do not serve the equality and range lookups the schema model answers for.
_SCHEMA_DDL = re.compile(
    r"(?:CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:UNIQUE|TEMP|TEMPORARY|UNLOGGED|GLOBAL|LOCAL)\s+)*(?:TABLE|INDEX)"
    r"|ALTER\s+(?:TABLE|INDEX)|DROP\s+(?:TABLE|INDEX))\b",
    re.IGNORECASE,
)
# Renaming a constraint changes no column or index coverage, and sqlglot cannot read it: skip it quietly.
_RENAME_CONSTRAINT = re.compile(r"ALTER\s+TABLE\s+.+?\s+RENAME\s+CONSTRAINT\b", re.IGNORECASE | re.DOTALL)
_LEADING_COMMENTS = re.compile(r"(?:\s+|--[^\n]*|/\*.*?\*/)*", re.DOTALL)
_TOKEN_REPR = re.compile(r"<Token token_type: [^,]*, text: (.*?), line: .*?>")


def parse_migration(path: str, text: str, dialect: str | None = None) -> Schema:
    """Read one migration file; a statement sqlglot cannot parse becomes an error and the rest still apply.

    ``dialect`` None tries PostgreSQL first, then SQLite and MySQL, per statement (MySQL first for statements
    with backquotes, which PostgreSQL would only read as an opaque command).
    """
    return apply_migrations([(path, text)], dialect)


def apply_migrations(paths_and_texts: list[tuple[str, str]], dialect: str | None = None) -> Schema:
    """Apply migration files in path order, numbers compared as numbers (``V2__x.sql`` before ``V10__x.sql``)."""
    quiet_sqlglot()
    schema = Schema()
    tables: Tables = {}
    for path, text in sorted(paths_and_texts, key=lambda item: _natural_key(item[0])):
        tables = _apply_file(tables, schema.errors, path, text, dialect)
    schema.tables = tables
    schema.provider = _provider(paths_and_texts, dialect)
    return schema


def _provider(paths_and_texts: list[tuple[str, str]], dialect: str | None) -> str | None:
    """The database the migrations are written for, when they show it: only MySQL quotes names with backquotes.
    Detectors need it because MySQL indexes foreign keys by itself and PostgreSQL does not."""
    if dialect:
        return "postgresql" if dialect == "postgres" else dialect
    return "mysql" if any("`" in text for _, text in paths_and_texts) else None


def _natural_key(path: str) -> list[object]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path)]


def _apply_file(tables: Tables, errors: list[tuple[str, str]], path: str, text: str, dialect: str | None) -> Tables:
    for line, statement_text in _statements(text, dialect):
        if not _SCHEMA_DDL.match(statement_text) or _RENAME_CONSTRAINT.match(statement_text):
            continue
        parsed, used, error = _parse(statement_text, line, dialect)
        if parsed is None:
            errors.append((path, error))
            continue
        step = STATEMENTS.get(_statement_kind(parsed))
        if step is None:
            continue
        try:
            tables = step(tables, parsed, At(path, line, used))
        # sqlglot's trees differ across versions and dialects; an unexpected shape costs one statement.
        except (AttributeError, TypeError, ValueError) as failure:
            errors.append((path, f"line {line}: could not apply {_statement_kind(parsed)}: {failure}"))
    return tables


def _dialects(text: str, dialect: str | None) -> tuple[str, ...]:
    if dialect:
        return (dialect,)
    return ("mysql", "postgres", "sqlite") if "`" in text else ("postgres", "sqlite", "mysql")


def _statements(text: str, dialect: str | None) -> Iterator[tuple[int, str]]:
    """(first line, text) of each statement, split at semicolons that are not inside strings or comments."""
    for candidate in _dialects(text, dialect):
        try:
            tokens = Dialect.get_or_raise(candidate).tokenize(text)
        except SqlglotError:
            continue
        start = None
        for token in tokens:
            if token.token_type == TokenType.SEMICOLON:
                if start is not None:
                    yield start.line, text[start.start : token.start]
                start = None
            elif start is None:
                start = token
        if start is not None:
            yield start.line, text[start.start :]
        return
    # No dialect can tokenize the whole file (an unterminated quote, say): split at line-ending semicolons so
    # the damage stays in one statement.
    line = 1
    for chunk in re.split(r"(?<=;)[ \t]*\n", text):
        if chunk.strip():
            lead = _LEADING_COMMENTS.match(chunk).end()
            yield line + chunk.count("\n", 0, lead), chunk[lead:].rstrip().rstrip(";")
        line += chunk.count("\n") + 1


def _parse(text: str, line: int, dialect: str | None) -> tuple[exp.Expression | None, str, str]:
    """The first dialect that reads ``text`` as a real statement (not sqlglot's opaque Command) wins."""
    first_error = ""
    for candidate in _dialects(text, dialect):
        try:
            parsed = sqlglot.parse_one(text, read=candidate)
        except ParseError as error:
            detail = error.errors[0] if error.errors else {}
            description = _TOKEN_REPR.sub(_token_text, str(detail.get("description", error)))
            first_error = first_error or f"line {line + int(detail.get('line') or 1) - 1}: {description}"
            continue
        except SqlglotError as error:
            first_error = first_error or f"line {line}: {error}"
            continue
        if not isinstance(parsed, exp.Command):
            return parsed, candidate, ""
        first_error = first_error or f"line {line}: not understood as {candidate}: {' '.join(text.split())[:80]}"
    return None, "", first_error


def _token_text(match: re.Match[str]) -> str:
    """sqlglot names tokens by their repr; the message only needs the text, or where the statement ended."""
    return "the end of the statement" if match.group(1) == "SENTINEL" else repr(match.group(1))


def _statement_kind(statement: exp.Expression) -> str:
    """``CREATE UNIQUE INDEX ...`` -> ``"CREATE INDEX"``; ``ALTER TABLE ...`` -> ``"ALTER TABLE"``."""
    return f"{type(statement).__name__.upper()} {str(statement.args.get('kind') or '').upper()}"
