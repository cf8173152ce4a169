"""TypeScript pieces shared by the frontend and backend templates: import rendering, entity types and
general utility functions of the kind every TS code base carries."""

from __future__ import annotations

import posixpath
import re

from corpus_base import Entity, FileContext, Field, camel, fill, line_count, pascal

TS_TYPES = {"string": "string", "int": "number", "float": "number", "bool": "boolean", "date": "string", "ref": "string"}
TS_DEFAULTS = {"string": '""', "int": "0", "float": "0", "bool": "false", "date": '""', "ref": '""'}
_REACT_HOOKS = re.compile(r"\b(use(?:State|Effect|Memo|Callback|Ref|Reducer|Context|Id|Transition|LayoutEffect))\(")


def strip_ext(path: str) -> str:
    return re.sub(r"\.(tsx?|jsx?)$", "", path)


def specifier(ctx: FileContext, target: str) -> str:
    """Import path of ``target`` as written from ctx's file: via a barrel, the ``@/`` alias, or relative."""
    importer_dir = posixpath.dirname(ctx.module.path)
    target_dir = posixpath.dirname(target)
    spec = strip_ext(target)
    if target_dir in ctx.plan.barrel_dirs() and target_dir != importer_dir and ctx.rng.random() < 0.35:
        spec = target_dir
    if spec.endswith("/index"):
        spec = spec[: -len("/index")]
    src = ctx.module.path.split("/src/")[0] + "/src/"
    if "/src/" in ctx.module.path and spec.startswith(src) and ctx.rng.random() < 0.5:
        return "@/" + spec[len(src):]
    rel = posixpath.relpath(spec, importer_dir)
    return rel if rel.startswith(".") else "./" + rel


def render_imports(ctx: FileContext, body: str, *, commonjs: bool = False) -> str:
    """Import statements for what ``body`` uses: React hooks found in it, packages and planned modules."""
    hooks = sorted(set(_REACT_HOOKS.findall(body)))
    if "createContext(" in body:
        hooks = sorted({*hooks, "createContext"})
    lines: list[str] = []
    external = {pkg: set(names) for pkg, names in ctx.external.items()}
    if hooks or "<" in body and ctx.module.path.endswith((".tsx", ".jsx")):
        external.setdefault("react", set()).update(hooks)
    for pkg in sorted(external):
        names = external[pkg]
        default = [n[8:] for n in names if n.startswith("default:")]
        star = [n[2:] for n in names if n.startswith("*:")]
        named = sorted(n for n in names if ":" not in n)
        if commonjs:
            target = default[0] if default else "{ " + ", ".join(named) + " }"
            lines.append(f'const {target} = require("{pkg}");')
            continue
        if star:
            lines.append(f'import * as {star[0]} from "{pkg}";')
        head = ", ".join([*default, *(["{ " + ", ".join(named) + " }"] if named else [])])
        if head:
            lines.append(f'import {head} from "{pkg}";')
        elif not star and pkg == "react" and not commonjs:
            lines.append('import React from "react";')
    if "ReactNode" in body:
        lines.append('import type { ReactNode } from "react";')
    local: list[str] = []
    for target, names in sorted(ctx.type_imports.items()):
        local.append(f'import type {{ {", ".join(sorted(names))} }} from "{specifier(ctx, target)}";')
    for target, names in sorted(ctx.imports.items()):
        spec = specifier(ctx, target)
        if commonjs:
            local.append(f'const {{ {", ".join(sorted(names))} }} = require("{spec}");')
        else:
            local.append(f'import {{ {", ".join(sorted(names))} }} from "{spec}";')
    return "\n".join(lines + ([""] if lines and local else []) + local) + "\n\n"


def grow(ctx: FileContext, parts: list[str], blocks: list, *, limit: int | None = None) -> list[str]:
    """Append randomly chosen blocks until the file reaches its planned size."""
    total = sum(line_count(p) + 1 for p in parts)
    target = limit or ctx.module.target
    while total < target:
        block = ctx.rng.choice(blocks)(ctx)
        parts.append(block)
        total += line_count(block) + 1
    return parts


