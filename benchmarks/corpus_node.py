"""Node backend templates for the corpus: Prisma services, Express routers, the server entry and the
Prisma schema."""

from __future__ import annotations

from corpus_base import ADJECTIVES, NOUNS, VERBS, Entity, FileContext, Plan, camel, fill
from corpus_ts import grow, render_imports
from corpus_ts_utils import UTIL_BLOCKS

PRISMA_TYPES = {"string": "String", "int": "Int", "float": "Float", "bool": "Boolean", "date": "DateTime?", "ref": "String"}


def _import(ctx: FileContext, kind: str, name: str, entity: Entity | None = None) -> str:
    """Import ``name`` from the planned module of ``kind`` (for ``entity``, if given)."""
    for m in ctx.plan.of(kind):
        if name in m.exports and (entity is None or m.entity == entity):
            ctx.imports.setdefault(m.path, set()).add(name)
            return name
    raise LookupError(f"no {kind} module exports {name}")


def _indent(text: str, prefix: str) -> str:
    return "".join(prefix + line if line.strip() else line for line in text.splitlines(keepends=True))


def _errors(ctx: FileContext) -> str:
    return ctx.plan.of("errors")[0].path


def _method_name(ctx: FileContext, e: Entity) -> str:
    return ctx.fresh(lambda: camel(ctx.rng.choice(VERBS), ctx.rng.choice(ADJECTIVES), e.plural_var))


def _service_method(ctx: FileContext, e: Entity, db: str, name: str, indent: str, keyword: str) -> str:
    """One data-access routine; ``keyword`` is "async " for methods or "export async function " at top level."""
    text, num = e.text_field, e.number_field
    kind = ctx.rng.choice(("list", "get", "create", "loop", "batch", "transaction", "aggregate", "raw", "counts"))
    if kind == "list":
        code = """«kw»«name»(filters: { search?: string; skip?: number; take?: number } = {}) {
  return «db».«model».findMany({
    where: filters.search ? { «text»: { contains: filters.search, mode: "insensitive" } } : undefined,
    skip: filters.skip ?? 0,
    take: Math.min(filters.take ?? «take», 200),
    orderBy: { createdAt: "desc" },
  });
}
"""
    elif kind == "get":
        ctx.imports.setdefault(_errors(ctx), set()).add("NotFoundError")
        code = """«kw»«name»(id: string) {
  const «var» = await «db».«model».findUnique({ where: { id } });
  if («var» === null) {
    throw new NotFoundError(`«Name» ${id} not found`);
  }
  return «var»;
}
"""
    elif kind == "create":
        ctx.imports.setdefault(_errors(ctx), set()).add("ValidationError")
        code = """«kw»«name»(input: { «text»: string; «num»?: number }) {
  const «text» = input.«text».trim();
  if («text».length === 0 || «text».length > «max») {
    throw new ValidationError("«text» must be between 1 and «max» characters");
  }
  return «db».«model».create({ data: { ...input, «text» } as never });
}
"""
    elif kind == "loop":
        code = """«kw»«name»(ids: string[]) {
  const found = [];
  for (const id of ids) {
    const «var» = await «db».«model».findUnique({ where: { id } });
    if («var») {
      found.push({ ...«var», score: Number(«var».«num» ?? 0) * «factor» });
    }
  }
  return found;
}
"""
    elif kind == "batch":
        code = """«kw»«name»(ids: string[]) {
  if (ids.length === 0) return [];
  const rows = await «db».«model».findMany({ where: { id: { in: ids } } });
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id)).filter((row): row is NonNullable<typeof row> => row !== undefined);
}
"""
    elif kind == "transaction":
        code = """«kw»«name»(id: string, patch: Record<string, unknown>) {
  return «db».$transaction(async (tx) => {
    const current = await tx.«model».findUniqueOrThrow({ where: { id } });
    const updated = await tx.«model».update({ where: { id }, data: { ...patch, updatedAt: new Date() } as never });
    return { before: current, after: updated };
  });
}
"""
    elif kind == "aggregate":
        code = """«kw»«name»() {
  const result = await «db».«model».aggregate({
    _count: { _all: true },
    _avg: { «num»: true },
    _max: { «num»: true },
  });
  return { count: result._count._all, average: result._avg.«num» ?? 0, max: result._max.«num» ?? 0 };
}
"""
    elif kind == "raw":
        code = """«kw»«name»(since: Date) {
  const rows = await «db».$queryRaw<Array<{ day: Date; total: number }>>`
    SELECT date_trunc('day', "createdAt") AS day, COUNT(*)::int AS total
    FROM "«Name»"
    WHERE "createdAt" >= ${since}
    GROUP BY 1
    ORDER BY 1`;
  return rows.map((row) => ({ day: row.day.toISOString().slice(0, 10), total: row.total }));
}
"""
    else:
        code = """«kw»«name»() {
  const [total, recent] = await Promise.all([
    «db».«model».count(),
    «db».«model».count({ where: { createdAt: { gte: new Date(Date.now() - «days» * 86_400_000) } } }),
  ]);
  return { total, recent, ratio: total === 0 ? 0 : recent / total };
}
"""
    body = fill(
        code, kw=keyword, name=name, db=db, model=e.var, var=e.var, Name=e.name, text=text, num=num,
        take=ctx.rng.choice((20, 25, 50, 100)), max=ctx.rng.choice((80, 120, 200)), factor=ctx.rng.choice((1, 2, 10)),
        days=ctx.rng.choice((1, 7, 30)),
    )
    return _indent(body, indent)


