"""The JS/JSX/TS/TSX front-end: each kind of fact on small inline sources."""

from __future__ import annotations

import pickle
import textwrap

import pytest

from analyzers.facts import Binding, Export, ImportedName, ModuleFacts
from analyzers.javascript import parse
from optimizer.suppress import scan_suppressions


def facts(source: str, language: str = "typescript", path: str = "m.ts") -> ModuleFacts:
    return parse(path, textwrap.dedent(source).encode(), language)


def by_callee(module: ModuleFacts, callee: str):
    found = [c for c in module.calls if c.callee == callee]
    assert len(found) == 1, [c.callee for c in module.calls]
    return found[0]


def qualnames(module: ModuleFacts) -> list[str]:
    return [f.qualname for f in module.functions]


# --- imports -------------------------------------------------------------------------------------


def test_esm_imports_default_named_alias_namespace_type_and_side_effect():
    m = facts(
        """
        import React, { useState as useLocal, memo } from 'react';
        import * as api from './api';
        import type { User } from './types';
        import './styles.css';
        """
    )
    react, ns, types, side = m.imports
    assert (react.source, react.kind, react.type_only) == ("react", "esm", False)
    assert react.names == (
        ImportedName("default", "React"),
        ImportedName("useState", "useLocal"),
        ImportedName("memo", "memo"),
    )
    assert ns.names == (ImportedName("*", "api"),)
    assert types.type_only and types.names == (ImportedName("User", "User"),)
    assert (side.source, side.names) == ("./styles.css", ())
    assert react.span.line == 2 and react.span.column == 1


def test_require_forms_and_dynamic_import_inside_a_function():
    m = facts(
        """
        const express = require('express');
        const { Pool, types: pgTypes } = require('pg');
        const pool = require('./db').pool;
        require('dotenv/config');
        async function load() {
          const { render } = await import('./render');
          return import('./lazy');
        }
        """,
        "javascript",
        "m.js",
    )
    by_source = {i.source: i for i in m.imports}
    assert by_source["express"].names == (ImportedName("*", "express"),)
    assert by_source["express"].kind == "require"
    assert by_source["pg"].names == (ImportedName("Pool", "Pool"), ImportedName("types", "pgTypes"))
    assert by_source["./db"].names == (ImportedName("pool", "pool"),)
    assert by_source["dotenv/config"].names == ()
    render = by_source["./render"]
    assert (render.kind, render.names, render.function) == ("dynamic", (ImportedName("render", "render"),), "load")
    assert by_source["./lazy"].names == () and by_source["./lazy"].function == "load"
    # ``require('./db').pool`` is an import, not an alias binding
    assert not [b for b in m.bindings if b.name == "pool"]


def test_typescript_import_equals_require():
    m = facts("import fs = require('fs');\n")
    assert [(i.source, i.kind, i.names) for i in m.imports] == [("fs", "require", (ImportedName("*", "fs"),))]


# --- exports -------------------------------------------------------------------------------------


def test_esm_exports_and_reexports():
    m = facts(
        """
        export const a = 1, { b } = obj;
        export function f() {}
        export class C {}
        export default function () {}
        const x = 1, y = 2;
        export { x as renamed, y as default };
        export * from './all';
        export * as ns from './ns';
        export { p as q } from './p';
        export type { T } from './t';
        export interface I {}
        export enum E { A }
        """
    )
    got = {(e.name, e.local, e.kind, e.source) for e in m.exports}
    assert got == {
        ("a", "a", "named", None),
        ("b", "b", "named", None),
        ("f", "f", "named", None),
        ("C", "C", "named", None),
        ("default", "default", "default", None),
        ("renamed", "x", "named", None),
        ("default", "y", "default", None),
        ("*", None, "all", "./all"),
        ("ns", None, "reexport", "./ns"),
        ("q", "p", "reexport", "./p"),
        ("T", "T", "reexport", "./t"),
        ("I", "I", "named", None),
        ("E", "E", "named", None),
    }
    reexported = {i.source: i for i in m.imports}
    assert reexported["./all"].names == ()
    assert reexported["./ns"].names == (ImportedName("*", "ns"),)
    assert reexported["./p"].names == (ImportedName("p", "q"),)
    assert reexported["./t"].type_only


def test_commonjs_exports():
    m = facts(
        """
        function load() {}
        exports.load = load;
        module.exports.helper = function () {};
        module.exports = { load, other: () => 1, alias: load };
        """,
        "javascript",
        "m.js",
    )
    assert {(e.name, e.local, e.kind) for e in m.exports} == {
        ("load", "load", "named"),
        ("helper", "helper", "named"),
        ("other", "other", "named"),
        ("alias", "load", "named"),
    }
    assert {f.qualname: f.exported for f in m.functions} == {"load": True, "helper": True, "other": True}


