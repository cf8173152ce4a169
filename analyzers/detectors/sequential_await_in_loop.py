"""Sequential awaits in a loop: each turn waits for I/O that does not depend on the turn before.

Also home to what both sequential-await rules ask about an awaited call: which calls an await waits for, and
whether such a call is I/O or deliberate pacing.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from analyzers.detectors._data_access import HTTP_FUNCTIONS, classify, prisma_clients
from analyzers.detectors._in_process import in_memory_receiver, is_in_process, name_words, package_classes
from analyzers.detectors._loops import is_chunk_loop, loop_words, short
from analyzers.detectors.base import FileContext, ProjectDetector
from analyzers.facts import Await, Call, Loop, ModuleFacts
from optimizer.findings import Applicability, Category, Finding, Fix, Related, Severity

if TYPE_CHECKING:
    from optimizer.api import Project

# Loops whose turns run one after another in the function itself; array-method callbacks are functions of
# their own (`.map(async ...)` already starts every call at once) and `for await` streams on purpose.
# `while`/`do` loops have no item list to start together: they drain a queue that fills while they wait,
# page, retry or poll.
_SEQUENTIAL_LOOPS = {
    "python": frozenset({"for", "comprehension"}),
    "js": frozenset({"for", "for_of", "for_in"}),
}
# Receivers that combine or schedule promises rather than doing I/O themselves.
COMBINATORS = frozenset({"Promise", "asyncio", "anyio", "trio"})
# Deliberate pacing: a loop that sleeps, waits for a slot or backs off is sequential on purpose.
_PACING = re.compile(r"^(?:sleep|delay|wait|pause|backoff|throttle|timeout|settimeout|acquire|removetokens)", re.I)
# ... and so is one that takes a lock per turn (`withDistributedLock`, `mutex.runExclusive`).
_EXCLUSIVE_WORDS = frozenset({"lock", "mutex", "semaphore", "exclusive"})
# Statements and steps that run in the order given: migrations, scripts, commands, and browser automation
# (`page.goto`, `click`, `fill` on one page; `expect(...)` assertions).
_ORDERED_VERBS = frozenset(
    {"exec", "execute", "run", "migrate", "goto", "click", "dblclick", "fill", "press", "type", "hover", "check",
     "uncheck", "focus", "tap", "reload"}
)
# Reading a response that has already arrived, and writes to one ordered sink (a stream, a file handle).
_NOT_IO = frozenset(
    {"json", "text", "arrayBuffer", "blob", "formData", "write", "writeln", "end", "flush", "drain", "close",
     "pipe", "call", "apply", "bind"}
)
_PROMISE_HANDLERS = frozenset({"then", "catch", "finally"})
_IO_MODULES = re.compile(
    r"^(?:(?:node:)?fs/promises|fs-extra|axios|got|ky|ofetch|node-fetch|undici|cross-fetch|isomorphic-fetch)$"
)
# unsafe: the turns start together, so side effects happen in another order and the first failure rejects
# while the other calls are still running
_PROMISE_ALL_LOOP = Fix(
    "Start the turns together with `await Promise.all(items.map(async (item) => ...))`",
    Applicability.UNSAFE,
    codemod="promise-all-loop",
)
_NAME = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")
_CONSTANT = re.compile(r"[A-Z][A-Z0-9_]*")


def awaited_calls(module: ModuleFacts) -> dict[int, list[Call]]:
    """Index of an await in ``module.awaits`` -> the calls it waits for, outermost first, past the promise
    handlers: ``await db.c('x').find().toArray()`` waits for all three calls of the chain (they start
    together), ``await fetch(url).then((r) => r.json())`` for ``fetch(url)``."""
    calls = sorted(module.calls, key=lambda c: (c.span.start_byte, -c.span.end_byte))
    starts = [c.span.start_byte for c in calls]
    found: dict[int, list[Call]] = {}
    for index, awaited in enumerate(module.awaits):
        position = bisect_left(starts, awaited.span.start_byte)
        if awaited.call is None or position == len(calls):
            continue
        head = calls[position]
        if head.callee != awaited.call or head.span.end_byte > awaited.span.end_byte:
            continue
        end = bisect_left(starts, head.span.start_byte + 1, position)
        chain = [c for c in calls[position:end] if c.name not in _PROMISE_HANDLERS]
        if chain:
            found[index] = chain
    return found


def io_functions(module: ModuleFacts) -> frozenset[str]:
    """Local names of functions imported from file-system and HTTP client modules (``readFile``, ``get``)."""
    return frozenset(n.local for imp in module.imports if _IO_MODULES.match(imp.source) for n in imp.names)


def is_pacing(awaited: Await, call: Call) -> bool:
    """``await sleep(100)``, ``await setTimeout(100)``, ``await new Promise(r => setTimeout(r, 100))``, a lock."""
    if call.is_new:
        return awaited.call == "Promise"
    return bool(_PACING.match(call.name)) or bool(_EXCLUSIVE_WORDS.intersection(name_words(call.name)))


def is_io(call: Call, io_names: frozenset[str], classes: frozenset[str] = frozenset()) -> bool:
    """An HTTP request, a file-system call, or a method called on an object (a client, a service, a queue)
    that is neither in-process work, nor a step that must run in order, nor part of a transaction, nor a
    write to one sink. ``classes``: the file's capitalised package imports (see ``package_classes``)."""
    chain = call.chain
    if not chain or call.is_new:
        return False
    name = chain[-1]
    if len(chain) == 1:
        return name in HTTP_FUNCTIONS or name in io_names
    if chain[0] in COMBINATORS or chain[0].startswith("expect(") or name == "?" or name in _NOT_IO:
        return False
    if any("transaction" in part.lower() for part in chain):
        return False
    if in_memory_receiver(chain[-2]):
        return False
    words = name_words(name)
    if not words or is_in_process(name):
        return False
    if words[0] == "load" and len(chain) == 2 and chain[0] in classes:  # `Image.load(bytes)`
        return False
    return words[0] not in _ORDERED_VERBS


