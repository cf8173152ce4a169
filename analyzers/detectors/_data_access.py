"""Helpers for the data-access family: which call sites talk to a database, and through which library.

Precision over recall: generic method names (``create``, ``get``, ``query``) count only on a receiver
that names a database handle, so ``map.get(id)`` or ``cache.delete(key)`` never look like queries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analyzers.facts import Call, ModuleFacts
from analyzers.sql import looks_like_sql

# Prisma model-delegate methods that no other popular library spells the same way.
PRISMA_DISTINCT = frozenset(
    {
        "findUnique", "findUniqueOrThrow", "findFirst", "findFirstOrThrow", "findMany", "upsert",
        "aggregate", "groupBy", "createMany", "createManyAndReturn", "updateMany", "updateManyAndReturn",
        "deleteMany",
    }
)
PRISMA_GENERIC = frozenset({"create", "update", "delete", "count"})
# Global functions that make an HTTP request.
HTTP_FUNCTIONS = frozenset({"fetch", "$fetch", "ofetch", "axios", "got", "ky"})
PRISMA_RAW = frozenset({"$queryRaw", "$queryRawUnsafe", "$executeRaw", "$executeRawUnsafe", "$queryRawTyped"})
# A receiver that names a database client or transaction handle.
_DB_HANDLE = re.compile(r"^(?:prisma\w*|\w*Prisma|db|database|tx|trx|transaction|dbClient|prismaClient)$", re.I)
_SQL_CLIENT = re.compile(r"^(?:pool|\w*Pool|client|pg|pgClient|db|conn|connection|\w*Connection|database|sql|mysql)$", re.I)
KNEX_ROOT = re.compile(r"^(?:knex|db|trx|database|k)\(\)$")
PY_SESSION = re.compile(r"^(?:\w*_)?(?:session|sess|db|conn|connection|cursor|cur|engine)$", re.I)
_PY_SESSION_METHODS = frozenset({"execute", "get", "query", "scalar", "scalars", "exec", "executemany", "fetch",
                                 "fetchrow", "fetchval", "merge", "refresh"})
_DJANGO_METHODS = frozenset(
    {"get", "filter", "exclude", "create", "get_or_create", "update_or_create", "count", "exists", "first", "last",
     "all", "values", "values_list", "aggregate", "update", "delete", "in_bulk", "earliest", "latest", "raw"}
)
_THIS = ("this", "self")
# Kysely builds a query from one of these and runs it with an execute* call.
_KYSELY_STARTS = frozenset({"selectFrom()", "insertInto()", "updateTable()", "deleteFrom()", "replaceInto()",
                            "mergeInto()"})
_KYSELY_RUNS = frozenset({"execute", "executeTakeFirst", "executeTakeFirstOrThrow", "stream"})


@dataclass(frozen=True, slots=True)
class DbCall:
    library: str  # prisma | sql | knex | kysely | sqlalchemy | django
    operation: str  # the method, e.g. findUnique
    target: str | None  # the model or table when known


def without_this(chain: tuple[str, ...]) -> tuple[str, ...]:
    """The chain without a leading ``this``/``self``."""
    return chain[1:] if chain and chain[0] in _THIS else chain


def prisma_clients(module: ModuleFacts) -> frozenset[str]:
    """Names bound to ``new PrismaClient()`` (or an extension of it) in this module."""
    names = {b.name.split(".")[-1] for b in module.bindings if "PrismaClient" in b.value}
    names.update(
        n.local for imp in module.imports for n in imp.names if imp.source == "@prisma/client" and n.local != "Prisma"
    )
    return frozenset(names)


def classify(call: Call, language: str, clients: frozenset[str] = frozenset()) -> DbCall | None:
    """The database operation a call performs, or None when it is not (recognisably) a query."""
    if language == "python":
        return _classify_python(call)
    return _classify_js(call, clients)


def _classify_js(call: Call, clients: frozenset[str]) -> DbCall | None:
    chain = without_this(call.chain)
    if not chain or call.is_new:
        return None
    method = chain[-1]
    if method in PRISMA_RAW:
        return DbCall("prisma", method, None)
    if len(chain) >= 3 and "?" not in chain[-3:]:
        client, model = chain[-3], chain[-2]
        is_client = client in clients or bool(_DB_HANDLE.match(client.rstrip("()")))
        if method in PRISMA_DISTINCT and not model.endswith("()"):
            return DbCall("prisma", method, model)
        if method in PRISMA_GENERIC and is_client and not model.endswith("()"):
            return DbCall("prisma", method, model)
    if method in _KYSELY_RUNS and _KYSELY_STARTS.intersection(chain):
        return DbCall("kysely", method, None)
    if KNEX_ROOT.match(chain[0]) and len(chain) >= 2:
        return DbCall("knex", method, _first_string(call.args) if len(chain) == 2 else None)
    if method in ("query", "execute") and len(chain) >= 2:
        receiver = chain[-2]
        sql_arg = bool(call.args) and _is_sql_literal(call.args[0])
        if sql_arg or (_SQL_CLIENT.match(receiver) and call.args):
            return DbCall("sql", method, None)
    return None


def _classify_python(call: Call) -> DbCall | None:
    chain = without_this(call.chain)
    if len(chain) < 2 or "?" in chain[-2:]:
        return None
    method, receiver = chain[-1], chain[-2]
    if receiver == "objects" and method in _DJANGO_METHODS and len(chain) >= 3:
        return DbCall("django", method, chain[-3])
    if method in _PY_SESSION_METHODS and PY_SESSION.match(receiver):
        if method == "get" and not (call.args and call.args[0][:1].isupper()):
            return None  # session.get(Model, id) names a model; session.get(url) is HTTP
        if method in ("execute", "executemany") and receiver.startswith(("cur", "cursor")):
            return DbCall("sql", method, None)
        return DbCall("sqlalchemy", method, _first_word(call.args))
    return None


def _is_sql_literal(arg: str) -> bool:
    if not arg or arg[0] not in "'\"`":
        return False
    return looks_like_sql(arg.strip("'\"`"))


def _first_string(args: tuple[str, ...]) -> str | None:
    if args and args[0][:1] in "'\"`":
        return args[0].strip("'\"`")
    return None


def _first_word(args: tuple[str, ...]) -> str | None:
    if not args:
        return None
    match = re.match(r"[A-Za-z_][\w.]*", args[0])
    return match.group(0) if match else None