def test_module_exports_default_and_default_of_a_wrapped_component():
    m = facts("class Router {}\nmodule.exports = Router;\n", "javascript", "m.js")
    assert m.exports == [Export("default", "Router", "default", 2)]
    assert m.functions[0].exported
    m = facts("const List = () => <ul />;\nexport default memo(List);\n", "tsx", "m.tsx")
    assert m.exports == [Export("default", "List", "default", 2)]
    assert m.functions[0].exported and m.functions[0].is_component


# --- functions -----------------------------------------------------------------------------------


def test_qualnames_for_methods_nested_assigned_and_anonymous_functions():
    m = facts(
        """
        class UserService {
          async getUser(id: string) { return id; }
          handle = () => {};
          static make() {}
        }
        function outer() {
          function inner() {}
          const helper = async () => {};
          [1].forEach((x) => x);
        }
        const getUser = async ({ id, name: n }, [first, ...rest], fallback = 1) => {};
        export default function () {}
        const api = { list() {}, remove: function () {} };
        """
    )
    fns = {f.qualname: f for f in m.functions}
    assert qualnames(m) == [
        "UserService",
        "UserService.getUser",
        "UserService.handle",
        "UserService.make",
        "outer",
        "outer.inner",
        "outer.helper",
        "<arrow@10:15>",
        "getUser",
        "default",
        "api.list",
        "api.remove",
    ]
    assert fns["UserService"].kind == "class"
    method = fns["UserService.getUser"]
    assert (method.kind, method.class_name, method.parent, method.is_async, method.params) == (
        "method",
        "UserService",
        "UserService",
        True,
        ("id",),
    )
    assert fns["UserService.handle"].class_name == "UserService"
    assert fns["<arrow@10:15>"].parent == "outer" and fns["<arrow@10:15>"].name == "<arrow>"
    assert fns["getUser"].params == ("id", "n", "first", "rest", "fallback")
    assert fns["getUser"].is_async and fns["getUser"].kind == "arrow"
    assert fns["default"].exported and fns["default"].kind == "function"
    assert fns["api.list"].class_name is None


def test_qualnames_stay_unique_and_generators_and_decorators_are_seen():
    m = facts(
        """
        @Injectable()
        export class Box {
          @Get(':id')
          @Auth()
          get value() { return 1; }
          set value(v) {}
          *items() {}
        }
        function* gen() {}
        """
    )
    fns = {f.qualname: f for f in m.functions}
    assert set(fns) == {"Box", "Box.value", "Box.value@7:3", "Box.items", "gen"}
    assert fns["Box"].decorators == ("Injectable()",) and fns["Box"].exported
    assert fns["Box.value"].decorators == ("Get(':id')", "Auth()")
    assert fns["Box.items"].is_generator and fns["gen"].is_generator
    assert not fns["Box.value"].is_generator


def test_components_need_an_uppercase_name_and_jsx():
    m = facts(
        """
        export function UserList({ users }) {
          return <ul>{users.map((u) => <li key={u.id}>{u.name}</li>)}</ul>;
        }
        function renderRow() { return <tr />; }
        function Helper() { return null; }
        export const Card = memo(function Card({ title }) { return <div>{title}</div>; });
        const Panel = forwardRef((props, ref) => <div ref={ref} />);
        class Old extends React.Component { render() { return <span />; } }
        """,
        "tsx",
        "m.tsx",
    )
    components = {f.qualname for f in m.components}
    assert components == {"UserList", "Card", "Panel", "Old"}
    assert {f.qualname: f.exported for f in m.functions if f.qualname in ("UserList", "Card", "Panel")} == {
        "UserList": True,
        "Card": True,
        "Panel": False,
    }


def test_tsx_generic_arrow_component():
    m = facts(
        """
        export const Select = <T,>({ options }: { options: T[] }) => (
          <select>{options.map((o) => <option>{String(o)}</option>)}</select>
        );
        """,
        "tsx",
        "m.tsx",
    )
    assert not m.errors
    select = m.functions[0]
    assert (select.qualname, select.is_component, select.exported) == ("Select", True, True)
    assert select.params == ("options",)


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


# --- bindings ------------------------------------------------------------------------------------


