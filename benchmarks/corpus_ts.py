"""TypeScript pieces shared by the frontend and backend templates: import rendering, size control,
entity types, utility modules and barrels."""

from __future__ import annotations

import posixpath
import re

from corpus_base import MAX_LINES, Entity, FileContext, fill, line_count
from corpus_ts_utils import UTIL_BLOCKS

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
    spec = spec.removesuffix("/index")
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
        elif not star and pkg == "react":
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
        if total + line_count(block) > MAX_LINES - 25:  # leave room for the import block
            break
        parts.append(block)
        total += line_count(block) + 1
    return parts


def field_lines(entity: Entity, indent: str = "  ") -> str:
    return "\n".join(f"{indent}{f.name}: {TS_TYPES[f.kind]};" for f in entity.fields)


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