def service_module(ctx: FileContext) -> str:
    e = ctx.entity
    cls, *functions = ctx.module.exports
    _import(ctx, "prisma", "prisma")
    methods = [_service_method(ctx, e, "this.db", _method_name(ctx, e), "  ", "async ") for _ in range(ctx.rng.randint(2, 4))]
    text = fill(
        """export class «cls» {
  constructor(private readonly db = prisma) {}

«methods»}
""",
        cls=cls, methods="\n".join(methods),
    )
    parts = [text, *(_service_method(ctx, e, "prisma", name, "", "export async function ") for name in functions)]

    def extra(c: FileContext) -> str:
        target = c.other_entity() if c.rng.random() < 0.3 else e
        return _service_method(c, target, "prisma", _method_name(c, target), "", "async function ")

    body = "\n".join(grow(ctx, parts, [extra, extra, extra, *UTIL_BLOCKS]))
    return render_imports(ctx, body) + body


def _route(ctx: FileContext, e: Entity, service: str) -> str:
    kind = ctx.rng.choice(("list", "get", "post", "delete", "loop", "export"))
    path = {"list": "/", "get": "/:id", "post": "/", "delete": "/:id", "loop": "/summary", "export": "/export.csv"}[kind]
    if kind == "loop":
        path = f"/{ctx.fresh(lambda: ctx.rng.choice(ADJECTIVES))}-summary"
    code = {
        "list": """  const page = Math.max(1, Number(req.query.page ?? 1));
  const take = Math.min(100, Number(req.query.limit ?? «take»));
  const items = await «service».«list»({ skip: (page - 1) * take, take, search: String(req.query.q ?? "") });
  res.json({ items, page });""",
        "get": """  const «var» = await prisma.«var».findUnique({ where: { id: req.params.id } });
  if («var» === null) {
    res.status(404).json({ error: "not found" });
    return;
  }
  res.json(«var»);""",
        "post": """  const parsed = «schema».safeParse(req.body);
  if (!parsed.success) {
    res.status(400).json({ error: parsed.error.flatten() });
    return;
  }
  const created = await prisma.«var».create({ data: parsed.data as never });
  res.status(201).json(created);""",
        "delete": """  await prisma.«var».delete({ where: { id: req.params.id } });
  res.status(204).end();""",
        "loop": """  const «plural» = await prisma.«var».findMany({ take: «take» });
  const summary = [];
  for (const «var» of «plural») {
    const related = await prisma.«other».count({ where: { createdAt: { gte: «var».createdAt } } });
    summary.push({ id: «var».id, «text»: «var».«text», related });
  }
  res.json(summary);""",
        "export": """  const rows = await prisma.«var».findMany({ select: { id: true, «text»: true, createdAt: true } });
  res.setHeader("Content-Type", "text/csv");
  res.write("id,«text»,createdAt\\n");
  for (const row of rows) {
    res.write(`${row.id},${JSON.stringify(row.«text»)},${row.createdAt.toISOString()}\\n`);
  }
  res.end();""",
    }[kind]
    method = {"post": "post", "delete": "delete"}.get(kind, "get")
    schema = f"{e.var}Schema"
    route_key = f"route:{method} {path}"
    if route_key in ctx.used:
        path = path.rstrip("/") + "/" + ctx.fresh(lambda: ctx.rng.choice(ADJECTIVES) + "-" + ctx.rng.choice(NOUNS))
    ctx.used.add(f"route:{method} {path}")
    return fill(
        """router.«method»("«path»", async (req: Request, res: Response, next: NextFunction) => {
  try {
«code»
  } catch (error) {
    next(error);
  }
});
""",
        method=method, path=path, code=_indent(fill(
            code, service=service, list=ctx.rng.choice(("list", "findAll", "search")), var=e.var, schema=schema,
            plural=e.plural_var, other=ctx.other_entity().var, text=e.text_field, take=ctx.rng.choice((20, 50, 100)),
        ), "  "),
    )