def loops_with_io(
    module: ModuleFacts, max_literal: int, reach: Callable[[Call], str | None]
) -> list[tuple[Loop, list[tuple[Await, Call]]]]:
    """The loops the rule reports, with the I/O calls they await; ``reach`` says what a call does through the
    code graph (None: judge it by its shape)."""
    if drives_a_browser(module):
        return []
    calls = awaited_calls(module)
    clients = prisma_clients(module) if module.language != "python" else frozenset()
    io_names = io_functions(module)
    classes = package_classes(module)
    found = []
    for loop, members in _loop_groups(module, max_literal).items():
        awaits = [(module.awaits[i], calls.get(i, [])) for i in members]
        if any(a.loop_carried or (chain and is_pacing(a, chain[0])) for a, chain in awaits):
            continue
        io = []
        for awaited, chain in awaits:
            if not chain:
                continue
            reaches = "db" if any(classify(c, module.language, clients) for c in chain) else reach(chain[0])
            if reaches == "db":  # a loop that queries is n-plus-one-query's, whatever else it awaits
                break
            if is_in_process(chain[0].name):  # `renderOverlay(doc)`: named for in-process work, whatever it awaits
                continue
            # HTTP requests are chatty-client's (`http`)
            if reaches == "io" or (reaches is None and is_io(chain[0], io_names, classes)):
                io.append((awaited, chain[0]))
        else:
            if io:
                found.append((loop, io))
    return found


def fixable_loops(module: ModuleFacts) -> list[Loop]:
    """The loops the promise-all-loop codemod rewrites: `for…of` loops over a name or a member that the rule
    reports when every call is judged by its shape, as the codemod sees the file alone (`fetch` and axios
    calls are chatty-client's there too)."""
    return [
        loop
        for loop, _ in loops_with_io(module, SequentialAwaitInLoop.options["max-literal-loop"], _shape_reach)
        if loop.kind == "for_of" and _NAME.fullmatch(loop.iterable)
    ]


def _shape_reach(call: Call) -> str | None:
    return "http" if call.chain and call.chain[0] in HTTP_FUNCTIONS else None


def _loop_groups(module: ModuleFacts, max_literal: int) -> dict[Loop, list[int]]:
    """Loops that repeat per item, with the indexes of the awaits they run directly (not in a callback)."""
    kinds = _SEQUENTIAL_LOOPS["python" if module.language == "python" else "js"]
    groups: dict[Loop, list[int]] = {}
    for index, awaited in enumerate(module.awaits):
        if not awaited.loops:
            continue
        loop = module.loop(awaited.loops[-1])
        if loop.function != awaited.function or loop.kind not in kinds:
            continue
        if (loop.literal_size is not None and loop.literal_size <= max_literal) or is_chunk_loop(loop):
            continue
        if loop.constant or _CONSTANT.fullmatch(loop.iterable):  # a fixed list such as `JOB_STATUSES`
            continue
        groups.setdefault(loop, []).append(index)
    return groups


