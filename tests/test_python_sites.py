"""Python front-end: call chains, arguments, awaits, SQL strings and bindings."""

from __future__ import annotations

import textwrap

from analyzers.facts import Binding
from analyzers.python import parse
from py_helpers import call, facts


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
