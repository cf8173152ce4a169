"""The database schema model shared by the Prisma and SQL front-ends: tables, columns, keys and indexes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Column:
    name: str  # database column name (after @map)
    field: str  # Prisma field name, or the column name for SQL
    type: str  # Prisma scalar type or SQL type, as written
    nullable: bool = True
    is_list: bool = False
    line: int = 0
    native: str = ""  # Prisma native type without ``@db.`` and arguments (``Text``, ``VarChar``), when given


@dataclass(frozen=True, slots=True)
class Index:
    """An index over ``columns`` (database column names, in order). ``kind``: primary | unique | index."""

    columns: tuple[str, ...]
    kind: str = "index"
    name: str | None = None
    line: int = 0

    def leads_with(self, columns: tuple[str, ...]) -> bool:
        """True when ``columns`` is a prefix of this index (the compound-index prefix rule)."""
        return self.columns[: len(columns)] == tuple(columns)


@dataclass(frozen=True, slots=True)
class ForeignKey:
    columns: tuple[str, ...]
    references_table: str
    references_columns: tuple[str, ...]
    line: int = 0
    name: str | None = None  # constraint name, so a later DROP CONSTRAINT / DROP FOREIGN KEY can find it


@dataclass(frozen=True, slots=True)
class Relation:
    """A Prisma relation field: ``field`` on this model points at ``target`` model (``is_list`` for 1-n)."""

    field: str
    target: str
    is_list: bool
    fields: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    line: int = 0
    name: str | None = None  # ``@relation("Name")``: pairs the two sides when two models share several relations


@dataclass(slots=True)
class Table:
    name: str  # database table name (after @@map)
    model: str | None = None  # Prisma model name, None for SQL-only tables
    path: str = ""
    line: int = 0
    columns: list[Column] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)

    def column(self, name: str) -> Column | None:
        for col in self.columns:
            if col.name == name or col.field == name:
                return col
        return None

    def is_unique(self, column: str) -> bool:
        """True when the primary key or a unique constraint is on ``column`` (a database column name) alone:
        equality on it names one row."""
        return any(index.kind in ("primary", "unique") and index.columns == (column,) for index in self.indexes)

    def is_indexed(self, columns: tuple[str, ...]) -> bool:
        """True when some index (primary key and unique constraints included) starts with ``columns``."""
        return any(index.leads_with(columns) for index in self.indexes)


@dataclass(slots=True)
class Schema:
    tables: dict[str, Table] = field(default_factory=dict)  # keyed by table name
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, message)
    # the database: the Prisma datasource provider (postgresql | mysql | sqlite | ...), or what migrations show
    provider: str | None = None

    def by_model(self, model: str) -> Table | None:
        for table in self.tables.values():
            if table.model == model or (table.model and table.model.lower() == model.lower()):
                return table
        return None

    def merge(self, other: Schema) -> None:
        for name, table in other.tables.items():
            mine = self.tables.get(name)
            if mine is None:
                self.tables[name] = table
                continue
            known = {c.name for c in mine.columns}
            mine.model = mine.model or table.model  # a migration's table learns its Prisma model
            mine.columns.extend(c for c in table.columns if c.name not in known)
            mine.indexes.extend(i for i in table.indexes if i not in mine.indexes)
            mine.foreign_keys.extend(fk for fk in table.foreign_keys if fk not in mine.foreign_keys)
            mine.relations.extend(r for r in table.relations if r not in mine.relations)
        self.errors.extend(other.errors)
        self.provider = self.provider or other.provider
