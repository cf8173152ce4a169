"""Python front-end: imports, exports, functions and qualnames, decorators, loops."""

from __future__ import annotations


from analyzers.facts import ImportedName
from py_helpers import call, facts, fn


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
