"""The Python front-end: each kind of fact on small inline sources."""

from __future__ import annotations

import codecs
import textwrap
import warnings

from analyzers.facts import Binding, ImportedName, ModuleFacts, Suppression
from analyzers.python import parse


def facts(source: str) -> ModuleFacts:
    result = parse("mod.py", textwrap.dedent(source).encode())
    assert result.errors == []
    return result


def call(module: ModuleFacts, callee: str):
    [found] = [c for c in module.calls if c.callee == callee]
    return found


def fn(module: ModuleFacts, qualname: str):
    found = module.function(qualname)
    assert found is not None, [f.qualname for f in module.functions]
    return found


# -- imports and exports


def test_import_forms():
    module = facts(
        """
        import a.b as c
        import a.b
        import os, sys
        from .x import y as z
        from . import sibling
        from ..pkg.mod import thing
        from m import *
        """
    )
    got = [(i.source, i.level, i.names) for i in module.imports]
    assert got == [
        ("a.b", 0, (ImportedName("a.b", "c"),)),
        ("a.b", 0, (ImportedName("a.b", "a"),)),
        ("os", 0, (ImportedName("os", "os"),)),
        ("sys", 0, (ImportedName("sys", "sys"),)),
        ("x", 1, (ImportedName("y", "z"),)),
        ("", 1, (ImportedName("sibling", "sibling"),)),
        ("pkg.mod", 2, (ImportedName("thing", "thing"),)),
        ("m", 0, (ImportedName("*", "*"),)),
    ]
    assert {i.kind for i in module.imports} == {"python"}
    assert all(i.function is None and not i.type_only for i in module.imports)
    assert module.imports[0].span.line == 2


def test_lazy_and_type_checking_imports():
    module = facts(
        """
        import typing
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from app.models import User
        else:
            User = None
        if typing.TYPE_CHECKING:
            import numpy as np

        class Service:
            def load(self):
                import torch
                return torch

        def outer():
            def inner():
                from .heavy import model
        """
    )
    by_source = {i.source: i for i in module.imports}
    assert by_source["app.models"].type_only and by_source["numpy"].type_only
    assert not by_source["typing"].type_only
    assert by_source["torch"].function == "Service.load"
    assert by_source["heavy"].function == "outer.inner"
    assert by_source["app.models"].function is None


def test_exports_from_dunder_all():
    module = facts(
        """
        __all__ = ["load", "Store"]
        __all__ += ("extra",)
        """
    )
    assert [(e.name, e.kind, e.line) for e in module.exports] == [
        ("load", "named", 2),
        ("Store", "named", 2),
        ("extra", "named", 3),
    ]
    assert facts("def load(): pass\n").exports == []


# -- functions


def test_qualnames_kinds_and_parents():
    module = facts(
        """
        class Repo:
            async def get(self, user_id, /, *args, flag=False, **kwargs):
                pass

            class Meta:
                def inner(self):
                    pass

        def outer():
            def inner():
                return [x for x in range(3)]
            return inner

        key = lambda item: item[0]
        """
    )
    assert [f.qualname for f in module.functions] == [
        "Repo",
        "Repo.get",
        "Repo.Meta",
        "Repo.Meta.inner",
        "outer",
        "outer.inner",
        "<lambda@15:7>",
    ]
    get = fn(module, "Repo.get")
    assert (get.kind, get.is_async, get.class_name, get.parent) == ("method", True, "Repo", "Repo")
    assert get.params == ("self", "user_id", "args", "flag", "kwargs")
    assert fn(module, "Repo").kind == "class"
    assert fn(module, "Repo.Meta.inner").class_name == "Repo.Meta"
    inner = fn(module, "outer.inner")
    assert (inner.kind, inner.parent, inner.class_name) == ("function", "outer", None)
    lam = fn(module, "<lambda@15:7>")
    assert (lam.kind, lam.name, lam.params, lam.parent) == ("lambda", "<lambda>", ("item",), None)


def test_generators_and_redefinitions():
    module = facts(
        """
        def rows():
            yield 1

        def not_a_generator():
            def nested():
                yield from rows()
            return nested

        class C:
            @property
            def x(self):
                return 1

            @x.setter
            def x(self, value):
                pass
        """
    )
    assert fn(module, "rows").is_generator
    assert fn(module, "not_a_generator.nested").is_generator
    assert not fn(module, "not_a_generator").is_generator
    assert fn(module, "C.x").decorators == ("property",)
    # the setter keeps a unique qualname
    assert fn(module, "C.x@16").decorators == ("x.setter",)


