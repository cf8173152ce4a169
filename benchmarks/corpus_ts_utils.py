"""General TypeScript utility functions of the kind every code base carries, as corpus blocks."""

from __future__ import annotations

from corpus_base import FileContext, camel, fill, pascal


def util_group_by(ctx: FileContext) -> str:
    name = ctx.fresh(lambda: camel("group", ctx.rng.choice(("by", "into", "under")), ctx.rng.choice(("key", "field", "bucket"))) + str(ctx.rng.randint(2, 99)))
    return fill(
        """export function «name»<T, K extends PropertyKey>(items: readonly T[], keyOf: (item: T) => K): Record<K, T[]> {
  const groups = {} as Record<K, T[]>;
  for (const item of items) {
    const key = keyOf(item);
    (groups[key] ??= []).push(item);
  }
  return groups;
}
""",
        name=name,
    )


def util_chunk(ctx: FileContext) -> str:
    name = ctx.fresh(lambda: camel(ctx.rng.choice(("chunk", "batch", "partition", "window")), ctx.rng.choice(("list", "items", "rows", "ids"))))
    size = ctx.rng.choice((10, 25, 50, 100, 200))
    return fill(
        """export function «name»<T>(items: T[], size = «size»): T[][] {
  if (size <= 0) {
    throw new RangeError(`size must be positive, got ${size}`);
  }
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}
""",
        name=name, size=size,
    )


def util_format_number(ctx: FileContext) -> str:
    name = ctx.fresh(lambda: camel("format", ctx.rng.choice(("currency", "amount", "price", "percent", "compact")), ctx.rng.choice(("value", "label", "text"))))
    locale = ctx.rng.choice(("en-US", "de-DE", "fr-FR", "en-GB", "ja-JP"))
    style = ctx.rng.choice(('style: "currency", currency: "USD"', 'style: "percent", maximumFractionDigits: 1', 'notation: "compact"'))
    return fill(
        """const «name»Formatter = new Intl.NumberFormat("«locale»", { «style» });

export function «name»(value: number | null | undefined, fallback = "—"): string {
  if (value === null || value === undefined || Number.isNaN(value)) {
    return fallback;
  }
  return «name»Formatter.format(value);
}
""",
        name=name, locale=locale, style=style,
    )


def util_relative_time(ctx: FileContext) -> str:
    name = ctx.fresh(lambda: camel(ctx.rng.choice(("time", "age", "since", "elapsed")), ctx.rng.choice(("label", "text", "ago", "string"))))
    return fill(
        """const «name»Units: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ["year", 31_536_000],
  ["month", 2_592_000],
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
];

export function «name»(date: string | Date, now: Date = new Date()): string {
  const seconds = Math.round((new Date(date).getTime() - now.getTime()) / 1000);
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  for (const [unit, size] of «name»Units) {
    if (Math.abs(seconds) >= size) {
      return rtf.format(Math.round(seconds / size), unit);
    }
  }
  return rtf.format(seconds, "second");
}
""",
        name=name,
    )


def util_retry(ctx: FileContext) -> str:
    name = ctx.fresh(lambda: camel(ctx.rng.choice(("with", "retry", "attempt")), ctx.rng.choice(("backoff", "retries", "patience", "jitter"))))
    attempts = ctx.rng.randint(2, 6)
    return fill(
        """export interface «Name»Options {
  attempts?: number;
  baseDelayMs?: number;
  shouldRetry?: (error: unknown) => boolean;
}

export async function «name»<T>(task: () => Promise<T>, options: «Name»Options = {}): Promise<T> {
  const { attempts = «attempts», baseDelayMs = «delay», shouldRetry = () => true } = options;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      return await task();
    } catch (error) {
      lastError = error;
      if (!shouldRetry(error) || attempt === attempts - 1) break;
      const delay = baseDelayMs * 2 ** attempt + Math.random() * baseDelayMs;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
  throw lastError;
}
""",
        name=name, Name=pascal(name), attempts=attempts, delay=ctx.rng.choice((100, 200, 250, 500)),
    )


def util_debounce(ctx: FileContext) -> str:
    name = ctx.fresh(lambda: camel(ctx.rng.choice(("debounce", "throttle", "coalesce")), ctx.rng.choice(("calls", "fn", "handler", "updates"))))
    return fill(
        """export function «name»<A extends unknown[]>(fn: (...args: A) => void, waitMs = «wait») {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const wrapped = (...args: A) => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      fn(...args);
    }, waitMs);
  };
  wrapped.cancel = () => timer !== undefined && clearTimeout(timer);
  return wrapped;
}
""",
        name=name, wait=ctx.rng.choice((150, 200, 300, 500, 1000)),
    )


