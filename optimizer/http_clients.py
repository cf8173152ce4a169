"""HTTP client calls as code writes them: ``fetch``, ``axios`` and its instances, RTK Query endpoints, and
Python ``requests`` / ``httpx`` / ``aiohttp`` (module functions and client instances), each read into the
URL parts and method it requests."""

from __future__ import annotations

import re
from dataclasses import dataclass

from analyzers.facts import Call, ModuleFacts
from optimizer.expr_text import (
    Hole,
    ObjectLiteral,
    Part,
    concat_parts,
    keyword,
    object_literal,
    positional,
    split_top,
    string_parts,
    string_value,
    unwrap,
)
from optimizer.http_context import HttpContext

_VERBS = {"get", "post", "put", "delete", "patch", "head", "options"}
_LAST_NAMES = _VERBS | {"fetch", "request", "axios", "query", "mutation"}  # what a client call's chain ends with
_NAME = re.compile(r"[A-Za-z_$][\w$]*")
_FETCH_PACKAGES = {"node-fetch", "cross-fetch", "isomorphic-fetch", "undici.fetch"}
_FETCH_CHAINS = {("fetch",), ("window", "fetch"), ("globalThis", "fetch"), ("self", "fetch")}
_JS_INSTANCES = {"axios.create"}
_PY_MODULES = {"requests", "httpx"}
_PY_INSTANCES = {
    "httpx.Client": "httpx",
    "httpx.AsyncClient": "httpx",
    "requests.Session": "requests",
    "requests.session": "requests",
    "aiohttp.ClientSession": "aiohttp",
}
_ENV_DEFAULTS = {"os.environ.get", "os.getenv", "os.environ.setdefault"}
_UNKNOWN_BASE = (Hole(""),)
_SCHEME = re.compile(r"^[A-Za-z][\w+.-]*://")


@dataclass(frozen=True, slots=True)
class FromParam:
    """The method is the value of parameter ``name`` (``request(method, path)``)."""

    name: str


@dataclass(frozen=True, slots=True)
class FromOptions:
    """The method is the ``method`` entry of the options object passed as parameter ``name``, else ``default``."""

    name: str
    default: str


Method = str | FromParam | FromOptions | None  # None: unknown


@dataclass(frozen=True, slots=True)
class Request:
    """What one call site requests. ``parts`` is None when the URL is not built from anything readable;
    ``function`` is where the request is made (an RTK Query endpoint's ``query`` arrow, else the caller)."""

    call: Call
    function: str | None
    parts: tuple[Part, ...] | None
    method: Method
    library: str


def direct_requests(ctx: HttpContext, facts: ModuleFacts) -> list[Request]:
    """Every call in the module that makes an HTTP request itself (not through a function of the project)."""
    python = facts.language == "python"
    rtk_base = _rtk_base(ctx, facts) if not python else None
    found = []
    for call in facts.calls:
        if not call.chain or call.chain[-1] not in _LAST_NAMES:
            continue
        request = _python_request(ctx, facts, call) if python else _js_request(ctx, facts, call, rtk_base)
        if request is not None:
            found.append(request)
    return found


def _js_request(ctx: HttpContext, facts: ModuleFacts, call: Call, rtk_base: tuple[Part, ...] | None) -> Request | None:
    path, scope, chain, args = facts.path, call.function, call.chain, call.args
    if chain in _FETCH_CHAINS:
        global_fetch = chain != ("fetch",) or ctx.values.is_unbound(path, scope, "fetch")
        if not global_fetch and ctx.values.external(path, scope, "fetch") not in _FETCH_PACKAGES:
            return None
        return Request(call, scope, _url(ctx, path, scope, args[0]) if args else None, _fetch_method(args), "fetch")
    if rtk_base is not None and len(chain) == 2 and chain[1] in ("query", "mutation"):
        return _rtk_request(ctx, facts, call, rtk_base)
    if not all(_NAME.fullmatch(p) for p in chain):
        return None
    external = ctx.values.external(path, scope, ".".join(chain))
    if external in ("axios", "axios.request") or (external and external.startswith("axios.") and chain[-1] in _VERBS):
        return _axios(ctx, path, call, (), "axios" if external == "axios" else chain[-1])
    if len(chain) < 2 or (chain[-1] not in _VERBS and chain[-1] != "request"):
        return None
    bound = ctx.values.bound(path, scope, ".".join(chain[:-1]))
    if ctx.made_by(bound) not in _JS_INSTANCES:
        return _request_descriptor(ctx, path, call) if chain[-1] == "request" else None
    made = ctx.creation(bound)
    options = object_literal(made.args[0]) if made and made.args else None
    base = options.entries.get("baseURL") if options else None
    return _axios(ctx, path, call, _base(ctx, bound.path, bound.binding.scope, base), chain[-1])