def test_decorator_text_for_routes_and_caches():
    module = facts(
        """
        import functools

        @app.get('/items')
        async def list_items():
            pass

        @router.post('/x', response_model=Item)
        def create():
            pass

        @functools.lru_cache(maxsize=None)
        @functools.cache
        def cached():
            pass

        @router.put(
            "/items/{item_id}",
            status_code=204,
        )
        def update(item_id: int):
            pass
        """
    )
    assert fn(module, "list_items").decorators == ("app.get('/items')",)
    assert fn(module, "create").decorators == ("router.post('/x', response_model=Item)",)
    assert fn(module, "cached").decorators == ("functools.lru_cache(maxsize=None)", "functools.cache")
    # a decorator written over several lines is given in one line
    assert fn(module, "update").decorators == ("router.put('/items/{item_id}', status_code=204)",)


# -- loops


def test_loop_kinds_nesting_and_literals():
    module = facts(
        """
        async def run(rows, stream):
            for row in rows:
                while row.pending():
                    row.step()
            async for event in stream:
                pass
            for name in ("a", "b", "c"):
                pass
            for item in [*rows, 1]:
                pass
            squares = {k: v * v for k, v in rows}
        """
    )
    kinds = [(loop.id, loop.kind, loop.parent, loop.iterable, loop.literal_size) for loop in module.loops]
    assert kinds == [
        (0, "for", None, "rows", None),
        (1, "while", 0, "", None),
        (2, "for_await", None, "stream", None),
        (3, "for", None, '("a", "b", "c")', 3),
        (4, "for", None, "[*rows, 1]", None),
        (5, "comprehension", None, "rows", None),
    ]
    assert {loop.function for loop in module.loops} == {"run"}
    assert call(module, "row.step").loops == (0, 1)
    assert call(module, "row.pending").loops == (0, 1)  # a while test runs on every iteration
    assert module.loops[5].span.line == 12


def test_iterables_evaluated_once_are_outside_their_loop():
    module = facts(
        """
        def f(session, ids):
            for order in session.scalars(q):
                log(order)
            else:
                done()
            return [g(x) for x in session.execute(q) for y in h(x) if keep(y)]
        """
    )
    assert call(module, "session.scalars").loops == ()
    assert call(module, "log").loops == (0,)
    assert call(module, "done").loops == ()
    assert call(module, "session.execute").loops == ()
    assert call(module, "g").loops == (1,)
    assert call(module, "h").loops == (1,)  # later generators run once per outer item
    assert call(module, "keep").loops == (1,)


def test_loops_stop_at_def_but_not_at_lambda():
    module = facts(
        """
        def outer(items):
            for item in items:
                def helper():
                    return fetch(item)
                sorted(items, key=lambda i: score(i))
        """
    )
    assert call(module, "fetch").loops == ()
    assert call(module, "fetch").function == "outer.helper"
    assert call(module, "score").loops == (0,)
    assert call(module, "score").function == "outer"


def test_comprehensions_passed_to_gather_are_batched():
    module = facts(
        """
        import asyncio

        async def f(ids):
            await asyncio.gather(*[load(i) for i in ids])
            await asyncio.gather(*(load(i) for i in ids))
            await gather(*[load(i) for i in ids])
            results = [await load(i) for i in ids]
            tasks = [load(i) for i in ids]
        """
    )
    assert [loop.batched for loop in module.loops] == [True, True, True, False, False]


# -- calls


def test_call_chains_for_orm_shapes():
    module = facts(
        """
        class Repo:
            def users(self, uid):
                return self.session.query(User).filter(User.id == uid).all()

        def django(a):
            return User.objects.filter(a=1)

        def raw(session, stmt):
            session.execute(stmt)
            get_db().query(User)
            handlers[name](x)
            "sep".join(parts)
        """
    )
    outer = call(module, "self.session.query().filter().all")
    assert outer.chain == ("self", "session", "query()", "filter()", "all")
    assert outer.name == "all"
    assert outer.function == "Repo.users"
    assert call(module, "self.session.query().filter").args == ("User.id == uid",)
    assert call(module, "User.objects.filter").chain == ("User", "objects", "filter")
    assert call(module, "session.execute").chain == ("session", "execute")
    assert call(module, "get_db().query").chain == ("get_db()", "query")
    assert call(module, "handlers[name]").chain == ("handlers", "?")
    assert call(module, '"sep".join').chain == ("?", "join")


