"""The schema stage: schema.prisma files and SQL migrations of the workspace merged into one Schema."""

from __future__ import annotations

from analyzers.schema import Schema
from optimizer.workspace import Workspace


def load_schema(workspace: Workspace) -> Schema:
    from analyzers.prisma import parse_prisma, resolve_references
    from analyzers.sql import apply_migrations

    schema = Schema()
    migrations: list[tuple[str, str]] = []
    for file in workspace.by_language("prisma", "sql"):
        try:
            text = file.absolute.read_text(encoding="utf-8-sig")
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
