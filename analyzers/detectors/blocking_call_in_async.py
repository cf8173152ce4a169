"""Blocking calls on the request path: sync I/O inside `async def` handlers and `*Sync` calls in Node handlers."""

from __future__ import annotations

import re
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from analyzers.detectors._ml_serving import import_prefixes, qualified_name
from analyzers.detectors.base import FileContext, ProjectDetector
from analyzers.facts import Call, Function, ModuleFacts, Span
from optimizer.findings import Applicability, Category, Finding, Fix, Related, Severity

if TYPE_CHECKING:
    from optimizer.api import Project
    from optimizer.graph import CodeGraph

_REQUESTS = ("get", "post", "put", "patch", "delete", "head", "options", "request")
# dotted name -> what it blocks on, for the message
_PY_BLOCKING: dict[str, str] = {
    **{f"requests.{method}": "an HTTP request" for method in _REQUESTS},
    "time.sleep": "a sleep",
    "urllib.request.urlopen": "an HTTP request",
    "subprocess.run": "a subprocess",
    "subprocess.call": "a subprocess",
    "subprocess.check_call": "a subprocess",
    "subprocess.check_output": "a subprocess",
    "cv2.imread": "a file read",
    "numpy.load": "a file read",
    "torch.load": "a file read and unpickling",
    "PIL.Image.open": "a file read",
    "open": "a file open",
    "sqlite3.connect": "a database connection",
}
_OFF_THE_LOOP = "run it with `await asyncio.to_thread(...)` / `run_in_threadpool`"
# what to use instead, by what the call blocks on
_HINT = {
    "a sleep": "use `await asyncio.sleep(...)`",
    "an HTTP request": f"use `httpx.AsyncClient` or `aiohttp`, or {_OFF_THE_LOOP}",
    "a file open": f"use `aiofiles`, or {_OFF_THE_LOOP}",
    "a database connection": "use `aiosqlite`, or query in a plain function run with `await asyncio.to_thread(...)`",
}
# Loaders that, given bytes already in memory (`Image.open(BytesIO(data))`), block on decoding, not on a file
_DECODERS = {
    "PIL.Image.open": "CPU-bound image decoding of bytes in memory",
    "numpy.load": "CPU-bound array decoding of bytes in memory",
    "torch.load": "CPU-bound unpickling of bytes in memory",
}
_IN_MEMORY = re.compile(r"^(?:io\.)?(?:BytesIO|StringIO)\(")
# Blocking calls the offload-blocking-call codemod leaves alone, and why
NOT_OFFLOADED = {
    "open": "only the open would leave the loop; the reads on the file object would still block",
    "sqlite3.connect": "a connection made on a worker thread cannot be used on the loop's thread",
}
_OFFLOAD = Fix(
    "Run the call on a worker thread: `await asyncio.to_thread(f, ...)` (`run_in_threadpool` when imported)",
    Applicability.UNSAFE,
    codemod="offload-blocking-call",
)
_SLEEP = Fix("Sleep without blocking: `await asyncio.sleep(...)`", Applicability.UNSAFE, codemod="offload-blocking-call")
# Node modules whose `*Sync` functions block the event loop
_JS_BLOCKING_MODULES = frozenset({"fs", "crypto", "zlib", "child_process"})
_JS = ("javascript", "typescript", "tsx")


@dataclass(frozen=True)
class _Site:
    path: str
    line: int
    name: str
    what: str
    span: Span


@dataclass(frozen=True)
class _Reach:
    """A call in a request-serving `async def` that reaches a blocking site through plain functions."""

    module: ModuleFacts
    ctx: FileContext
    call: Call
    chain: tuple[str, ...]