def test_call_args_awaited_and_spans():
    module = facts(
        """
        async def f(user_id, rest, opts):
            await prisma_like.find(user_id, *rest, where=x, **opts)
            log("x" * 2, long)
        """
    )
    find = call(module, "prisma_like.find")
    assert find.args == ("user_id", "*rest", "where=x", "**opts")
    assert find.awaited and not call(module, "log").awaited
    assert (find.span.line, find.span.column, find.span.end_line) == (3, 11, 3)
    source = textwrap.dedent(
        """
        async def f(user_id, rest, opts):
            await prisma_like.find(user_id, *rest, where=x, **opts)
        """
    ).encode()
    span = parse("m.py", source).calls[0].span
    assert source[span.start_byte : span.end_byte] == b"prisma_like.find(user_id, *rest, where=x, **opts)"
    assert not find.is_new


def test_long_arguments_are_truncated():
    module = facts(f"send({'x' * 500!r})\n")
    [arg] = call(module, "send").args
    assert len(arg) == 200 and arg.startswith("'xxx")


def test_decorator_and_default_calls_belong_to_the_enclosing_scope():
    module = facts(
        """
        @app.get("/")
        def handler(db=Depends(get_db)):
            return db.query(User)
        """
    )
    assert call(module, "app.get").function is None
    assert call(module, "Depends").function is None
    assert call(module, "db.query").function == "handler"


# -- awaits


def test_await_targets_uses_and_loops():
    module = facts(
        """
        async def f(client, ids):
            user = await client.get_user(ids[0])
            a, (b, *c) = await fetch_pair(user.id, token)
            total: int = await count()
            await client.close()
            if (row := await client.one()) is not None:
                pass
            for i in ids:
                await client.ping(i)
        """
    )
    got = [(a.call, a.targets, a.uses, a.loops) for a in module.awaits]
    assert got == [
        ("client.get_user", ("user",), ("client", "ids"), ()),
        ("fetch_pair", ("a", "b", "c"), ("fetch_pair", "user", "token"), ()),
        ("count", ("total",), ("count",), ()),
        ("client.close", (), ("client",), ()),
        ("client.one", ("row",), ("client",), ()),
        ("client.ping", (), ("client", "i"), (0,)),
    ]
    assert {a.function for a in module.awaits} == {"f"}
    assert module.awaits[0].span.line == 3


# -- SQL strings


def test_sql_strings_and_the_calls_they_go_to():
    module = facts(
        '''
        """SELECT * FROM docs WHERE this = 'the module docstring'"""

        def load(cursor, session, uid, ids):
            """SELECT id FROM users WHERE docstrings are skipped"""
            cursor.execute("SELECT id, name FROM users WHERE id = %s", (uid,))
            session.execute(text("UPDATE users SET seen = 1 WHERE id = :id"))
            for i in ids:
                q = f"SELECT * FROM orders WHERE user_id = {i} AND kind = {kind!r}"
            title = "Select a file to upload"
        '''
    )
    got = [(s.text, s.call, s.kind, s.loops, s.function) for s in module.sql]
    assert got == [
        ("SELECT id, name FROM users WHERE id = %s", "cursor.execute", "string", (), "load"),
        ("UPDATE users SET seen = 1 WHERE id = :id", "text", "string", (), "load"),
        ("SELECT * FROM orders WHERE user_id = ? AND kind = ?", None, "template", (0,), "load"),
    ]
    assert module.sql[0].span.line == 6


# -- bindings


def test_module_and_local_bindings():
    module = facts(
        """
        db = Database()
        engine = db
        session_factory = sqlalchemy.orm.sessionmaker(bind=engine)

        async def handler(repo: Repo, limit):
            s = Session()
            alias = s.query
            with engine.connect() as conn:
                pass
            user = await repo.get(1)
        """
    )
    assert module.bindings == [
        Binding("db", "Database", "call", 2, None),
        Binding("engine", "db", "alias", 3, None),
        Binding("session_factory", "sqlalchemy.orm.sessionmaker", "call", 4, None),
        Binding("repo", "Repo", "param_type", 6, "handler"),
        Binding("s", "Session", "call", 7, "handler"),
        Binding("alias", "s.query", "alias", 8, "handler"),
        Binding("conn", "engine.connect", "call", 9, "handler"),
        Binding("user", "repo.get", "call", 11, "handler"),
    ]