def field_lines(entity: Entity, indent: str = "  ", optional: bool = False) -> str:
    mark = "?" if optional else ""
    return "\n".join(f"{indent}{f.name}{mark}: {TS_TYPES[f.kind]};" for f in entity.fields)


def types_module(ctx: FileContext) -> str:
    e = ctx.entity
    defaults = ",\n".join(f"  {f.name}: {TS_DEFAULTS[f.kind]}" for f in e.fields)
    statuses = " | ".join(f'"{s}"' for s in ctx.pick(("draft", "active", "archived", "pending", "failed", "done"), 3))
    text = fill(
        """export type «Name»Status = «statuses»;

export interface «Name» {
  id: string;
«fields»
  createdAt: string;
  updatedAt: string;
}

export interface «Name»Filters {
  search?: string;
  status?: «Name»Status;
  page?: number;
  pageSize?: number;
  sortBy?: keyof «Name»;
}

export type «Name»Input = Omit<«Name», "id" | "createdAt" | "updatedAt">;
export type «Name»Patch = Partial<«Name»Input> & { id: string };

export const EMPTY_«UPPER»: «Name»Input = {
«defaults»,
};

export function is«Name»(value: unknown): value is «Name» {
  return typeof value === "object" && value !== null && "id" in value && "«text»" in value;
}
""",
        Name=e.name, UPPER=re.sub(r"(?<!^)([A-Z])", r"_\1", e.name).upper(), statuses=statuses,
        fields=field_lines(e), defaults=defaults, text=e.text_field,
    )
    if e.parent is not None:
        text += fill(
            """
export interface «Name»With«Parent» extends «Name» {
  «parent»?: { id: string; «ptext»: string } | null;
}
""",
            Name=e.name, Parent=e.parent.name, parent=e.parent.var, ptext=e.parent.text_field,
        )
    return text


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


def exported_util(ctx: FileContext, name: str) -> str:
    """A required export with a planned name: a small typed helper over the module's entity."""
    e = ctx.entity
    t = ctx.use_type(e) if ctx.module.path.startswith("frontend/") else None
    item = t or "{ id: string; " + "; ".join(f"{f.name}: {TS_TYPES[f.kind]}" for f in e.fields[:3]) + " }"
    num = e.number_field
    return fill(
        """export function «name»(items: «item»[], minimum = 0): { total: number; top: «item»[] } {
  let total = 0;
  const top: «item»[] = [];
  for (const item of items) {
    const value = Number(item.«num» ?? 0);
    total += value;
    if (value > minimum) {
      top.push(item);
    }
  }
  top.sort((a, b) => Number(b.«num») - Number(a.«num»));
  return { total, top: top.slice(0, «limit») };
}
""",
        name=name, item=item, num=num, limit=ctx.rng.choice((3, 5, 10, 20)),
    )


def util_module(ctx: FileContext) -> str:
    parts = [exported_util(ctx, name) for name in ctx.module.exports]
    body = "\n".join(grow(ctx, parts, UTIL_BLOCKS))
    return render_imports(ctx, body) + body


def barrel(ctx: FileContext) -> str:
    directory = ctx.module.path.rsplit("/", 1)[0]
    lines = []
    for m in ctx.plan.modules:
        if m.kind != "barrel" and m.path.rsplit("/", 1)[0] == directory and m.exports:
            stem = strip_ext(m.path.rsplit("/", 1)[1])
            if ctx.rng.random() < 0.5:
                lines.append(f'export * from "./{stem}";')
            else:
                lines.append(f'export {{ {", ".join(m.exports)} }} from "./{stem}";')
    return "\n".join(lines) + "\n"


def ts_field(f: Field) -> str:
    return TS_TYPES[f.kind]