class BlockingCallInAsync(ProjectDetector):
    """## What it does
    Finds blocking calls on the request path of an event-loop server: in a Python `async def` that a
    FastAPI route reaches, `requests.get/post/...`, `time.sleep`, `open(...)`, `urllib.request.urlopen`,
    `subprocess.run`, `cv2.imread`, `numpy.load`, `torch.load`, `PIL.Image.open` and `sqlite3.connect`
    (names are resolved through the imports, so `from time import sleep` counts), and calls from such a
    function to a plain project function that does one of these within three calls. When calls from two or
    more `async def` functions reach the same blocking site, it is one finding at that site, with the calls
    as related locations: one cause, one place to fix it. A call behind a debug or feature flag (`if
    is_tracing_enabled():`, `if settings.DEBUG:`, `if os.getenv(...)`) is reported at info severity.
    `PIL.Image.open`, `numpy.load` and `torch.load` of a `BytesIO` are described as CPU-bound decoding.
    In JavaScript and
    TypeScript, `*Sync` functions of `fs`, `crypto`, `zlib` and `child_process` (`fs.readFileSync`,
    `crypto.pbkdf2Sync`, `zlib.gunzipSync`, `execSync`) in code that an Express route handler reaches.

    ## Why is this slow?
    An `async def` handler runs on the event loop itself. While it waits on a blocking call no other
    request is served: one slow `requests.get` of 2 s stalls every concurrent request for 2 s. Node is
    the same: `readFileSync` in a handler holds the only JavaScript thread for the whole read.

    ## Example
    ```python
    @app.get("/weather")
    async def weather(city: str):
        return requests.get(f"https://api.example.com/{city}").json()
    ```

    ## Use instead
    ```python
    @app.get("/weather")
    async def weather(city: str):
        async with httpx.AsyncClient() as client:
            return (await client.get(f"https://api.example.com/{city}")).json()
    ```
    Or move the call off the loop: `await asyncio.to_thread(requests.get, url)`,
    `await run_in_threadpool(load, path)`, `await loop.run_in_executor(None, fn)`; for files use
    `aiofiles`; in Node use `fs.promises` / the callback APIs. A plain `def` FastAPI handler is not
    reported: FastAPI runs it in a threadpool, where blocking is expected.

    ## Known limits
    Only `async def` functions that a route handler reaches are checked, and project functions are
    followed only when the call resolves through the code graph. Calls inside a `lambda` are assumed to
    be handed to an executor. A model forward pass (`model(x)`) is not reported here, and a method of a
    value taken from a container (`models[name].encode(q)`) is not followed. Only an `if` around the call
    in the `async def` counts as a flag gate, not one further down the chain. `*Sync` calls at
    module level or in startup code that no route reaches are fine and not reported.

    ## Fix safety
    Python: the `offload-blocking-call` codemod rewrites a reported call written in the `async def` body,
    a known blocking call or a call to a project function that reaches one, into
    `await asyncio.to_thread(f, *args, **kwargs)` (`await run_in_threadpool(f, ...)` when the module
    already imports it), and `time.sleep(x)` into `await asyncio.sleep(x)`. Both are unsafe: other tasks
    now run while the call waits, so state the function shares can change under it, and the task can be
    cancelled there; a site that several handlers reach is advice only (fix it once where it blocks);
    on a worker thread, an object tied to the loop's thread (a `sqlite3` connection made
    there, a client or model that is not thread-safe) can fail or race; `time.sleep` of a negative number
    raised and `asyncio.sleep` does not. Left as advice: `open(...)` (the reads on the file would still
    block) and `sqlite3.connect` (its connection belongs to the thread that made it), calls already
    awaited, entered by `with`, or inside a lambda, comprehension or nested function, a line with other
    calls beside a reported project function, and JavaScript `*Sync` calls.
    """

    id = "blocking-call-in-async"
    category = Category.SYNC_IO
    languages = ("python", *_JS)
    severity = Severity.WARNING
    options = {"max-depth": 3, "include-tests": False}

    def check_project(self, project: Project) -> Iterable[Finding]:
        graph = project.graph
        on_path = graph.request_path_functions()
        sites = _python_sites(project)
        reaching: dict[_Site, list[_Reach]] = defaultdict(list)
        checked: dict[str, tuple[ModuleFacts, FileContext]] = {}
        for module, ctx in self.checked_modules(project):
            checked[module.path] = (module, ctx)
            if module.language == "python":
                yield from self._check_python(module, ctx, graph, on_path, sites, reaching)
            else:
                yield from self._check_js(module, ctx, graph, on_path)
        for site, reaches in reaching.items():
            # one handler that calls it twice is still one caller, fixed (and offloaded) at each call
            if len({(reach.module.path, reach.call.function) for reach in reaches}) > 1 and site.path in checked:
                yield self._shared(site, reaches, *checked[site.path], graph)
            else:
                yield from (self._indirect(reach, graph, site) for reach in reaches)

    def _check_python(
        self, module: ModuleFacts, ctx: FileContext, graph: CodeGraph, on_path: dict[str, int],
        sites: dict[str, list[_Site]], reaching: dict[_Site, list[_Reach]],
    ) -> Iterator[Finding]:
        async_fns = {
            fn.qualname for fn in module.functions
            if fn.is_async and graph.function_node(module.path, fn.qualname) in on_path
        }
        lambdas = [fn for fn in module.functions if fn.kind == "lambda"]
        reported: set[int] = set()
        for call in module.calls:
            if call.function not in async_fns or call.span.line in reported or _in_lambda(call, lambdas):
                continue
            name = blocking_name(module, call)
            if name is not None:
                reported.add(call.span.line)
                what = _blocks_on(module, call, name)
                message = (
                    f"`{call.callee}` ({what}) blocks the event loop inside `async def {call.function}`, which serves "
                    f"requests; {_HINT.get(what, _OFF_THE_LOOP)}."
                )
                finding = self._gated(self.finding(module, call.span, message, ctx=ctx), [(module, call)])
                fixable = name not in NOT_OFFLOADED and _offloadable(module, call)
                yield finding.with_(fix=_SLEEP if name == "time.sleep" else _OFFLOAD) if fixable else finding
                continue
            target = None if call.awaited else graph.resolve_call(module.path, call)
            chain = _chain_to_blocking(graph, target, sites, ctx.options["max-depth"]) if target else None
            if chain is not None:
                reported.add(call.span.line)
                reaching[sites[chain[-1]][0]].append(_Reach(module, ctx, call, tuple(chain)))

    def _indirect(self, reach: _Reach, graph: CodeGraph, site: _Site) -> Finding:
        """The one request-serving call that reaches ``site``, reported where the codemod can offload it."""
        module, call, nodes = reach.module, reach.call, graph.graph.nodes
        message = (
            f"`{call.callee}` is a blocking function called from `async def {call.function}`, which serves requests: "
            f"it reaches `{site.name}` ({site.path}:{site.line}), {site.what}; {_OFF_THE_LOOP}, or make it async."
        )
        hops = tuple(Related(nodes[n]["path"], nodes[n]["line"], f"calls `{nodes[n]['name']}`") for n in reach.chain)
        related = (*hops, Related(site.path, site.line, f"`{site.name}` blocks here"))
        finding = self._gated(self.finding(module, call.span, message, ctx=reach.ctx, related=related), [(module, call)])
        fixable = sole_call_on_line(module, call) and _offloadable(module, call)
        return finding.with_(fix=_OFFLOAD) if fixable else finding

    def _shared(
        self, site: _Site, reaches: list[_Reach], module: ModuleFacts, ctx: FileContext, graph: CodeGraph
    ) -> Finding:
        """A blocking site that several request-serving calls reach, reported once where it blocks: the one
        place a fix (make its function async, cache what it reads, offload it once) covers every caller, where
        offloading each caller would spread one cause over many edits. Advice only, for that reason."""
        nodes = graph.graph.nodes
        first, owner = reaches[0].call, nodes[reaches[0].chain[-1]]["name"]
        message = (
            f"`{site.name}` ({site.what}) in the plain function `{owner}` blocks the event loop for {len(reaches)} "
            f"calls from request-serving `async def` functions (`{first.callee}` in `async def {first.function}`, "
            f"{reaches[0].module.path}:{first.span.line}, and {len(reaches) - 1} more); make `{owner}` or the "
            f"function the handlers call async, cache what it reads, or {_OFF_THE_LOOP} in one shared place."
        )
        related = tuple(
            Related(reach.module.path, reach.call.span.line, f"`async def {reach.call.function}` reaches it here "
                    f"through `{reach.call.callee}`")
            for reach in reaches
        )
        finding = self.finding(module, site.span, message, ctx=ctx, related=related)
        return self._gated(finding, [(reach.module, reach.call) for reach in reaches])

    def _gated(self, finding: Finding, calls: list[tuple[ModuleFacts, Call]]) -> Finding:
        """Lower to info a finding whose every request-serving call sits behind a debug or feature flag: it
        still blocks where the flag is on, but most deployments never run it."""
        gates = [module.flag_gate(call.span.line) for module, call in calls]
        if not gates or any(gate is None for gate in gates):
            return finding
        flags = ", ".join(f"`{gate}`" for gate in sorted(set(gates)))
        message = f"{finding.message} It runs only when {flags} holds, a debug or feature flag."
        return finding.with_(message=message, severity=Severity.INFO)

    def _check_js(
        self, module: ModuleFacts, ctx: FileContext, graph: CodeGraph, on_path: dict[str, int]
    ) -> Iterator[Finding]:
        prefixes = import_prefixes(module, None)
        for call in module.calls:
            # module level and startup code run once, before requests arrive
            if call.function is None or graph.function_node(module.path, call.function) not in on_path:
                continue
            name = qualified_name(call, prefixes)
            if name is None or not name.endswith("Sync") or name.split(".", 1)[0] not in _JS_BLOCKING_MODULES:
                continue
            library, _, method = name.partition(".")
            # `fs.readFileSync` -> `fs.promises.readFile`; crypto, zlib and child_process have callback forms
            instead = f"`fs.promises.{method.removesuffix('Sync')}`" if library == "fs" else (
                f"the callback form `{library}.{method.removesuffix('Sync')}` (promisified)"
            )
            message = (
                f"`{call.callee}` blocks the Node event loop in code that serves requests; every other request waits "
                f"for it. Use {instead}, or do it once at startup."
            )
            yield self.finding(module, call.span, message, ctx=ctx)


