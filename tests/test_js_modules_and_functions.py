"""The JS/JSX/TS/TSX front-end: imports, exports, functions, qualnames and bindings on small inline sources."""

from __future__ import annotations

from analyzers.facts import Binding, Export, ImportedName
from js_helpers import facts, qualnames


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