def test_self_attribute_bindings():
    module = facts(
        """
        class Service:
            repo: Repo
            cache = Cache()

            def __init__(self, repo: Optional[Repo], images: "ImageStore | None", plain):
                self.repo = repo
                self.images = images
                self.plain = plain
                self.client = httpx.Client()

            @staticmethod
            def make(other):
                other.x = Thing()
        """
    )
    members = [b for b in module.bindings if b.name.startswith("self.")]
    assert members == [
        Binding("self.repo", "Repo", "param_type", 3, "Service"),
        Binding("self.cache", "Cache", "call", 4, "Service"),
        Binding("self.repo", "Repo", "param_type", 7, "Service"),
        Binding("self.images", "ImageStore | None", "param_type", 8, "Service"),
        Binding("self.plain", "plain", "alias", 9, "Service"),
        Binding("self.client", "httpx.Client", "call", 10, "Service"),
    ]
    assert not any(b.name.endswith(".x") for b in module.bindings)


# -- whole files and bad input


def test_lines_and_suppressions():
    module = facts("x = 1\ny = f()  # perfrewrite: ignore[n-plus-one-query]\n\n")
    assert module.lines == 3
    assert module.language == "python" and module.path == "mod.py"
    assert module.suppressions == {2: Suppression(("n-plus-one-query",), own_line=False)}


def test_syntax_error_is_reported_not_raised():
    result = parse("bad.py", b"x = 1\ndef f(:\n    pass\n")
    assert result.lines == 3
    assert len(result.errors) == 1
    assert result.errors[0].startswith("syntax error at line 2, column 7: ")
    assert result.calls == [] and result.functions == []


def test_invalid_utf8_is_reported():
    result = parse("latin.py", b"x = 1\nname = '\xe9t\xe9'\n")
    assert result.errors == ["cannot decode source at line 2: invalid continuation byte (utf-8)"]
    assert result.lines == 2


def test_parser_warnings_are_not_printed():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = parse("escapes.py", b"pattern = '\\d+'\n")
    assert result.errors == []
    assert caught == []


def test_unknown_encoding_is_reported():
    result = parse("odd.py", b"# -*- coding: no-such-codec -*-\nx = 1\n")
    assert result.errors and result.errors[0].startswith("cannot decode source")


def test_null_bytes_are_reported():
    result = parse("nul.py", b"x = 1\ny = '\x00'\n")
    assert result.errors == ["syntax error at line 2, column 6: source code cannot contain null bytes"]


def test_bom_offsets_index_the_file_bytes():
    source = codecs.BOM_UTF8 + b"# -*- coding: utf-8 -*-\nx = f(1)\n"
    result = parse("bom.py", source)
    assert result.errors == []
    span = result.calls[0].span
    assert source[span.start_byte : span.end_byte] == b"f(1)"
    first_line = parse("bom1.py", codecs.BOM_UTF8 + b"g(2)\n").calls[0].span
    assert (first_line.column, first_line.start_byte, first_line.end_byte) == (1, 3, 7)


def test_declared_latin1_is_decoded_and_columns_are_utf8_bytes():
    source = b"# -*- coding: latin-1 -*-\ns = '\xe9'; h(s)\ncursor.execute('SELECT name FROM caf\xe9 WHERE id = 1')\n"
    result = parse("latin1.py", source)
    assert result.errors == []
    # "s = 'é'; " is 10 bytes in UTF-8, so h( starts at column 11
    assert call(result, "h").span.column == 11
    assert result.sql[0].text == "SELECT name FROM café WHERE id = 1"
    assert call(result, "cursor.execute").args == ("'SELECT name FROM café WHERE id = 1'",)


def test_crlf_line_ends():
    source = b"x = 1\r\ny = f(2)\r\nz = g(3)\n"
    result = parse("crlf.py", source)
    assert result.lines == 3
    for found in result.calls:
        assert source[found.span.start_byte : found.span.end_byte] in (b"f(2)", b"g(3)")


def test_long_operator_chains_and_deep_nesting():
    chain = parse("chain.py", ("x = " + " + ".join(["f(a)"] * 2000) + "\n").encode())
    assert chain.errors == [] and len(chain.calls) == 2000
    deep = parse("deep.py", ("x = " + " + ".join(["a"] * 20000) + "\n").encode())
    assert deep.errors == ["source too deeply nested to analyse"]
