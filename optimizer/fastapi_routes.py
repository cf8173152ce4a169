"""FastAPI / Starlette routes: ``@app.get(path)`` / ``@router.api_route(path, methods=[...])`` decorators and
``add_api_route`` calls on ``FastAPI()`` / ``APIRouter(prefix=...)`` objects, mounted by
``include_router(router, prefix=...)`` and ``mount(path, app)``."""

from __future__ import annotations

import re

from analyzers.facts import Call, ModuleFacts
from optimizer.expr_text import keyword, positional, split_top, string_value
from optimizer.http_context import HttpContext
from optimizer.routes import Declarations, LocalRoute, RouterKey
from optimizer.values import Bound

_APPS = {"fastapi.FastAPI", "fastapi.applications.FastAPI", "starlette.applications.Starlette"}
_ROUTERS = {"fastapi.APIRouter", "fastapi.routing.APIRouter"}
_VERBS = {"get", "post", "put", "delete", "patch", "options", "head"}
_DECORATOR = re.compile(r"([A-Za-z_][\w.]*)\.(\w+)\((.*)\)", re.DOTALL)
_DOTTED = re.compile(r"[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*")


def collect_fastapi(ctx: HttpContext, facts: ModuleFacts, decl: Declarations) -> None:
    """Add the module's FastAPI apps, routers, routes and mounts to ``decl``."""
    path = facts.path
    for fn in facts.functions:
        for decorator in fn.decorators:
            found = _DECORATOR.fullmatch(decorator.strip())
            if found is None:
                continue
            receiver, verb, arg_text = found.groups()
            methods = _methods(verb, split_top(arg_text))
            key = _fastapi_object(ctx, path, fn.parent, receiver, decl) if methods else None
            route_path = _path_argument(split_top(arg_text)) if key else None
            if route_path is None:
                continue
            handler = f"function:{path}::{fn.qualname}"
            for method in methods:
                decl.routes.append(LocalRoute(key, method, route_path, handler, path, fn.span.line, "fastapi"))
    for call in facts.calls:
        if len(call.chain) < 2 or call.chain[-1] not in ("include_router", "mount", "add_api_route"):
            continue
        key = _fastapi_object(ctx, path, call.function, ".".join(call.chain[:-1]), decl)
        if key is not None:
            _call_declaration(ctx, path, call, key, decl)


def _call_declaration(ctx: HttpContext, path: str, call: Call, key: RouterKey, decl: Declarations) -> None:
    args = positional(call.args)
    if call.chain[-1] == "include_router" and args:
        child = _fastapi_object(ctx, path, call.function, args[0], decl)
        prefix = string_value(keyword(call.args, "prefix") or "''")
        if child is not None and prefix is not None:
            decl.mounts.append((key, prefix, child))
    elif call.chain[-1] == "mount" and len(args) >= 2:
        child = _fastapi_object(ctx, path, call.function, args[1], decl)
        prefix = string_value(args[0])
        if child is not None and prefix is not None:
            decl.mounts.append((key, prefix, child))
    elif call.chain[-1] == "add_api_route":
        route_path = _path_argument(call.args)
        endpoint = args[1] if len(args) > 1 else keyword(call.args, "endpoint")
        if route_path is None or endpoint is None or not _DOTTED.fullmatch(endpoint):
            return
        handler = ctx.resolve(path, call.function, endpoint, call)
        for method in _methods("api_route", call.args):
            decl.routes.append(LocalRoute(key, method, route_path, handler, path, call.span.line, "fastapi"))


def _fastapi_object(
    ctx: HttpContext, path: str, scope: str | None, dotted: str, decl: Declarations
) -> RouterKey | None:
    """The app or router ``dotted`` names; registering it records an app as a root and a router's prefix."""
    found = ctx.framework_object(path, scope, dotted, _APPS | _ROUTERS) if _DOTTED.fullmatch(dotted) else None
    if found is None:
        return None
    bound, made = found
    key = bound.key
    if key not in decl.own_prefix:
        decl.own_prefix[key] = _own_prefix(ctx, bound)
        if made in _APPS:
            decl.roots.add(key)
    return key


def _own_prefix(ctx: HttpContext, bound: Bound) -> str:
    made = ctx.creation(bound)
    prefix = keyword(made.args, "prefix") if made else None
    return (string_value(prefix) if prefix else None) or ""


def _path_argument(args: list[str] | tuple[str, ...]) -> str | None:
    given = positional(args)
    text = given[0] if given else keyword(args, "path")
    value = string_value(text) if text else None
    return value if value is not None and (value.startswith("/") or value == "") else None


def _methods(verb: str, args: list[str] | tuple[str, ...]) -> list[str]:
    if verb in _VERBS:
        return [verb.upper()]
    if verb not in ("api_route", "route"):
        return []  # ``websocket``, ``middleware``, ``exception_handler``
    listed = keyword(args, "methods")
    if listed is None:
        return ["GET"]
    values = [string_value(v) for v in split_top(listed.strip("[](){}"))]
    return [v.upper() for v in values if v]
