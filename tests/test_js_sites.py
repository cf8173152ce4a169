"""The JS/JSX/TS/TSX front-end: loops, calls, awaits, JSX elements and SQL sites on small inline sources."""

from __future__ import annotations

from js_helpers import by_callee, facts


# --- loops ---------------------------------------------------------------------------------------


def test_loop_kinds_iterables_literal_sizes_and_nesting():
    m = facts(
        """
        async function f(items, obj, stream) {
          for (let i = 0; i < 3; i++) {}
          for (const x of [1, 2, 3]) {
            for (const k in obj) {}
          }
          for await (const chunk of stream) {}
          while (true) { break; }
          do {} while (false);
          ['a', 'b'].forEach((s) => s);
          items.map((it) => it).filter(Boolean);
        }
        """
    )
    got = [(lp.id, lp.kind, lp.iterable, lp.literal_size, lp.parent, lp.function) for lp in m.loops]
    assert got == [
        (0, "for", "let i = 0; i < 3; i++", None, None, "f"),
        (1, "for_of", "[1, 2, 3]", 3, None, "f"),
        (2, "for_in", "obj", None, 1, "f"),
        (3, "for_await", "stream", None, None, "f"),
        (4, "while", "", None, None, "f"),
        (5, "do", "", None, None, "f"),
        (6, "forEach", "['a', 'b']", 2, None, "f"),
        (7, "map", "items", None, None, "f"),
    ]
    callback = next(f for f in m.functions if f.kind == "arrow")
    assert m.loops[6].span == callback.span


def test_call_loops_cross_callback_loops_but_stop_at_named_functions():
    m = facts(
        """
        async function sync(as, bs, ids) {
          for (const a of as) {
            bs.map((b) => q(a, b));
            function helper() { inner(); }
            const named = () => alsoInner();
          }
          ids.forEach((id) => db.x(id));
        }
        """
    )
    q = by_callee(m, "q")
    assert q.loops == (0, 1) and m.loops[1].parent == 0
    assert q.function == "<arrow@4:12>"
    assert by_callee(m, "inner").loops == ()
    assert by_callee(m, "alsoInner").loops == ()
    assert by_callee(m, "bs.map").loops == (0,)
    dbx = by_callee(m, "db.x")
    assert dbx.loops == (2,) and dbx.function == "<arrow@8:15>"
    assert m.loops[2].function == "sync"


def test_loop_headers_that_run_once_are_outside_the_loop():
    m = facts(
        """
        async function f(xs) {
          for (const u of await prisma.user.findMany()) { await prisma.post.count(u.id); }
          for (let i = 0, n = count(); i < limit(); i = next(i)) { body(i); }
          for (const a of xs.filter((x) => keep(x))) { for (const b of more(a)) { inner(a, b); } }
        }
        """
    )
    loops = {c.callee: c.loops for c in m.calls}
    assert loops["prisma.user.findMany"] == () and loops["prisma.post.count"] == (0,)
    assert loops["count"] == () and loops["limit"] == loops["next"] == loops["body"] == (1,)
    assert loops["keep"] == (3,) and m.loops[3].parent is None
    assert loops["more"] == (2,) and loops["inner"] == (2, 4)


def test_map_handed_to_promise_all_is_batched():
    m = facts(
        """
        async function f(ids) {
          const users = await Promise.all(ids.map((id) => prisma.user.findUnique({ where: { id } })));
          await Promise.allSettled((ids.map(async (id) => load(id))));
          const pending = ids.map((id) => fetchOne(id));
          await Promise.all(pending);
          const later = ids.map((id) => fetchTwo(id));
          ids.map((id) => fetchThree(id));
        }
        """
    )
    assert [(lp.kind, lp.batched) for lp in m.loops] == [
        ("map", True),
        ("map", True),
        ("map", True),
        ("map", False),
        ("map", False),
    ]


# --- calls ---------------------------------------------------------------------------------------


def test_call_chains_and_callee_text():
    m = facts(
        """
        async function f(a, b) {
          await this.prisma.user.findUnique({ where: { id: 1 } });
          await prisma.$queryRaw`SELECT 1 FROM t`;
          await db.collection('x').find({}).toArray();
          a?.b();
          a[b].c();
          a['literal'].d();
          prisma.user
            .findMany();
          new PrismaClient();
          getDb().query();
        }
        """
    )
    chains = {c.callee: c.chain for c in m.calls}
    assert chains["this.prisma.user.findUnique"] == ("this", "prisma", "user", "findUnique")
    assert chains["prisma.$queryRaw"] == ("prisma", "$queryRaw")
    assert chains["db.collection('x').find({}).toArray"] == ("db", "collection()", "find()", "toArray")
    assert chains["db.collection('x').find"] == ("db", "collection()", "find")
    assert chains["a?.b"] == ("a", "b")
    assert chains["a[b].c"] == ("a", "?", "c")
    assert chains["a['literal'].d"] == ("a", "literal", "d")
    assert chains["prisma.user.findMany"] == ("prisma", "user", "findMany")
    assert chains["getDb().query"] == ("getDb()", "query")
    new = by_callee(m, "PrismaClient")
    assert new.is_new and new.chain == ("PrismaClient",) and new.args == ()


def test_an_immediately_invoked_function_is_a_short_callee():
    body = "step();\n" * 100
    m = facts(f"(async function () {{\n{body}}})();\n", "javascript", "m.js")
    iife = next(c for c in m.calls if c.callee.startswith("(async function"))
    assert len(iife.callee) <= 200 and iife.chain == ("?",)
    assert m.functions[0].qualname == "<function@1:2>"