def blocking_name(module: ModuleFacts, call: Call) -> str | None:
    """The dotted name of a known blocking call, resolved through the imports (`open` for the builtin)."""
    prefixes = import_prefixes(module, call.function)
    if call.chain == ("open",):
        shadowed = "open" in prefixes or any(f.name == "open" for f in module.functions)
        return None if shadowed else "open"
    name = qualified_name(call, prefixes)
    return name if name in _PY_BLOCKING else None


def _blocks_on(module: ModuleFacts, call: Call, name: str) -> str:
    """What the call blocks on, for the message: a loader handed bytes already in memory
    (`Image.open(BytesIO(data))`, or a local bound to `io.BytesIO(...)`) decodes rather than reads a file."""
    if name in _DECODERS and call.args:
        source = call.args[0]
        buffers = {
            b.name for b in module.bindings
            if b.scope == call.function and b.kind == "call" and b.value.rsplit(".", 1)[-1] in ("BytesIO", "StringIO")
        }
        if _IN_MEMORY.match(source) or source in buffers:
            return _DECODERS[name]
    return _PY_BLOCKING[name]


def sole_call_on_line(module: ModuleFacts, call: Call) -> bool:
    """A reported call to a project function is told apart from other calls by its line alone."""
    return sum(other.span.line == call.span.line for other in module.calls) == 1