def _axios(ctx: HttpContext, path: str, call: Call, base: tuple[Part, ...], verb: str) -> Request:
    """``axios.get(url, config)``, ``axios(url, config)``, ``axios(config)``, ``instance.request(config)``."""
    args = call.args
    config = object_literal(args[0]) if args and verb in ("axios", "request") else None
    if config is not None:
        url = config.entries.get("url")
        method = method_entry(config, "GET")
    elif verb in ("axios", "request"):
        url = args[0] if args else None
        method = method_entry(object_literal(args[1]), "GET") if len(args) > 1 else "GET"
    else:
        url, method = (args[0] if args else None), verb.upper()
    parts = _join(base, _url(ctx, path, call.function, url)) if url else None
    return Request(call, call.function, parts, method, "axios")


def _request_descriptor(ctx: HttpContext, path: str, call: Call) -> Request | None:
    """``this.httpRequest.request({ method: "POST", url: "/start_training" })``, as generated OpenAPI clients
    write it: an object with a literal HTTP method and a URL says what it is even when the client is not known.
    Its base is configured elsewhere, so the URL matches on its tail."""
    descriptor = object_literal(call.args[0]) if call.args else None
    method = string_value(descriptor.entries.get("method", "")) if descriptor else None
    if method is None or method.lower() not in _VERBS or "url" not in descriptor.entries:
        return None
    parts = _join(_UNKNOWN_BASE, _url(ctx, path, call.function, descriptor.entries["url"]))
    return Request(call, call.function, parts, method.upper(), "request-object")


def _rtk_request(ctx: HttpContext, facts: ModuleFacts, call: Call, base: tuple[Part, ...]) -> Request | None:
    """``build.query({ query: (id) => `tasks/${id}` })`` / ``build.mutation({ query: (t) => ({ url, method }) })``
    inside ``createApi({ baseQuery: fetchBaseQuery({ baseUrl }), endpoints: (build) => ({...}) })``."""
    endpoints = facts.function(call.function)
    endpoint = object_literal(call.args[0]) if call.args else None
    if (
        endpoints is None
        or call.chain[0] not in endpoints.params
        or endpoint is None
        or "query" not in endpoint.entries
    ):
        return None
    arrow = split_top(endpoint.entries["query"], "=>")
    if len(arrow) != 2:
        return None
    body = object_literal(arrow[1])
    url = body.entries.get("url") if body else arrow[1]
    method = method_entry(body, "GET") if body else "GET"
    query = next((f for f in ctx.functions_in(facts.path, call) if f.name == "query"), None)
    function = query.qualname if query is not None else call.function
    parts = _join(base, _url(ctx, facts.path, call.function, url)) if url and not url.startswith("{") else None
    return Request(call, function, parts, method, "rtk-query")


def _python_request(ctx: HttpContext, facts: ModuleFacts, call: Call) -> Request | None:
    path, scope, chain = facts.path, call.function, call.chain
    if len(chain) < 2 or (chain[-1] not in _VERBS and chain[-1] != "request"):
        return None
    external = ctx.values.external(path, scope, ".".join(chain))
    base: tuple[Part, ...] = ()
    if external and external.rsplit(".", 1)[0] in _PY_MODULES:
        library = external.split(".", 1)[0]
    else:
        bound = ctx.values.bound(path, scope, ".".join(chain[:-1]))
        library = _PY_INSTANCES.get(ctx.made_by(bound) or "")
        if library is None:
            return None
        made = ctx.creation(bound)
        given = keyword(made.args, "base_url") if made else None
        base = _base(ctx, bound.path, bound.binding.scope, given)
    args = positional(call.args)
    if chain[-1] == "request":
        method = string_value(args[0]).upper() if args and string_value(args[0]) else None
        url = args[1] if len(args) > 1 else keyword(call.args, "url")
    else:
        method, url = chain[-1].upper(), args[0] if args else keyword(call.args, "url")
    parts = _join(base, _url(ctx, path, scope, url)) if url else None
    return Request(call, scope, parts, method, library)