def test_bindings_module_locals_class_members_and_parameter_properties():
    m = facts(
        """
        const prisma = new PrismaClient();
        const client = createClient();
        const db = prisma;
        class ImageController {
          private repo = new Repo();
          private cache: Cache;
          private count: number;
          static shared = new Shared();
          constructor(private readonly imageService: ImageService, public store?: Store, plain: Plain) {
            this.thumbs = new ThumbService();
            this.plain = plain;
          }
          async run() {
            const conn = await pool.connect();
            const handler = () => { this.late = makeLate(); };
          }
        }
        """
    )
    assert set(m.bindings) == {
        Binding("prisma", "PrismaClient", "new", 2, None),
        Binding("client", "createClient", "call", 3, None),
        Binding("db", "prisma", "alias", 4, None),
        Binding("this.repo", "Repo", "new", 6, "ImageController"),
        Binding("this.cache", "Cache", "param_type", 7, "ImageController"),
        Binding("ImageController.shared", "Shared", "new", 9, "ImageController"),
        Binding("this.imageService", "ImageService", "param_type", 10, "ImageController"),
        Binding("this.store", "Store", "param_type", 10, "ImageController"),
        Binding("this.thumbs", "ThumbService", "new", 11, "ImageController"),
        Binding("this.plain", "Plain", "param_type", 12, "ImageController"),
        Binding("conn", "pool.connect", "call", 15, "ImageController.run"),
        Binding("this.late", "makeLate", "call", 16, "ImageController"),
    }


# --- errors, odd syntax, module-level facts -------------------------------------------------------


def test_syntax_error_is_reported_once_and_facts_are_kept():
    m = facts(
        """
        import { a } from 'a';
        function ok() { a(); }
        function broken( {
          b();
        """
    )
    assert len(m.errors) == 1 and m.errors[0].startswith("syntax error at line ")
    assert [i.source for i in m.imports] == ["a"]
    assert "a" in [c.callee for c in m.calls]


@pytest.mark.parametrize(
    ("language", "source"),
    [
        ("typescript", "enum Color { Red = 'r' }\nnamespace NS { export const x = 1; }\n"),
        ("typescript", "abstract class Base<T> { abstract run(): T; protected constructor() {} }\n"),
        ("typescript", "const cfg = { a: 1 } as const satisfies Record<string, number>;\n"),
        ("typescript", "class P { #secret = 1; get s() { return this.#secret; } }\n"),
        ("typescript", "declare module 'x' { export function f(): void; }\nlet v = a?.b ?? c!;\n"),
        ("typescript", "function over(a: string): void;\nfunction over(a: any) {}\n"),
        ("tsx", "export default function Page<T extends object>() { return <><Item<T> /></>; }\n"),
        ("javascript", "async function* g() { for await (const x of y) yield x; }\nlabel: for (;;) break label;\n"),
        ("javascript", "class A { static #n = 0; static { A.#n++; } }\nconst re = /a\\/b/g;\n"),
    ],
)
def test_odd_but_valid_syntax_parses_without_errors(language, source):
    m = parse("m", source.encode(), language)
    assert m.errors == []


def test_garbage_input_never_raises():
    for language in ("javascript", "typescript", "tsx"):
        for source in (b"", b"\x00\xff\xfe", b"}}}{{{", b"<div", b"const = = ;", "caf\u00e9 = `".encode()):
            assert isinstance(parse("m", source, language), ModuleFacts)


def test_source_that_is_not_utf8_still_yields_facts():
    source = b"const label = '\xff\xfe caf\xe9';\npool.query('SELECT * FROM users WHERE id = 1');\n"
    m = parse("m.js", source, "javascript")
    assert [s.text for s in m.sql] == ["SELECT * FROM users WHERE id = 1"]
    assert [c.callee for c in m.calls] == ["pool.query"]


def test_mjs_is_javascript_with_esm():
    m = facts("import { x } from './x.mjs';\nexport const y = async () => await x();\n", "javascript", "m.mjs")
    assert m.language == "javascript" and m.imports[0].source == "./x.mjs"
    assert m.exports[0].name == "y" and m.functions[0].exported


def test_lines_suppressions_columns_in_bytes_and_pickling():
    source = "const s = 'caf\u00e9'; f();\n// perfrewrite: ignore[n-plus-one-query]\ng();\n"
    m = parse("m.js", source.encode(), "javascript")
    assert m.lines == 3
    assert m.suppressions == scan_suppressions(source.encode()) and list(m.suppressions) == [2]
    f_call = by_callee(m, "f")
    # 'caf\u00e9' is 5 characters but 6 bytes: columns count bytes
    assert (f_call.span.column, f_call.span.start_byte) == (20, 19)
    assert pickle.loads(pickle.dumps(m)) == m


def test_unknown_language_is_rejected():
    with pytest.raises(ValueError):
        parse("m.py", b"x = 1", "python")
