"""Express routes: ``app.METHOD(path, ...handlers)``, ``router.route(path).METHOD(...)`` and
``app.use(prefix, router)`` mounts, on objects made by ``express()`` / ``express.Router()`` / ``Router()``."""

from __future__ import annotations

import re

from analyzers.facts import Call, ModuleFacts
from optimizer.expr_text import call_parts, split_top, string_value, unwrap
from optimizer.http_context import HttpContext
from optimizer.routes import ANY_METHOD, Declarations, LocalRoute, RouterKey
from optimizer.values import Bound

_VERBS = {"get", "post", "put", "delete", "patch", "options", "head", "all"}
_APPS = {"express"}
_ROUTERS = {"express.Router"}
_DOTTED = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$#][\w$]*)*")
_REQUIRE = re.compile(r"""require\(\s*['"]([^'"]+)['"]\s*\)""")
_MAX_WRAPPING = 4  # handler wrappers followed: ``asyncHandler(validate(fn))``


def collect_express(ctx: HttpContext, facts: ModuleFacts, decl: Declarations) -> None:
    """Add the module's Express apps, routes and mounts to ``decl``."""
    path = facts.path
    route_calls: dict[tuple[int, tuple[str, ...]], Call] | None = None
    for call in facts.calls:
        chain = call.chain
        if len(chain) < 2 or (chain[-1] not in _VERBS and chain[-1] != "use"):
            continue
        receiver = chain[:-1]
        route_path_call = call
        if "route()" in receiver:  # ``router.route('/x').get(a).post(b)``: the path is the ``route`` call's
            at = receiver.index("route()")
            if not all(p.removesuffix("()") in _VERBS for p in receiver[at + 1 :]) or chain[-1] == "use":
                continue
            if route_calls is None:
                route_calls = {(c.span.start_byte, c.chain): c for c in facts.calls if c.chain[-1:] == ("route",)}
            route_path_call = route_calls.get((call.span.start_byte, (*receiver[:at], "route")))
            receiver = receiver[:at]
            if route_path_call is None:
                continue
        key = _express_object(ctx, path, call.function, ".".join(receiver), decl)
        if key is None:
            continue
        if chain[-1] == "use":
            _mount(ctx, facts, call, key, decl)
            continue
        handler_args = call.args if route_path_call is not call else call.args[1:]
        if not route_path_call.args or not handler_args:
            continue  # ``app.get('setting')`` reads a setting
        method = ANY_METHOD if chain[-1] == "all" else chain[-1].upper()
        handler = handler_node(ctx, path, call, handler_args[-1])
        for route_path in _paths(route_path_call.args[0]):
            decl.routes.append(LocalRoute(key, method, route_path, handler, path, call.span.line, "express"))


def handler_node(ctx: HttpContext, path: str, call: Call, text: str, depth: int = 0) -> str | None:
    """The function that handles requests when ``text`` (the last argument of ``call``) is the handler.

    An inline function is found by its position; a name or member through call resolution, and a name bound to
    ``wrap(async (req, res) => ...)`` through that call; a wrapper call is followed to its innermost function
    argument, and a factory call with no function argument (``buildHandler({...})``) stands for the handler it
    returns, whose body the factory contains.
    """
    text = unwrap(text)
    if depth > _MAX_WRAPPING or not text:
        return None
    if _DOTTED.fullmatch(text):
        node = ctx.resolve(path, call.function, text, call)
        if node is not None:
            return node
        bound = ctx.values.bound(path, call.function, text)
        made = ctx.creation(bound) if bound else None
        if bound is None or made is None or not made.args:
            return None
        return handler_node(ctx, bound.path, made, made.args[-1], depth + 1)
    if _is_inline_function(text):
        inline = ctx.last_function_in(path, call)
        return f"function:{path}::{inline.qualname}" if inline else None
    wrapped = call_parts(text)
    if wrapped is None:
        return None
    callee, args = wrapped
    if callee.endswith(".bind"):  # ``ctrl.list.bind(ctrl)``
        return ctx.resolve(path, call.function, callee.removesuffix(".bind"), call)
    if args:
        inner = handler_node(ctx, path, call, args[-1], depth + 1)
        if inner is not None:
            return inner
    return ctx.resolve(path, call.function, callee, call)


def _is_inline_function(text: str) -> bool:
    return text.startswith(("function", "async function")) or len(split_top(text, "=>")) > 1


def _is_express_object(ctx: HttpContext, bound: Bound) -> bool:
    return ctx.made_by(bound) in _APPS | _ROUTERS


def _express_object(
    ctx: HttpContext, path: str, scope: str | None, dotted: str, decl: Declarations
) -> RouterKey | None:
    """The app or router ``dotted`` names; an app is recorded as a root."""
    found = ctx.framework_object(path, scope, dotted, _APPS | _ROUTERS) if _DOTTED.fullmatch(dotted) else None
    if found is None:
        return None
    bound, made = found
    if made in _APPS:
        decl.roots.add(bound.key)
    return bound.key


def _mount(ctx: HttpContext, facts: ModuleFacts, call: Call, parent: RouterKey, decl: Declarations) -> None:
    """``app.use('/api/x', auth, xRouter)``: every argument that is an Express router or app is mounted."""
    args = list(call.args)
    prefix = _paths(args[0]) if args else []
    if prefix:
        args = args[1:]
    for arg in args:
        child = _router_argument(ctx, facts.path, call, unwrap(arg))
        if child is not None:
            decl.mounts.append((parent, prefix[0] if prefix else "/", child.key))


def _router_argument(ctx: HttpContext, path: str, call: Call, text: str) -> Bound | None:
    required = _REQUIRE.fullmatch(text)
    if required:
        target = ctx.values.modules.js(path, required.group(1))
        bound = ctx.values.export(target, "default") if target in ctx.modules else None
    elif _DOTTED.fullmatch(text):
        bound = ctx.values.bound(path, call.function, text)
    else:
        return None
    return bound if bound is not None and _is_express_object(ctx, bound) else None


def _paths(text: str) -> list[str]:
    """The literal path(s) of a route argument: a string, or an array of strings."""
    text = unwrap(text)
    if text.startswith("[") and text.endswith("]"):
        values = [string_value(item) for item in split_top(text[1:-1])]
        return [v for v in values if v is not None and v.startswith("/")]
    value = string_value(text)
    return [value] if value is not None and (value.startswith("/") or value in ("", "*")) else []
