"""The await-merging codemods decline runs they cannot merge whole, and their output is no longer reported."""

from __future__ import annotations

from pathlib import Path

import libcst
import pytest

from optimizer.api import analyze
from rewriters.edits import NoFix, apply_edits
from rewriters.engine import plan
from rewriters.javascript.parallel_awaits import compute_edits
from rewriters.python.gather_awaits import transform

RULE = "sequential-independent-awaits"


def _rule_findings(root: Path):
    return [f for f in analyze([root], root=root, use_cache=False).findings if f.rule == RULE]


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("const a = await api.getA();\nlog('x');\nconst b = await api.getB();\n", "runs between"),
        ("const a = await api.getA();\n// the second read\nconst b = await api.getB();\n", "runs between"),
        ("const a = await api.getA();\nlet b = await api.getB();\n", "mix `const` and `let`"),
        ("const a = await api.getA();\nconst b = (await api.getB()).items;\n", "not a whole"),
        ("const a: A = await api.getA();\nconst b = await api.getB();\n", "not a whole"),
        ("const a = await api.getA(), b = await api.getB();\n", "not a whole"),
    ],
)
def test_parallel_awaits_declines_other_shapes(body: str, why: str) -> None:
    source = f"export async function load(api: Api) {{\n{body}  return [a, b];\n}}\n".encode()
    with pytest.raises(NoFix, match=why):
        compute_edits(source, "typescript")


def test_parallel_awaits_keeps_bare_awaits_as_holes() -> None:
    source = b"async function f(api) {\n  await api.getA();\n  const b = await api.getB();\n  return b;\n}\n"
    after = apply_edits(source, compute_edits(source, "javascript"))[0]
    assert b"  const [, b] = await Promise.all([api.getA(), api.getB()]);\n" in after


def test_parallel_awaits_reads_awaited_calls_with_type_arguments() -> None:
    """tree-sitter reads `await f<T>(x)` as a call of `await f`; the whole call still goes into the list."""
    source = (
        b"async function f(api: Api) {\n  const a = await api.get<string>(KEY_A);\n"
        b"  const b = await api.get<number>(KEY_B);\n  return [a, b];\n}\n"
    )
    after = apply_edits(source, compute_edits(source, "typescript"))[0]
    assert b"  const [a, b] = await Promise.all([api.get<string>(KEY_A), api.get<number>(KEY_B)]);\n" in after


def test_parallel_awaits_leaves_dependent_awaits() -> None:
    source = b"async function f(api) {\n  const a = await api.getA();\n  const b = await api.getB(a);\n  return b;\n}\n"
    assert compute_edits(source, "javascript") == []


def _python(body: str) -> libcst.Module:
    return libcst.parse_module(f"async def load(client):\n{body}    return a, b\n")


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("    a = await client.get_a()\n    print('loading')\n    b = await client.get_b()\n", "runs between"),
        ("    a = await client.get_a()\n    await client.get_b()\n", "mix assignments and bare awaits"),
        ("    a = await client.get_a()  # first\n    b = await client.get_b()\n", "comment"),
        ("    a = await client.get_a()\n    b = (await client.get_b()).items\n", "not each"),
        ("    a = await client.get_a(); b = await client.get_b()\n", "runs between|not one simple"),
    ],
)
def test_gather_awaits_declines_other_shapes(body: str, why: str) -> None:
    with pytest.raises(NoFix, match=why):
        transform(_python(body), {2})


def test_gather_awaits_keeps_tuple_targets_and_existing_import() -> None:
    module = libcst.parse_module(
        "import asyncio\n\n\nasync def load(client):\n"
        "    a, b = await client.get_pair()\n    c = await client.get_c()\n    return a, b, c\n"
    )
    code = transform(module, {5}).code
    assert "    (a, b), c = await asyncio.gather(client.get_pair(), client.get_c())\n" in code
    assert code.count("import asyncio") == 1


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("a.ts", "async function f(api: Api) {\n  const a = await api.getA();\n  const b = await api.getB();\n}\n"),
        ("a.py", "async def f(client):\n    a = await client.get_a()\n    b = await client.get_b()\n    return a, b\n"),
    ],
)  # fmt: skip
def test_merged_run_is_no_longer_reported(tmp_path: Path, name: str, source: str) -> None:
    (tmp_path / name).write_text(source, encoding="utf-8")
    assert len(_rule_findings(tmp_path)) == 1
    (rewrite,) = plan(analyze([tmp_path], root=tmp_path, use_cache=False), unsafe=True)
    assert rewrite.changed
    (tmp_path / name).write_bytes(rewrite.after)
    assert _rule_findings(tmp_path) == []


def test_unsafe_fix_needs_the_unsafe_flag(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(
        "async def f(client):\n    a = await client.get_a()\n    b = await client.get_b()\n    return a, b\n"
    )
    assert plan(analyze([tmp_path], root=tmp_path, use_cache=False)) == []