def _url(ctx: HttpContext, path: str, scope: str | None, text: str) -> tuple[Part, ...]:
    """The parts of a URL expression; a leading name bound to an environment lookup with a literal default
    (``ML_URL = os.environ.get("ML_URL", "http://ml:8000")``) takes the default."""
    parts = concat_parts(text)
    head = parts[0] if parts else None
    if isinstance(head, Hole) and _NAME.fullmatch(head.expr):
        default = _env_default(ctx, path, scope, head.expr)
        if default is not None:
            return (default, *parts[1:])
    return parts


def _base(ctx: HttpContext, path: str, scope: str | None, text: str | None) -> tuple[Part, ...]:
    """The parts of a client's base URL. None given: the page's own origin. A literal fallback
    (``env.API_URL ?? 'http://localhost:4000/api'``) is taken as the author's statement of the layout;
    otherwise the base is unknown and URLs match on their tail."""
    if text is None:
        return ()
    fallbacks = [operand for operator in ("??", "||") for operand in split_top(text, operator)[1:]]
    for fallback in reversed(fallbacks):
        parts = string_parts(fallback)
        if parts is not None and not isinstance(parts[0], Hole):
            return parts
    parts = _url(ctx, path, scope, text)
    return _UNKNOWN_BASE if isinstance(parts[0], Hole) else parts


def _join(base: tuple[Part, ...], url: tuple[Part, ...]) -> tuple[Part, ...]:
    """``axios`` and ``httpx`` join a relative URL to the base; an absolute URL replaces it."""
    first = url[0] if url else ""
    if not base or (isinstance(first, str) and _SCHEME.match(first)):
        return url
    return (*base, "/", *url)


def _env_default(ctx: HttpContext, path: str, scope: str | None, name: str) -> str | None:
    bound = ctx.values.bound(path, scope, name)
    if ctx.made_by(bound) not in _ENV_DEFAULTS:
        return None
    made = ctx.creation(bound)
    args = positional(made.args) if made else []
    return string_value(args[1]) if len(args) > 1 else None


def _fetch_method(args: tuple[str, ...]) -> Method:
    if len(args) < 2:
        return "GET"
    options = object_literal(args[1])
    if options is None:
        return FromOptions(unwrap(args[1]), "GET") if _NAME.fullmatch(unwrap(args[1])) else None
    return method_entry(options, "GET")


def method_entry(options: ObjectLiteral | None, default: str) -> Method:
    """The method an options object literal sets: a literal, a parameter, or whatever the spread options hold."""
    if options is None:
        return default
    given = options.entries.get("method")
    if given is None:
        spread = next((s for s in options.spreads if _NAME.fullmatch(s)), None)
        return FromOptions(spread, default) if spread else default
    value = string_value(given)
    if value:
        return value.upper()
    if _NAME.fullmatch(given):
        return FromParam(given)
    passed = re.match(r"([A-Za-z_$][\w$]*)\??\.method\b", given)  # ``init?.method ?? 'GET'``
    if passed:
        fallback = next((string_value(a) for a in split_top(given, "??")[1:] if string_value(a)), None)
        return FromOptions(passed.group(1), (fallback or default).upper())
    return None


def _rtk_base(ctx: HttpContext, facts: ModuleFacts) -> tuple[Part, ...] | None:
    """The base URL of the module's ``fetchBaseQuery``; None when the module does not use RTK Query."""
    if not any(imp.source.startswith("@reduxjs/toolkit") for imp in facts.imports):
        return None
    for call in facts.calls:
        if call.chain[-1:] == ("fetchBaseQuery",) and call.args:
            options = object_literal(call.args[0])
            return _base(ctx, facts.path, call.function, options.entries.get("baseUrl") if options else None)
    return ()