class SequentialAwaitInLoop(ProjectDetector):
    """## What it does
    Finds loops over items (`for`, `for…of`, `for…in`; Python `for` and comprehensions in an `async def`)
    that await an I/O call on every turn although no turn needs what an earlier turn
    returned: service and SDK methods (`this.mailer.send(...)`, `s3.send(...)`), file reads and writes
    (`fs/promises`), queue sends, and calls into the project's own code that end up doing such I/O.

    ## Why is this slow?
    Each turn waits for a full round trip before the next one starts, so the loop takes the sum of all the
    latencies instead of roughly the longest one. With 50 items and a 100 ms service, that is 5 seconds
    instead of a fraction of one.

    ## Example
    ```ts
    for (const user of users) {
      await mailer.sendWelcome(user.email);
    }
    ```

    ## Use instead
    ```ts
    await Promise.all(users.map(async (user) => {
      await mailer.sendWelcome(user.email);
    }));
    ```
    In Python: `await asyncio.gather(*(storage.upload(r.key, r.body) for r in reports))`. When there are
    many items or the service has a rate limit, bound the concurrency (`p-limit`, an `asyncio.Semaphore`).

    ## Not reported
    Turns that depend on each other: a value set from the await that the next turn reads (a page cursor,
    `prev = await step(prev)`), an await that decides whether the loop goes on (an early `return`/`break`,
    a generator that `yield`s per item); `while` and `do…while` loops, which have no item list to start
    together (they drain a queue that fills while they wait, page, retry or poll); loops that pace
    themselves (`await sleep(...)`, `setTimeout`, a rate limiter's `acquire`, a lock); `for await` and
    `async for` (streaming); `.map`/`.forEach` callbacks; loops batched through `Promise.all`; short
    literal loops, loops over an UPPER_CASE constant (`for (const s of JOB_STATUSES)`, or a parameter
    defaulting to one: `{ status = JOB_STATUSES }`) and chunked loops (`i += 500`); in-process async work
    (`schema.validate`, hashing, a call named for rendering such as `renderOverlay(doc)`, conversions such as
    `canvas.toBuffer()`, methods of an in-memory PDF document or canvas such as `pdfDoc.embedPage`, a
    package class's static `load` such as `Image.load(bytes)`), writes to one sink (`zipWriter.addFile`,
    a stream's `write`), steps that run in order (`exec`, `run`, `migrate`, transactions, browser steps
    such as `page.goto` and `click`); and test, seed and migration files unless `include-tests` / `include-seeds` are set.
    Two more specific rules own the rest, so a loop is reported once: a loop that awaits a database query,
    direct or in a function the loop calls, is `n-plus-one-query`'s whole, other I/O in it included, and
    HTTP requests (`fetch`, axios, the project's API-client wrappers) are `chatty-client`'s.

    ## Known limits
    An UPPER_CASE constant is taken to be a short list without looking at its length. In-memory documents
    and sinks are told by their names (`pdfDoc`, `canvas`, `zipWriter`, `stream`), not their types.
    Independence is worked out within the function, from the names the loop sets and reads; state shared
    through objects (a client that must see calls in order) is not visible; scripts that drive a browser
    (Playwright, Puppeteer, Selenium, Cypress imports) are skipped, since one page orders their steps. Calls the
    code graph cannot resolve count as I/O when they are methods called on an object or file-system
    functions; plain functions from packages are not judged. A call into the project's own code is
    followed `max-depth` calls deep.

    ## Fix safety
    Unsafe fix (`promise-all-loop`) for a `for (const x of items)` loop over a name or a member:
    `for (const user of users) { await mailer.send(user); }` becomes
    `await Promise.all(users.map(async (user) => { await mailer.send(user); }));`, and a loop that only fills
    an empty array declared right before it (`const urls = []; ... urls.push(await storage.sign(key));`)
    becomes `const urls = await Promise.all(keys.map(async (key) => storage.sign(key)));`, which keeps the
    items' order. Left alone, with the reason: `for await`, `for…in` and counting loops, a body that can
    `break`, `continue`, `return` or `yield`, that writes to a name declared outside the loop
    (`total += ...`) or adds to an outer collection (`seen.push(...)`, `map.set(...)`), a label, and an
    iterable the file shows is no array (`new Set(...)`, a `Map<...>` annotation). The fix is offered only
    when every loop the codemod would rewrite in the file is one this rule reports. Running the turns
    together changes behaviour: side effects happen in another order, every call starts even when an
    earlier one fails, the first failure is the one raised, and the service sees all the calls at once (bound
    them by hand when the items are many).
    """

    id = "sequential-await-in-loop"
    category = Category.SEQUENTIAL_AWAIT
    languages = ("typescript", "tsx", "javascript", "python")
    severity = Severity.WARNING
    options = {"include-tests": False, "include-seeds": False, "max-literal-loop": 10, "max-depth": 4}

    def check_project(self, project: Project) -> Iterable[Finding]:
        callees = _Callees(project)
        for module, ctx in self.checked_modules(project):
            yield from self._check_module(module, ctx, callees)

    def _check_module(self, module: ModuleFacts, ctx: FileContext, callees: _Callees) -> Iterable[Finding]:
        depth = ctx.options["max-depth"]
        reported = loops_with_io(module, ctx.options["max-literal-loop"], lambda call: callees.reach(module.path, call, depth))
        fixable = {loop.id for loop in fixable_loops(module)} if reported else set()
        # the codemod sees the file alone and rewrites every loop it can: offer it only when those are all
        # loops reported here, so it never rewrites a loop this rule left alone
        offer = fixable <= {loop.id for loop, _ in reported}
        for loop, io in reported:
            finding = self._finding(module, loop, io, ctx)
            yield finding.with_(fix=_PROMISE_ALL_LOOP) if offer and loop.id in fixable else finding

    def _finding(self, module: ModuleFacts, loop: Loop, io: list[tuple[Await, Call]], ctx: FileContext) -> Finding:
        first, call = io[0]
        python = module.language == "python"
        # a C-style `for` records its header, not a collection
        collection = loop.iterable if loop.kind in ("for_of", "comprehension") or (python and loop.kind == "for") else ""
        over = f" over `{short(collection)}`" if collection else ""
        items = collection if _NAME.fullmatch(collection) else "items"
        together = (
            f"gather them with `asyncio.gather(*(... for ... in {items}))`"
            if python
            else f"start them together with `Promise.all({items}.map(...))`"
        )
        message = (
            f"`{short(call.callee)}` is awaited once per turn of the {loop_words(loop, module.language)}{over}, "
            f"and no turn needs an earlier one's result; {together} (bounded if the items are many)."
        )
        related = (
            Related(module.path, loop.span.line, f"{loop_words(loop, module.language)} starts here"),
            *(Related(module.path, a.span.line, f"`{short(c.callee)}` is also awaited per turn") for a, c in io[1:]),
        )
        weight = float(2 ** len(first.loops))
        return self.finding(module, first.span, message, ctx=ctx, related=related, weight=weight, calls=len(io))