def util_deep_equal(ctx: FileContext) -> str:
    name = ctx.fresh(lambda: camel(ctx.rng.choice(("deep", "shallow", "structural")), ctx.rng.choice(("equal", "same", "match"))))
    return fill(
        """export function «name»(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a as Record<string, unknown>);
  const keysB = Object.keys(b as Record<string, unknown>);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) =>
    «name»((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
}
""",
        name=name,
    )


def util_slugify(ctx: FileContext) -> str:
    name = ctx.fresh(lambda: camel(ctx.rng.choice(("slugify", "normalize", "sanitize", "clean")), ctx.rng.choice(("name", "title", "key", "path"))))
    sep = ctx.rng.choice(("-", "_"))
    return fill(
        """export function «name»(input: string, maxLength = «max»): string {
  return input
    .normalize("NFKD")
    .replace(/[\\u0300-\\u036f]/g, "")
    .toLowerCase()
    .trim()
    .replace(/[^a-z0-9]+/g, "«sep»")
    .replace(/^«sep»+|«sep»+$/g, "")
    .slice(0, maxLength);
}
""",
        name=name, sep=sep, max=ctx.rng.choice((40, 64, 80, 120)),
    )


def util_cache_class(ctx: FileContext) -> str:
    name = ctx.fresh(lambda: pascal(ctx.rng.choice(("lru", "ttl", "memo", "bounded")), ctx.rng.choice(("cache", "store", "map"))))
    return fill(
        """export class «Name»<K, V> {
  #entries = new Map<K, { value: V; expires: number }>();

  constructor(private readonly capacity = «cap», private readonly ttlMs = «ttl») {}

  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expires < Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V): this {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expires: Date.now() + this.ttlMs });
    while (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next().value as K;
      this.#entries.delete(oldest);
    }
    return this;
  }

  get size(): number {
    return this.#entries.size;
  }
}
""",
        Name=name, cap=ctx.rng.choice((50, 100, 500, 1000)), ttl=ctx.rng.choice((1000, 30_000, 60_000, 300_000)),
    )


def util_stats(ctx: FileContext) -> str:
    name = ctx.fresh(lambda: camel(ctx.rng.choice(("summarize", "describe", "measure")), ctx.rng.choice(("series", "values", "samples", "numbers"))))
    return fill(
        """export interface «Name»Result {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  max: number;
}

export function «name»(values: number[]): «Name»Result {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    count: sorted.length,
    mean: sorted.length ? total / sorted.length : 0,
    p50: at(0.5),
    p95: at(0.95),
    max: sorted[sorted.length - 1] ?? 0,
  };
}
""",
        name=name, Name=pascal(name),
    )


def util_query_string(ctx: FileContext) -> str:
    name = ctx.fresh(lambda: camel(ctx.rng.choice(("to", "build", "encode")), ctx.rng.choice(("query", "search", "params")), ctx.rng.choice(("string", "text", ""))))
    return fill(
        """export function «name»(params: Record<string, string | number | boolean | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "") continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
""",
        name=name,
    )


def util_enum(ctx: FileContext) -> str:
    name = ctx.fresh(lambda: pascal(ctx.rng.choice(("sync", "job", "upload", "review", "payment")), ctx.rng.choice(("state", "phase", "stage"))))
    members = ctx.pick(("Idle", "Queued", "Running", "Paused", "Succeeded", "Failed", "Cancelled"), ctx.rng.randint(3, 6))
    cases = "\n".join(f'    case {name}.{m}:\n      return "{m.lower()}";' for m in members)
    return fill(
        """export enum «Name» {
«members»
}

export function «fn»(state: «Name»): string {
  switch (state) {
«cases»
    default:
      return "unknown";
  }
}
""",
        Name=name, fn=camel("describe", name), members="\n".join(f'  {m} = "{m.upper()}",' for m in members), cases=cases,
    )


def util_sort_by(ctx: FileContext) -> str:
    name = ctx.fresh(lambda: camel("sort", ctx.rng.choice(("by", "on")), ctx.rng.choice(("keys", "fields", "columns"))))
    return fill(
        """export type «Name»Direction = "asc" | "desc";

export function «name»<T>(items: T[], key: keyof T, direction: «Name»Direction = "asc"): T[] {
  const factor = direction === "asc" ? 1 : -1;
  return [...items].sort((left, right) => {
    const a = left[key];
    const b = right[key];
    if (a === b) return 0;
    if (a === undefined || a === null) return 1;
    if (b === undefined || b === null) return -1;
    return (a < b ? -1 : 1) * factor;
  });
}
""",
        name=name, Name=pascal(name),
    )


UTIL_BLOCKS = [
    util_group_by, util_chunk, util_format_number, util_relative_time, util_retry, util_debounce, util_deep_equal,
    util_slugify, util_cache_class, util_stats, util_query_string, util_enum, util_sort_by,
]
