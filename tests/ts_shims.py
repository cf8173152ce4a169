"""Stand-in packages for type-checking an app whose real dependencies are too heavy to install for a test:
the Vite toolchain, and the Prisma client, which Prisma generates from the schema (here: a small client
typed from the same schema, with the model delegates and row fields the generated one has)."""

from __future__ import annotations

import re
from pathlib import Path

from analyzers.prisma import parse_prisma

VITE = {
    "vite/package.json": '{"name": "vite", "types": "index.d.ts"}',
    "vite/index.d.ts": "export declare function defineConfig<T>(config: T): T;\n",
    "vite/client.d.ts": "// import.meta.env is declared by the app's own vite-env.d.ts\n",
    "@vitejs/plugin-react/package.json": '{"name": "@vitejs/plugin-react", "types": "index.d.ts"}',
    "@vitejs/plugin-react/index.d.ts": "export default function react(options?: object): object;\n",
}

_TS_TYPES = {
    "String": "string",
    "Int": "number",
    "Float": "number",
    "Decimal": "number",
    "BigInt": "bigint",
    "Boolean": "boolean",
    "DateTime": "Date",
    "Bytes": "Buffer",
}

_CLIENT = """\
type Count = { count: number };
interface ModelDelegate<Row> {
  findUnique(args: object): Promise<Row | null>;
  findUniqueOrThrow(args: object): Promise<Row>;
  findFirst(args?: object): Promise<Row | null>;
  findFirstOrThrow(args?: object): Promise<Row>;
  findMany(args?: object): Promise<Row[]>;
  create(args: object): Promise<Row>;
  createMany(args: object): Promise<Count>;
  update(args: object): Promise<Row>;
  updateMany(args: object): Promise<Count>;
  upsert(args: object): Promise<Row>;
  delete(args: object): Promise<Row>;
  deleteMany(args?: object): Promise<Count>;
  count(args?: object): Promise<number>;
  aggregate(args: object): Promise<any>;
  groupBy(args: object): Promise<any[]>;
}
export declare class PrismaClient {
  constructor(options?: object);
  $connect(): Promise<void>;
  $disconnect(): Promise<void>;
  $transaction<R>(fn: (tx: PrismaClient) => Promise<R>, options?: object): Promise<R>;
  $transaction<P extends readonly unknown[]>(queries: [...P]): Promise<{ -readonly [K in keyof P]: Awaited<P[K]> }>;
  $queryRaw<T = unknown>(query: TemplateStringsArray, ...values: unknown[]): Promise<T>;
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRaw(query: TemplateStringsArray, ...values: unknown[]): Promise<number>;
"""


def prisma_client(app: Path) -> dict[str, str]:
    """`@prisma/client` for the models and enums of every schema.prisma under ``app``: a row type has the
    model's fields, typed."""
    rows, delegates, enums = [], [], []
    for path in sorted(app.rglob("*.prisma")):
        text = path.read_text(encoding="utf-8")
        enum_names = re.findall(r"(?m)^enum\s+(\w+)", text)
        enums += [f"export type {n} = string;\nexport declare const {n}: Record<string, string>;\n" for n in enum_names]
        for table in parse_prisma(path.name, text).tables.values():
            fields = [f"  {column.field}: {_ts_type(column, enum_names)};\n" for column in table.columns]
            # as if every relation were included: the generated client adds them to the type per query
            fields += [f"  {r.field}: {r.target}{'[]' if r.is_list else ''};\n" for r in table.relations]
            rows.append(f"export interface {table.model} {{\n{''.join(fields)}}}\n")
            delegates.append(f"  {table.model[0].lower()}{table.model[1:]}: ModelDelegate<{table.model}>;\n")
    index = _CLIENT + "".join(delegates) + "}\n" + "".join(rows) + "".join(enums)
    return {
        "@prisma/client/package.json": '{"name": "@prisma/client", "types": "index.d.ts"}',
        "@prisma/client/index.d.ts": index,
    }


def _ts_type(column, enum_names: list[str]) -> str:
    base = "string" if column.type in enum_names else _TS_TYPES.get(column.type, "any")
    typed = f"{base}[]" if column.is_list else base
    return f"{typed} | null" if column.nullable else typed


def link_packages(node_modules: Path, target: Path, shims: dict[str, str]) -> None:
    """``target``: the installed packages, linked, and the stand-in packages written next to them."""
    target.mkdir()
    for entry in node_modules.iterdir():
        if not entry.name.startswith("."):
            (target / entry.name).symlink_to(entry, target_is_directory=True)
    for relative, text in shims.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
