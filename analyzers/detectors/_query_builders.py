"""Query-builder chains (knex, Kysely, SQLAlchemy) read from call facts: which tables they read without a bound
and which they insert into. A chain is the calls that share a start byte, ``knex('t').where(…).first()``, and
its outermost call names every method in it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from analyzers.detectors._data_access import KNEX_ROOT, PY_SESSION, without_this
from analyzers.facts import Call, ModuleFacts, Span
from analyzers.py_source import TEXT_LIMIT

# Methods that bound a read to a page or one row, or make it return one number.
_KNEX_BOUNDED = frozenset({"limit", "first", "count", "countDistinct", "sum", "sumDistinct", "avg", "avgDistinct",
                           "min", "max", "groupBy", "paginate", "whereIn"})
_KNEX_WRITES = frozenset({"insert", "update", "del", "delete", "truncate", "increment", "decrement", "upsert",
                          "onConflict", "merge", "returning", "raw"})
_KYSELY_BOUNDED = frozenset({"limit", "executeTakeFirst", "executeTakeFirstOrThrow", "groupBy", "stream"})
_SQLALCHEMY_BOUNDED = frozenset({"limit", "first", "one", "one_or_none", "get", "scalar", "scalar_one",
                                 "scalar_one_or_none", "count", "exists", "paginate", "group_by", "fetchone",
                                 "fetchmany", "slice"})
_SQLALCHEMY_ALL = frozenset({"all", "fetchall"})
_AGGREGATE_ARG = re.compile(r"\b(?:fn|func|sql)\s*\.\s*\w+\(|\bcount\(", re.I)
# A read that names its rows by a list of keys is bounded by that list (`whereIn`, `.in_(ids)`, `'in'`).
_ID_LIST_ARG = re.compile(r"\.in_\(|^['\"]in['\"]$")
_PY_ADDS = frozenset({"add", "add_all", "bulk_save_objects"})
_MODEL = re.compile(r"^[A-Z]\w*$")


@dataclass(frozen=True, slots=True)
class BuilderRead:
    span: Span
    function: str | None
    library: str  # knex | kysely | sqlalchemy
    table: str | None


def unbounded_builder_reads(module: ModuleFacts) -> Iterator[BuilderRead]:
    """Builder reads with no limit, first-row or aggregate step, on a table (or model) the chain names."""
    chains = _chains(module)
    if module.language == "python":
        yield from _sqlalchemy_reads(module, chains)
        return
    reads = [read for chain in chains.values() if (read := _knex_read(chain) or _kysely_read(chain)) is not None]
    if not reads:
        return
    outer_spans = [chain[-1].span for chain in chains.values() if _knex_root(chain) is not None]
    for read in reads:
        if not any(span.contains(read.span) and span != read.span for span in outer_spans):
            yield read  # not a subquery inside another chain (`whereIn('id', knex('t').select('id'))`)


def builder_inserts(module: ModuleFacts) -> Iterator[tuple[str, Span]]:
    """(table or model, where) for each insert a builder chain or a SQLAlchemy session performs."""
    chains = _chains(module)
    if module.language == "python":
        yield from _sqlalchemy_inserts(module)
        return
    for chain in chains.values():
        methods = _methods(chain[-1])
        if _knex_root(chain) is not None and "insert" in methods:
            yield _knex_root(chain) or "", chain[-1].span
        elif "insertInto" in methods or "replaceInto" in methods:
            table = _arg_table(chain, ("insertInto", "replaceInto"))
            if table:
                yield table, chain[-1].span


def _chains(module: ModuleFacts) -> dict[int, list[Call]]:
    """Calls grouped by start byte, innermost first: the last one names the whole chain."""
    chains: dict[int, list[Call]] = {}
    for call in module.calls:
        if call.span.start_byte >= 0 and call.chain:
            chains.setdefault(call.span.start_byte, []).append(call)
    for chain in chains.values():
        chain.sort(key=lambda call: call.span.end_byte)
    return chains


def _methods(call: Call) -> list[str]:
    """``("knex()", "where()", "first")`` -> ``["knex", "where", "first"]``."""
    return [part.removesuffix("()") for part in without_this(call.chain)]


def _knex_root(chain: list[Call]) -> str | None:
    """The table of ``knex('users as u')`` / ``db('users')`` starting the chain, or None when it is no knex chain."""
    root = chain[0]
    parts = without_this(root.chain)
    if len(parts) != 1 or not KNEX_ROOT.match(parts[0] + "()"):
        return None
    return _table_name(root.args)


def _knex_read(chain: list[Call]) -> BuilderRead | None:
    table = _knex_root(chain)
    outer = chain[-1]
    if table is None:
        return None
    methods = set(_methods(outer)[1:])
    if methods & (_KNEX_BOUNDED | _KNEX_WRITES) or _bounded_by_args(chain):
        return None
    if not methods and not outer.awaited:
        return None  # `const q = knex('t')`: a builder to finish later, not a read yet
    return BuilderRead(outer.span, outer.function, "knex", table)


def _kysely_read(chain: list[Call]) -> BuilderRead | None:
    outer = chain[-1]
    methods = _methods(outer)
    if "selectFrom" not in methods or methods[-1] != "execute" or set(methods) & _KYSELY_BOUNDED:
        return None
    if _bounded_by_args(chain):
        return None
    return BuilderRead(outer.span, outer.function, "kysely", _arg_table(chain, ("selectFrom",)))


def _bounded_by_args(chain: list[Call]) -> bool:
    """A select list of aggregates (`fn.count(…)`, `knex.raw('count(*)')`) returns one row, not the table; a
    list of keys (`.in_(ids)`, Kysely's `where('id', 'in', ids)`) names its rows."""
    return any(_AGGREGATE_ARG.search(arg) or _ID_LIST_ARG.search(arg) for call in chain for arg in call.args)


def _sqlalchemy_reads(module: ModuleFacts, chains: dict[int, list[Call]]) -> Iterator[BuilderRead]:
    by_function: dict[str | None, list[Call]] = {}
    for call in module.calls:
        by_function.setdefault(call.function, []).append(call)
    for chain in chains.values():
        outer = chain[-1]
        methods = _methods(outer)
        if set(methods) & _SQLALCHEMY_BOUNDED or _bounded_by_args(chain):
            continue
        model = _query_model(chain, methods)
        if model is not None and methods[-1] in _SQLALCHEMY_ALL:
            yield BuilderRead(outer.span, outer.function, "sqlalchemy", model)
            continue
        execute = next((c for c in chain if _is_session_call(c, "execute")), None)
        if execute is None or not execute.args or not execute.args[0].startswith("select("):
            continue
        if "limit(" in execute.args[0] or len(execute.args[0]) >= TEXT_LIMIT:  # cut off: the tail is unknown
            continue
        if methods[-1] in _SQLALCHEMY_ALL or _all_rows_later(by_function.get(execute.function, ()), execute):
            yield BuilderRead(execute.span, execute.function, "sqlalchemy", _table_name((execute.args[0][7:],)))


def _query_model(chain: list[Call], methods: list[str]) -> str | None:
    """``session.query(User)`` and Flask-SQLAlchemy ``User.query`` name their model."""
    if len(methods) >= 2 and methods[1] == "query" and _MODEL.match(methods[0]):
        return methods[0]
    query = next((c for c in chain if _is_session_call(c, "query")), None)
    return _table_name(query.args) if query is not None else None


def _all_rows_later(calls: list[Call] | tuple, execute: Call) -> bool:
    """`result = await session.execute(stmt)` then `result.scalars().all()`: the first fetch after it reads all."""
    later = [c for c in calls if c.span.start_byte > execute.span.end_byte and c.name in
             _SQLALCHEMY_ALL | _SQLALCHEMY_BOUNDED | {"execute"}]
    first = min(later, key=lambda c: c.span.start_byte, default=None)
    return first is not None and first.name in _SQLALCHEMY_ALL


def _is_session_call(call: Call, method: str) -> bool:
    parts = without_this(call.chain)
    return len(parts) >= 2 and parts[-1] == method and bool(PY_SESSION.match(parts[-2]))


def _sqlalchemy_inserts(module: ModuleFacts) -> Iterator[tuple[str, Span]]:
    """``session.add(User(...))``, or a model built in a function that adds to a session; ``insert(User)``."""
    adding = {call.function for call in module.calls if any(_is_session_call(call, m) for m in _PY_ADDS)}
    for call in module.calls:
        if call.callee in ("insert", "sa.insert", "sqlalchemy.insert") and call.args:
            model = _table_name(call.args)
            if model:
                yield model, call.span
        elif call.function in adding and len(call.chain) == 1 and _MODEL.match(call.callee):
            yield call.callee, call.span


def _arg_table(chain: list[Call], methods: tuple[str, ...]) -> str | None:
    call = next((c for c in chain if c.chain and c.chain[-1] in methods), None)
    return _table_name(call.args) if call is not None else None


def _table_name(args: tuple[str, ...]) -> str | None:
    """`'users as u'` -> `users`; `User` -> `User`; anything else (a variable, a call) -> None."""
    if not args:
        return None
    match = re.match(r"""^['"`]?([A-Za-z_][\w.]*)""", args[0])
    if match is None or (args[0][:1] not in "'\"`" and not _MODEL.match(match.group(1))):
        return None
    return match.group(1).rsplit(".", 1)[-1]