def test_awaited_calls_args_and_tagged_templates():
    long_arg = "x" * 300
    m = facts(
        f"""
        async function f() {{
          await (api.get(1, 'two'));
          await db.collection('x').find().toArray();
          await load().then((r) => r);
          notAwaited("{long_arg}");
          const rows = sql`SELECT * FROM t WHERE id = ${{id}}`;
        }}
        """
    )
    assert by_callee(m, "api.get").awaited and by_callee(m, "api.get").args == ("1", "'two'")
    assert by_callee(m, "db.collection('x').find().toArray").awaited is True
    assert by_callee(m, "db.collection('x').find").awaited is True
    assert by_callee(m, "load().then").awaited and not by_callee(m, "load").awaited
    plain = by_callee(m, "notAwaited")
    assert not plain.awaited and len(plain.args[0]) == 200
    tagged = by_callee(m, "sql")
    assert tagged.args == ("`SELECT * FROM t WHERE id = ${id}`",)


def test_generic_call_under_await_in_typescript():
    # tree-sitter-typescript reads `await f<T>(x)` as a call of `await f`; the facts still say what it is.
    m = facts(
        """
        async function f(ids: number[]) {
          for (const id of ids) {
            const res = await pool.query<{ total: string }>('SELECT 1 FROM t WHERE id = $1', [id]);
          }
        }
        """
    )
    call = by_callee(m, "pool.query")
    assert (call.chain, call.awaited, call.loops) == (("pool", "query"), True, (0,))
    assert (call.span.line, call.span.column) == (4, 23)
    (wait,) = m.awaits
    assert (wait.call, wait.targets, wait.uses) == ("pool.query", ("res",), ("pool", "id"))
    assert m.sql[0].call == "pool.query"


# --- awaits --------------------------------------------------------------------------------------


def test_await_targets_uses_and_scope():
    m = facts(
        """
        async function f(userId, posts) {
          const user = await prisma.user.findUnique({ where: { id: userId } });
          const { a, b: renamed } = await load(user.profile, posts);
          const [first, second] = await Promise.all([x(), y()]);
          let later;
          later = await compute(first);
          await (sleep(10));
          for (const p of posts) { await save(p, { userId }); }
        }
        """
    )
    got = [(w.call, w.targets, w.uses, w.loops, w.function) for w in m.awaits]
    assert got == [
        ("prisma.user.findUnique", ("user",), ("prisma", "userId"), (), "f"),
        ("load", ("a", "renamed"), ("load", "user", "posts"), (), "f"),
        ("Promise.all", ("first", "second"), ("Promise", "x", "y"), (), "f"),
        ("compute", ("later",), ("compute", "first"), (), "f"),
        ("sleep", (), ("sleep",), (), "f"),
        ("save", (), ("save", "p", "userId"), (0,), "f"),
    ]


# --- JSX -----------------------------------------------------------------------------------------


def test_jsx_elements_and_prop_kinds():
    m = facts(
        """
        function List({ items, rest }) {
          return (
            <>
              {items.map((item) => (
                <Row key={item.id} onClick={() => pick(item)} onHover={function () {}} style={{ a: 1 }}
                  tags={[1]} item={item} label="x" n={1} disabled f={fmt(item)} m={a.b} t={`a${b}`} {...rest} />
              ))}
              <UI.Button kind={1 + 2} />
            </>
          );
        }
        """,
        "tsx",
        "m.tsx",
    )
    row, button = m.jsx
    assert row.name == "Row" and row.loops == (0,) and row.function == "<arrow@5:18>"
    kinds = {p.name: (p.kind, p.text) for p in row.props}
    assert kinds == {
        "key": ("member", "item.id"),
        "onClick": ("arrow", "() => pick(item)"),
        "onHover": ("function", "function () {}"),
        "style": ("object", "{ a: 1 }"),
        "tags": ("array", "[1]"),
        "item": ("identifier", "item"),
        "label": ("literal", '"x"'),
        "n": ("literal", "1"),
        "disabled": ("literal", ""),
        "f": ("call", "fmt(item)"),
        "m": ("member", "a.b"),
        "t": ("other", "`a${b}`"),
        "...": ("spread", "...rest"),
    }
    assert button.name == "UI.Button" and button.props[0].kind == "other" and button.loops == ()


def test_jsx_in_plain_javascript():
    m = facts("const App = () => <div className='app'><Header /></div>;\n", "javascript", "m.jsx")
    assert [e.name for e in m.jsx] == ["div", "Header"]
    assert m.functions[0].is_component and not m.errors


# --- SQL -----------------------------------------------------------------------------------------


def test_sql_strings_templates_and_tagged_templates():
    m = facts(
        """
        async function f(id, ids) {
          await pool.query("SELECT * FROM users WHERE id = $1", [id]);
          const q = `UPDATE users SET name = ${name} WHERE id = ${id}`;
          await prisma.$queryRaw`SELECT id FROM posts WHERE author_id = ${id}`;
          for (const i of ids) { await pool.query(`DELETE FROM t WHERE id = ${i}`); }
          alert("Select a file to upload");
        }
        """
    )
    got = [(s.kind, s.text, s.tag, s.call, s.loops, s.function) for s in m.sql]
    assert got == [
        ("string", "SELECT * FROM users WHERE id = $1", None, "pool.query", (), "f"),
        ("template", "UPDATE users SET name = ? WHERE id = ?", None, None, (), "f"),
        ("tagged", "SELECT id FROM posts WHERE author_id = ?", "prisma.$queryRaw", None, (), "f"),
        ("template", "DELETE FROM t WHERE id = ?", None, "pool.query", (0,), "f"),
    ]
