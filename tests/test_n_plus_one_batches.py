"""Loops whose per-item work is already concurrent or already one batch, and the loop facts behind them."""

from __future__ import annotations

from analyzers.javascript import parse
from optimizer.api import analyze
from optimizer.config import Config


def loops(source: str):
    return parse("f.ts", source.encode(), "typescript").loops


def test_a_loop_that_pushes_promises_for_promise_all_is_batched():
    found = loops(
        "async function f(xs) {\n  const ps = [];\n  for (const x of xs) { ps.push(load(x)); }\n"
        "  await Promise.all(ps);\n}\n"
    )
    assert [loop.batched for loop in found] == [True]


def test_a_loop_that_also_waits_per_turn_is_not_batched():
    found = loops(
        "async function f(xs) {\n  const ps = [];\n  for (const x of xs) { await log(x); ps.push(load(x)); }\n"
        "  await Promise.all(ps);\n}\n"
    )
    assert [loop.batched for loop in found] == [False]


def test_promise_all_inside_the_loop_waits_each_turn():
    found = loops(
        "async function f(xs) {\n  for (const x of xs) {\n    const ps = [];\n    ps.push(load(x));\n"
        "    await Promise.all(ps);\n  }\n}\n"
    )
    assert [loop.batched for loop in found] == [False]


def test_pushes_never_handed_to_promise_all_are_not_batched():
    found = loops("async function f(xs) {\n  const ps = [];\n  for (const x of xs) { ps.push(load(x)); }\n  return ps;\n}\n")
    assert [loop.batched for loop in found] == [False]


def test_constant_lists_directly_or_as_a_parameter_default():
    found = loops(
        "async function f({ status = JOB_STATUSES } = {}, other = [], named = NAMES) {\n"
        "  for (const s of status) {}\n  for (const o of other) {}\n  for (const n of named) {}\n"
        "  for (const k of KINDS) {}\n  for (const x of xs) {}\n}\n"
    )
    assert [loop.constant for loop in found] == [True, False, True, True, False]


SERVICE = """\
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
export class PriceService {
  async saveAll(rows: { id: string; value: number }[]) {
    return prisma.$transaction(rows.map((row) => prisma.price.upsert({ where: { id: row.id }, update: row, create: row })));
  }
  async saveOne(row: { id: string; value: number }) {
    return prisma.price.upsert({ where: { id: row.id }, update: row, create: row });
  }
}
"""

CALLER = """\
import { PriceService } from './prices';
const prices = new PriceService();
export async function importBatches(batches: { rows: { id: string; value: number }[] }[]) {
  for (const batch of batches) {
    await prices.saveAll(batch.rows);
  }
  for (const batch of batches) {
    await prices.saveOne(batch.rows[0]);
  }
}
"""


def test_a_callee_that_batches_each_items_rows_is_one_round_trip_per_item(tmp_path):
    (tmp_path / "prices.ts").write_text(SERVICE)
    (tmp_path / "import.ts").write_text(CALLER)
    report = analyze(tmp_path, root=tmp_path, use_cache=False, config=Config(select=("n-plus-one-query",)))
    batched, single = sorted((f for f in report.findings if f.path == "import.ts"), key=lambda f: f.line)
    assert batched.line == 5 and single.line == 8
    assert "one batch of queries once per item" in batched.message
    assert "collect the rows of all items" in batched.message
    assert "one batch of queries" not in single.message
    assert batched.weight < single.weight
