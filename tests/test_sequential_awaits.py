"""Data dependence between awaits: the front-ends' flow facts (block, next_read, loop_carried) and the two
sequential-await detectors that read them, on small inline sources."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from analyzers.detectors.base import FileContext
from analyzers.detectors.sequential_await_in_loop import SequentialAwaitInLoop
from analyzers.detectors.sequential_independent_awaits import (
    SequentialIndependentAwaits,
)
from analyzers.facts import Await, ModuleFacts
from analyzers.javascript import parse as parse_js
from analyzers.python import parse as parse_py
from optimizer.api import analyze


def ts(source: str) -> ModuleFacts:
    module = parse_js("m.ts", textwrap.dedent(source).encode(), "typescript")
    assert module.errors == []
    return module


def py(source: str) -> ModuleFacts:
    module = parse_py("m.py", textwrap.dedent(source).encode())
    assert module.errors == []
    return module


def awaited(module: ModuleFacts, call: str) -> Await:
    [found] = [a for a in module.awaits if a.call == call]
    return found


def lines(detector, module: ModuleFacts, is_test: bool = False, **options) -> list[int]:
    ctx = FileContext(options={**detector.options, **options}, is_test=is_test)
    return sorted(f.location.line for f in detector().check(module, ctx))


# -- loop-carried values: JS/TS


@pytest.mark.parametrize(
    ("body", "carried"),
    [
        ("for (const id of ids) { const r = await api.get(id); out.push(r); }", False),
        ("for (let i = 0; i < ids.length; i++) { await api.send(ids[i]); }", False),
        ("let c; do { const page = await api.list({ c }); c = page.next; } while (c);", True),
        ("let prev = 0; for (const x of xs) { prev = await api.step(prev, x); }", True),
        ("let done = false; while (!done) { done = await api.tick(); }", True),
        ("let n = 0; while (n < 10) { const r = await api.tick(); n += r.count; }", True),
        ("while (true) { const job = await api.pop(); }", True),
        ("for (;;) { await api.tick(); }", True),
        ("while (await api.more()) { i++; }", True),
        ("for (const u of urls) { const r = await api.get(u); if (r.ok) break; }", True),
        ("for (const u of urls) { try { return await api.get(u); } catch {} }", True),
        ("for (const u of urls) { for (const v of u) { if (v) break; } await api.get(u); }", False),
        ("for (const u of urls) { switch (u) { case 'a': break; } await api.get(u); }", False),
        ("for (const u of urls) { u.xs.forEach(() => { return; }); await api.get(u); }", False),
        ("outer: for (const u of urls) { for (const v of u) { break outer; } await api.get(u); }", True),
    ],
)
def test_js_loop_carried(body, carried):
    module = ts(f"async function* f(ids, urls, xs, out) {{ {body} }}")
    [first] = [a for a in module.awaits if a.call and a.call.startswith("api.")][:1]
    assert first.loop_carried is carried


def test_js_generator_yielding_per_item_is_carried():
    module = ts("async function* f(pages) { for (const p of pages) { yield await api.load(p); } }")
    assert awaited(module, "api.load").loop_carried


# -- loop-carried values: Python


@pytest.mark.parametrize(
    ("body", "carried"),
    [
        ("for i in ids:\n    r = await api.get(i)\n    out.append(r)", False),
        ("url = '/a'\nwhile url:\n    r = await api.get(url)\n    url = r.json().get('next')", True),
        ("prev = 0\nfor x in xs:\n    prev = await api.step(prev, x)", True),
        ("while True:\n    job = await api.pop()", True),
        ("while await api.more():\n    pass", True),
        ("for u in urls:\n    r = await api.get(u)\n    if r.ok:\n        return r", True),
        ("for u in urls:\n    for v in u:\n        if v:\n            break\n    await api.get(u)", False),
        ("cursor = None\nfor _ in range(9):\n    page = await api.get(cursor)\n    cursor = page.next", True),
        ("rows = [await api.get(u) for u in urls]", False),
    ],
)
def test_python_loop_carried(body, carried):
    module = py("async def f(ids, urls, xs, out):\n" + textwrap.indent(body, "    ") + "\n")
    first = next(a for a in module.awaits if a.call and a.call.startswith("api."))
    assert first.loop_carried is carried


# -- blocks and next reads


def test_js_block_is_shared_by_straight_line_statements_only():
    module = ts(
        """
        async function f(flag) {
          const a = await api.a();
          const b = await api.b();
          const c = flag ? await api.c() : null;
          const d = flag && (await api.d());
          if (flag) await api.e();
          if (flag) { await api.g(); }
        }
        """
    )
    a, b = awaited(module, "api.a"), awaited(module, "api.b")
    assert a.block == b.block >= 0
    assert [awaited(module, name).block for name in ("api.c", "api.d", "api.e")] == [-1, -1, -1]
    assert awaited(module, "api.g").block not in (-1, a.block)


def test_js_next_read_follows_what_the_statement_sets():
    source = """
    async function f(out) {
      const id = (await api.a()).id;
      const other = 1;
      use(id);
      out.push(await api.b());
      log(out);
      this.user = await api.c();
      render(this.user);
      const unused = await api.d();
    }
    """
    module = ts(source)
    text = textwrap.dedent(source).encode()
    assert awaited(module, "api.a").next_read == text.index(b"id);")
    assert awaited(module, "api.b").next_read == text.index(b"out);")
    assert awaited(module, "api.c").next_read == text.index(b"this.user);")
    assert awaited(module, "api.d").next_read == -1


def test_python_block_and_next_read():
    source = """
    async def f(flag, out):
        a = await api.a()
        b = await api.b() if flag else None
        c = flag and await api.c()
        out.append(await api.d())
        print(a, out)
        self.user = await api.e()
        return self.user
    """
    module = py(source)
    text = textwrap.dedent(source).encode()
    a, d = awaited(module, "api.a"), awaited(module, "api.d")
    assert a.block == d.block >= 0
    assert awaited(module, "api.b").block == awaited(module, "api.c").block == -1
    assert a.next_read == text.index(b"a, out)")
    assert d.next_read == text.index(b"a, out)") + len(b"a, ")
    assert awaited(module, "api.e").next_read == text.index(b"self.user\n")


# -- sequential-independent-awaits


def test_reads_that_feed_each_other_do_not_form_a_run():
    module = ts(
        """
        async function f(id) {
          const user = await this.users.getById(id);
          const name = user.name;
          const posts = await this.posts.listByAuthor(name);
          const org = await this.orgs.getById(id);
          const team = await this.teams.getById(id);
          return { posts, org, team };
        }
        """
    )
    # `posts` reads `name`, set from `user`: the run starts again at `posts`
    assert lines(SequentialIndependentAwaits, module) == [5]


def test_nested_await_feeds_the_outer_one():
    module = ts("async function f() { const x = await this.a.getX(await this.b.getId()); }")
    assert lines(SequentialIndependentAwaits, module) == []


def test_writes_end_a_run_and_reads_after_them_start_a_new_one():
    module = ts(
        """
        async function f(id) {
          const a = await prisma.user.findUnique({ where: { id } });
          await prisma.log.create({ data: { id } });
          const b = await prisma.post.count();
          const c = await prisma.tag.count();
          return { a, b, c };
        }
        """
    )
    assert lines(SequentialIndependentAwaits, module) == [5]


def test_python_session_queries_never_run_together():
    module = py(
        """
        async def f(session, client, user_id):
            user = await session.get(User, user_id)
            orders = await session.scalar(select(Order))
            a = await client.get_a(user_id)
            b = await client.get_b(user_id)
            return user, orders, a, b
        """
    )
    assert lines(SequentialIndependentAwaits, module) == [5]


def test_min_run_and_test_files():
    module = ts("async function f() { const a = await api.getA(); const b = await api.getB(); return [a, b]; }")
    assert lines(SequentialIndependentAwaits, module) == [1]
    assert lines(SequentialIndependentAwaits, module, **{"min-run": 3}) == []
    assert lines(SequentialIndependentAwaits, module, is_test=True) == []


# -- sequential-await-in-loop (a project rule: it follows calls into the project's own code)


def loop_lines(tmp_path: Path, files: dict[str, str], path: str) -> list[int]:
    for name, source in files.items():
        (tmp_path / name).write_text(textwrap.dedent(source), encoding="utf-8")
    report = analyze(tmp_path, use_cache=False)
    return sorted(f.line for f in report.findings if f.rule == SequentialAwaitInLoop.id and f.path == path)


def test_loop_that_queries_is_left_to_n_plus_one_whole(tmp_path):
    source = """
    async function f(users) {
      for (const user of users) {
        const row = await prisma.user.findUnique({ where: { id: user.id } });
        await this.mailer.sendWelcome(row.email);
      }
      for (const user of users) {
        await prisma.user.update({ where: { id: user.id }, data: {} });
      }
      for (const user of users) {
        await this.mailer.sendWelcome(user.email);
      }
    }
    """
    # one report per loop: the first two loops are n-plus-one-query's, even the mail the first one sends
    assert loop_lines(tmp_path, {"jobs.ts": source}, "jobs.ts") == [11]


def test_loop_follows_calls_into_the_project(tmp_path):
    files = {
        "api.ts": """
        import axios from "axios";
        import { store } from "./store";
        export async function getScore(id: string) {
          const { data } = await axios.get(`/scores/${id}`);
          return data;
        }
        export async function archive(id: string) {
          await store.putObject(`archive/${id}`, "");
        }
        export async function getUser(id: string) {
          return prisma.user.findUnique({ where: { id } });
        }
        export async function double(n: number) {
          return n * 2;
        }
        """,
        "page.ts": """
        import { archive, double, getScore, getUser } from "./api";
        export async function load(ids: string[]) {
          for (const id of ids) {
            await getScore(id);
          }
          for (const id of ids) {
            await archive(id);
          }
          for (const id of ids) {
            await getUser(id);
          }
          for (const id of ids) {
            await double(id.length);
          }
        }
        """,
    }
    # only the other I/O is this rule's: the HTTP wrapper is chatty-client's, the query n-plus-one-query's,
    # and plain computation no one's
    assert loop_lines(tmp_path, files, "page.ts") == [8]


def test_loop_over_await_inside_a_callback_is_not_the_loop_s(tmp_path):
    source = """
    async function f(routes, app) {
      for (const route of routes) {
        app.get(route, async () => { await this.api.handle(route); });
      }
    }
    """
    assert loop_lines(tmp_path, {"routes.ts": source}, "routes.ts") == []


def test_loop_skips_pacing_literal_and_chunked_loops(tmp_path):
    source = """
    import asyncio

    async def f(client, ids):
        for i in ids:
            await client.post("/x", json=i)
            await asyncio.sleep(1)
        for region in ["eu", "us"]:
            await client.post("/warm", json=region)
        for start in range(0, len(ids), 100):
            await client.post("/bulk", json=ids[start:start + 100])
        for i in ids:
            await client.post("/y", json=i)
    """
    assert loop_lines(tmp_path, {"jobs.py": source}, "jobs.py") == [13]