def _offloadable(module: ModuleFacts, call: Call) -> bool:
    """What the facts can tell of the shapes offload-blocking-call declines: an awaited call, one in a
    comprehension, or one whose result a `with` enters (its callee heads a later call's `with` stack)."""
    if call.awaited or any(module.loop(i).kind == "comprehension" for i in call.loops):
        return False
    return not any(
        other.function == call.function and other.span.start_byte > call.span.end_byte and call.callee in other.context
        for other in module.calls
    )


def _in_lambda(call: Call, lambdas: list[Function]) -> bool:
    """`run_in_executor(None, lambda: requests.get(url))`: the lambda runs on a worker thread."""
    return any(fn.span.contains(call.span) for fn in lambdas)


def _python_sites(project: Project) -> dict[str, list[_Site]]:
    """Plain (sync) Python function node -> the blocking calls written directly in it."""
    sites: dict[str, list[_Site]] = {}
    graph = project.graph
    for path, module in project.modules.items():
        if module.language != "python":
            continue
        sync = {fn.qualname for fn in module.functions if not fn.is_async and fn.kind in ("function", "method")}
        for call in module.calls:
            if call.function in sync:
                name = blocking_name(module, call)
                if name is not None:
                    node = graph.function_node(path, call.function)
                    what = _blocks_on(module, call, name)
                    sites.setdefault(node, []).append(_Site(path, call.span.line, call.callee, what, call.span))
    return sites


def _chain_to_blocking(graph: CodeGraph, start: str, sites: dict[str, list[_Site]], max_depth: int) -> list[str] | None:
    """The shortest chain of plain functions from ``start`` (one call deep) to one that blocks, or None.
    An `async def` on the way is not entered: calling it only creates a coroutine."""
    nodes = graph.graph.nodes
    parents: dict[str, str | None] = {start: None}
    depth = {start: 1}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if nodes[node].get("is_async"):
            continue
        if sites.get(node):
            chain = [node]
            while parents[chain[-1]] is not None:
                chain.append(parents[chain[-1]])
            return chain[::-1]
        for target in graph.callees(node):
            if target not in depth and depth[node] < max_depth:
                depth[target] = depth[node] + 1
                parents[target] = node
                queue.append(target)
    return None
