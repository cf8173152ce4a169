"""Templates for the corpus's middleware and plain-JavaScript files: Express middleware, CommonJS
maintenance scripts and older frontend modules (.js/.jsx)."""

from __future__ import annotations

from corpus_base import ADJECTIVES, NOUNS, VERBS, FileContext, camel, fill, pascal
from corpus_ts import grow, render_imports
from corpus_ts_utils import UTIL_BLOCKS

MIDDLEWARE = {
    "auth": """export function «name»(req: Request, res: Response, next: NextFunction) {
  const header = req.headers.authorization ?? "";
  const [scheme, token] = header.split(" ");
  if (scheme !== "Bearer" || !token) {
    res.status(401).json({ error: "missing bearer token" });
    return;
  }
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
    (req as Request & { userId?: string }).userId = payload.sub;
    next();
  } catch {
    res.status(401).json({ error: "invalid token" });
  }
}
""",
    "timing": """export function «name»(req: Request, res: Response, next: NextFunction) {
  const started = process.hrtime.bigint();
  res.on("finish", () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (ms > «slow») {
      console.warn(`[slow] ${req.method} ${req.originalUrl} ${res.statusCode} ${ms.toFixed(1)}ms`);
    }
  });
  next();
}
""",
    "rate": """const «name»Hits = new Map<string, { count: number; reset: number }>();

export function «name»(req: Request, res: Response, next: NextFunction) {
  const key = req.ip ?? "unknown";
  const now = Date.now();
  const entry = «name»Hits.get(key);
  if (!entry || entry.reset < now) {
    «name»Hits.set(key, { count: 1, reset: now + «window» });
    next();
    return;
  }
  entry.count += 1;
  if (entry.count > «limit») {
    res.status(429).setHeader("Retry-After", String(Math.ceil((entry.reset - now) / 1000))).end();
    return;
  }
  next();
}
""",
    "errors": """export function «name»(error: unknown, _req: Request, res: Response, _next: NextFunction) {
  const status = typeof error === "object" && error !== null && "status" in error ? Number(error.status) : 500;
  const message = error instanceof Error ? error.message : "internal error";
  if (status >= 500) {
    console.error(error);
  }
  res.status(status).json({ error: message });
}
""",
}


def middleware_module(ctx: FileContext) -> str:
    ctx.need("express", "Request", "Response", "NextFunction")
    kinds = list(MIDDLEWARE)

    def block(c: FileContext, name: str | None = None) -> str:
        name = name or c.fresh(lambda: camel(c.rng.choice(VERBS), c.rng.choice(NOUNS), "middleware"))
        return fill(c.rng.choice([MIDDLEWARE[k] for k in kinds]), name=name, slow=c.rng.choice((200, 500, 1000)),
                    window=c.rng.choice((1000, 60_000)), limit=c.rng.choice((10, 60, 600)))

    body = "\n".join(grow(ctx, [block(ctx, n) for n in ctx.module.exports], [block, *UTIL_BLOCKS[6:]]))
    return render_imports(ctx, body) + body


def script_module(ctx: FileContext) -> str:
    """A plain CommonJS maintenance script (backend/scripts/*.js)."""
    ctx.need("@prisma/client", "PrismaClient")
    e = ctx.entity
    steps = []

    def step(c: FileContext) -> str:
        target = c.other_entity()
        name = c.fresh(lambda: camel(c.rng.choice(VERBS), c.rng.choice(ADJECTIVES), target.plural_var))
        steps.append(name)
        return fill(
            """async function «name»(batchSize = «batch») {
  let cursor = undefined;
  let processed = 0;
  for (;;) {
    const rows = await prisma.«model».findMany({
      take: batchSize,
      ...(cursor ? { skip: 1, cursor: { id: cursor } } : {}),
      orderBy: { id: "asc" },
    });
    if (rows.length === 0) break;
    for (const row of rows) {
      await prisma.«model».update({ where: { id: row.id }, data: { updatedAt: new Date() } });
      processed += 1;
    }
    cursor = rows[rows.length - 1].id;
  }
  console.log("«name»: processed %d rows", processed);
  return processed;
}
""",
            name=name, model=target.var, batch=c.rng.choice((100, 500, 1000)),
        )

    parts = grow(ctx, ["const prisma = new PrismaClient();\n"], [step], limit=ctx.module.target - 12)
    calls = "\n".join(f"  await {s}();" for s in steps)
    body = "\n".join(parts) + fill(
        """
async function main() {
  console.time("«file»");
«calls»
  console.timeEnd("«file»");
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => prisma.$disconnect());

module.exports = { main };
""",
        file=e.var, calls=calls,
    )
    return render_imports(ctx, body, commonjs=True) + body


def legacy_js_module(ctx: FileContext) -> str:
    """Older frontend code in plain JS (ES modules), with JSX in .jsx files."""
    jsx = ctx.module.path.endswith(".jsx")
    parts = []
    for name in ctx.module.exports:
        if jsx:
            parts.append(fill(
                """export function «Name»({ items = [], onPick }) {
  const [open, setOpen] = useState(false);
  return (
    <div className="«css»">
      <button onClick={() => setOpen(!open)}>{open ? "Hide" : "Show"} ({items.length})</button>
      {open &&
        items.map((item, index) => (
          <div key={item.id || index} onClick={() => onPick && onPick(item)}>
            {item.label || item.name}
          </div>
        ))}
    </div>
  );
}
""",
                Name=name, css=name.lower(),
            ))
        else:
            parts.append(fill(
                """export function «name»(list, options) {
  var opts = Object.assign({ key: "id", keep: «keep» }, options);
  var seen = {};
  var out = [];
  for (var i = 0; i < list.length; i++) {
    var item = list[i];
    var key = item[opts.key];
    if (!seen[key]) {
      seen[key] = true;
      out.push(item);
    }
    if (out.length >= opts.keep) break;
  }
  return out;
}
""",
                name=name, keep=ctx.rng.choice((10, 50, 100)),
            ))
    body = "\n".join(grow(ctx, parts, [_js_class, _js_class, _js_promise]))
    return render_imports(ctx, body) + body


def _js_class(ctx: FileContext) -> str:
    name = ctx.fresh(lambda: pascal(ctx.rng.choice(NOUNS), ctx.rng.choice(("Tracker", "Queue", "Registry", "Emitter"))))
    return fill(
        """export class «Name» {
  constructor(limit = «limit») {
    this.limit = limit;
    this.items = [];
    this.listeners = new Set();
  }

  add(item) {
    this.items.push(item);
    if (this.items.length > this.limit) this.items.shift();
    this.listeners.forEach((listener) => listener(item));
    return this;
  }

  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get latest() {
    return this.items[this.items.length - 1] ?? null;
  }
}
""",
        Name=name, limit=ctx.rng.choice((20, 100, 1000)),
    )


def _js_promise(ctx: FileContext) -> str:
    name = ctx.fresh(lambda: camel(ctx.rng.choice(VERBS), ctx.rng.choice(NOUNS), "later"))
    return fill(
        """export function «name»(url, attempts) {
  attempts = attempts === undefined ? «n» : attempts;
  return fetch(url).then(function (response) {
    if (response.ok) return response.json();
    if (attempts <= 1) throw new Error("request failed: " + response.status);
    return new Promise(function (resolve) {
      setTimeout(resolve, «delay»);
    }).then(function () {
      return «name»(url, attempts - 1);
    });
  });
}
""",
        name=name, n=ctx.rng.randint(2, 5), delay=ctx.rng.choice((200, 500, 1000)),
    )