def router_module(ctx: FileContext) -> str:
    e = ctx.entity
    (router_name,) = ctx.module.exports
    ctx.need("express", "Router", "Request", "Response", "NextFunction")
    ctx.need("zod", "z")
    _import(ctx, "prisma", "prisma")
    service_module_ = next(m for m in ctx.plan.of("service") if m.entity == e)
    service_cls = service_module_.exports[0]
    ctx.imports.setdefault(service_module_.path, set()).add(service_cls)
    zod = {"string": "z.string().min(1)", "int": "z.number().int()", "float": "z.number()", "bool": "z.boolean()",
           "date": "z.coerce.date().optional()", "ref": "z.string().cuid()"}
    schema_fields = "\n".join(f"  {f.name}: {zod[f.kind]}," for f in e.fields)
    head = fill(
        """const router = Router();
const service = new «cls»() as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;

const «var»Schema = z.object({
«fields»
});
""",
        cls=service_cls, var=e.var, fields=schema_fields,
    )
    routes = [_route(ctx, e, "service") for _ in range(ctx.rng.randint(2, 4))]
    body = "\n".join(grow(ctx, [head, *routes], [lambda c: _route(c, e, "service")] * 4 + UTIL_BLOCKS[:5]))
    body += f"\nexport {{ router as {router_name} }};\n"
    return render_imports(ctx, body) + body


def errors_module(ctx: FileContext) -> str:
    return """export class HttpError extends Error {
  constructor(public readonly status: number, message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends HttpError {
  constructor(message = "not found") {
    super(404, message);
  }
}

export class ValidationError extends HttpError {
  constructor(message: string, public readonly fields: Record<string, string> = {}) {
    super(400, message);
  }
}
"""


def prisma_module(ctx: FileContext) -> str:
    ctx.need("@prisma/client", "PrismaClient")
    body = """const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };

export const prisma =
  globalForPrisma.prisma ??
  new PrismaClient({
    log: process.env.NODE_ENV === "development" ? ["query", "warn", "error"] : ["error"],
  });

if (process.env.NODE_ENV !== "production") {
  globalForPrisma.prisma = prisma;
}
"""
    return render_imports(ctx, body) + body


def server_module(ctx: FileContext) -> str:
    ctx.need("express", "default:express")
    ctx.need("cors", "default:cors")
    mounts = []
    for m in ctx.plan.of("router"):
        ctx.imports.setdefault(m.path, set()).add(m.exports[0])
        mounts.append(f'app.use("/api{m.entity.route}", {m.exports[0]});')
    guards = [n for m in ctx.plan.of("middleware") for n in m.exports]
    for m in ctx.plan.of("middleware"):
        ctx.imports.setdefault(m.path, set()).update(m.exports)
    body = fill(
        """const app = express();
app.use(cors());
app.use(express.json({ limit: "«limit»" }));
«guards»

app.get("/health", (_req, res) => {
  res.json({ ok: true, uptime: process.uptime() });
});

«mounts»

const port = Number(process.env.PORT ?? 4000);
app.listen(port, () => {
  console.log(`api listening on :${port}`);
});

export default app;
""",
        limit=ctx.rng.choice(("1mb", "5mb")), guards="\n".join(f"app.use({g} as never);" for g in guards),
        mounts="\n".join(mounts),
    )
    return render_imports(ctx, body) + body


def prisma_schema(plan: Plan) -> str:
    lines = [
        "generator client {", '  provider = "prisma-client-js"', "}", "",
        "datasource db {", '  provider = "postgresql"', '  url      = env("DATABASE_URL")', "}", "",
    ]
    children: dict[str, list[Entity]] = {}
    for e in plan.entities:
        if e.parent is not None:
            children.setdefault(e.parent.name, []).append(e)
    for index, e in enumerate(plan.entities):
        lines.append(f"model {e.name} {{")
        lines.append("  id        String   @id @default(cuid())")
        for f in e.fields:
            default = " @default(false)" if f.kind == "bool" else " @default(0)" if f.kind in ("int", "float") else ""
            lines.append(f"  {f.name} {PRISMA_TYPES[f.kind]}{default}")
        if e.parent is not None:
            lines.append(f"  {e.parent.var} {e.parent.name} @relation(fields: [{e.parent.var}Id], references: [id])")
        for child in children.get(e.name, []):
            lines.append(f"  {child.plural_var} {child.name}[]")
        lines.append("  createdAt DateTime @default(now())")
        lines.append("  updatedAt DateTime @updatedAt")
        # about a third of foreign keys go without an index, as in real schemas that grew over time
        if e.parent is not None and index % 3:
            lines.append("")
            lines.append(f"  @@index([{e.parent.var}Id])")
        lines.append("}")
        lines.append("")
    return "\n".join(lines)
