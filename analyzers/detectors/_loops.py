"""Helpers for rules about work repeated per loop item: how loops and call sites read in a message."""

from __future__ import annotations

import re

from analyzers.facts import Call, Loop, ModuleFacts
from optimizer.findings import Related

_JS_STEP = re.compile(r"\+=\s*(?!1\b)(?:\d+|[A-Za-z_$][\w$.]*)")
_PY_STEP = re.compile(r"^range\([^,()]+(?:\([^()]*\))?[^,()]*,[^,()]+(?:\([^()]*\))?[^,()]*,(?!\s*1\s*\))[^,()]+\)$")

LOOP_WORDS = {
    "for": "`for` loop",
    "for_of": "`for…of` loop",
    "for_in": "`for…in` loop",
    "for_await": "`for await` loop",
    "while": "`while` loop",
    "do": "`do…while` loop",
    "comprehension": "comprehension",
}


def loops_text(loops: list[Loop], module: ModuleFacts) -> str:
    inner = loops[-1]
    over = f" over `{short(inner.iterable)}`" if inner.iterable else ""
    nesting = f" (nested {len(loops)} loops deep: queries grow as the product of their sizes)" if len(loops) > 1 else ""
    return f"{loop_words(inner, module.language)}{over}{nesting}"


def loop_related(loops: list[Loop], module: ModuleFacts) -> tuple[Related, ...]:
    return tuple(Related(module.path, loop.span.line, f"{loop_words(loop, module.language)} starts here") for loop in loops)


def loop_words(loop: Loop, language: str) -> str:
    if loop.kind == "for_await" and language == "python":
        return "`async for` loop"
    return LOOP_WORDS.get(loop.kind, f"`.{loop.kind}()` callback")


def describe(call: Call) -> str:
    """`prisma.user.findUnique`; a long builder chain keeps its ends: `kysely.updateTable()….execute`."""
    parts = list(call.chain) or [call.callee]
    if len(parts) > 4:
        parts = [*parts[:2], "…", parts[-1]]
    return short(".".join(parts))


def short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_chunk_loop(loop: Loop) -> bool:
    """`for (let i = 0; i < n; i += 500)` or `for i in range(0, n, 500)`: one query per chunk of items."""
    if loop.kind != "for":
        return False
    return bool(_JS_STEP.search(loop.iterable) or _PY_STEP.match(loop.iterable))