class _Callees:
    """What an awaited call does, through the code graph: ``http`` when it is an HTTP request, direct or through
    a thin API-client wrapper (chatty-client's); for a call into the project's own code, ``db`` when it reaches
    a query (n-plus-one-query's), ``io`` when it reaches other I/O, ``none`` otherwise."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._io: set[str] | None = None
        self._memo: dict[tuple[str, int], str] = {}

    def reach(self, path: str, call: Call, max_depth: int) -> str | None:
        """None when the call does not resolve into the project: the caller judges it by its shape."""
        graph = self.project.graph
        if graph.client_call(path, call) is not None:
            return "http"
        target = graph.resolve_call(path, call)
        if target is None:
            return None
        key = (target, max_depth)
        if key not in self._memo:
            if self._io is None:
                self._io = self._io_functions()
            reached = graph.reachable(target, max_depth - 1)
            if any(node in self.project.query_sites for node in reached):
                self._memo[key] = "db"
            else:
                self._memo[key] = "io" if any(node in self._io for node in reached) else "none"
        return self._memo[key]

    def _io_functions(self) -> set[str]:
        """Function nodes that make an HTTP request or await an I/O call themselves (a request a few calls
        away is no thin wrapper: chatty-client leaves it to this rule)."""
        graph = self.project.graph
        found = {graph.function_node(c.path, c.function) for c in graph.client_calls if c.function is not None}
        for path, module in self.project.modules.items():
            io_names, classes = io_functions(module), package_classes(module)
            for index, chain in awaited_calls(module).items():
                function = module.awaits[index].function
                if function is not None and is_io(chain[0], io_names, classes):
                    found.add(graph.function_node(path, function))
        return found


# Browser automation steps act on one page: each click or read depends on what the last one did to it.
_BROWSER_AUTOMATION = ("playwright", "@playwright/test", "puppeteer", "puppeteer-core", "selenium-webdriver",
                       "webdriverio", "cypress", "selenium")


def drives_a_browser(module: ModuleFacts) -> bool:
    """A script that drives a browser through a page, whose awaits are ordered by the page, not by variables."""
    return any(imp.source.split("/")[0] in _BROWSER_AUTOMATION or imp.source in _BROWSER_AUTOMATION
               for imp in module.imports)

