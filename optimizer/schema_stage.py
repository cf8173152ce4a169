"""The schema stage: schema.prisma files and SQL migrations of the workspace merged into one Schema."""

from __future__ import annotations

from collections.abc import Callable

from analyzers.schema import Schema
from optimizer.workspace import Workspace

SCHEMA_LANGUAGES = ("prisma", "sql")


def load_schema(workspace: Workspace, read: Callable[[str], bytes | None]) -> Schema:
    """The schema of the workspace's Prisma and SQL files, their bytes as ``read(path)`` gives them (the bytes the
    run read, so that the schema and the facts describe the same tree)."""
    from analyzers.prisma import parse_prisma, resolve_references
    from analyzers.sql import apply_migrations

    schema = Schema()
    migrations: list[tuple[str, str]] = []
    for file in workspace.by_language(*SCHEMA_LANGUAGES):
        data = read(file.path)
        try:
            if data is None:
                raise OSError("the file could not be read")
            text = data.decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            schema.errors.append((file.path, f"cannot read schema file: {exc}"))
            continue
        if file.language == "prisma":
            schema.merge(parse_prisma(file.path, text))
        else:
            migrations.append((file.path, text))
    if migrations:
        schema.merge(apply_migrations(migrations))
    resolve_references(schema)
    return schema
