"""How a fetched list is used later (``Await.result_uses``), which `over-fetching` reads."""

from __future__ import annotations

import pytest

from analyzers.javascript import parse


def uses_of(body: str) -> tuple[str, ...]:
    source = f"async function f(prisma, id) {{\n  const rows = await prisma.image.findMany({{ where: {{ id }} }});\n{body}\n}}\n"
    [awaited] = parse("f.ts", source.encode(), "typescript").awaits
    return awaited.result_uses


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("  return rows.length;", ("length",)),
        ("  return rows.filter((r) => r.ok).length;", ("filter.length",)),
        ("  return rows.reduce((a, r) => a + r.size, 0);", ("reduce",)),
        ("  send(rows);\n  return rows.length;", ("", "length")),
        ("  return rows.map((r) => r.id);", ("map",)),
        ("  return { ...rows };", ("",)),
        ("  const other = 1;\n  return other;", ()),
    ],
)
def test_result_uses(body, expected):
    assert uses_of(body) == expected


def test_only_awaited_find_many_is_followed():
    source = b"async function f(prisma) {\n  const n = await prisma.image.findFirst();\n  return n.length;\n}\n"
    [awaited] = parse("f.ts", source, "typescript").awaits
    assert awaited.result_uses == ()
