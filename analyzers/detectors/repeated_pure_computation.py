"""Repeated pure computation: the same costly, side-effect-free call redone with the same arguments."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from analyzers.detectors._loops import describe, loop_related, loop_words, short
from analyzers.detectors.base import Detector, FileContext
from analyzers.facts import Call, Function, ModuleFacts
from optimizer.findings import Applicability, Category, Finding, Fix, Related, Severity

# Calls whose result depends only on their arguments and that cost more than a lookup: parsing, compiling,
# hashing, building arrays or locale-aware formatters. Cheap pure calls (`len`, `os.path.join`, `Math.max`,
# `math.sqrt`) are left out on purpose: redoing them costs less than the reader's attention. Calls meant to
# give a fresh object each time (`copy.deepcopy`, `structuredClone`) are left out too.
PURE_CALLS = frozenset({
    # Python
    "re.compile", "regex.compile",
    "json.loads", "json.dumps", "orjson.loads", "orjson.dumps",
    "yaml.safe_load", "ast.literal_eval", "ast.parse",
    "hashlib.md5", "hashlib.sha1", "hashlib.sha256", "hashlib.sha512",
    "np.linspace", "np.logspace", "np.arange", "np.meshgrid",
    "numpy.linspace", "numpy.logspace", "numpy.arange", "numpy.meshgrid",
    "sorted",
    # JavaScript / TypeScript (`new RegExp(...)` has callee `RegExp`)
    "RegExp", "JSON.parse", "JSON.stringify",
    "Intl.NumberFormat", "Intl.DateTimeFormat", "Intl.Collator", "Intl.PluralRules",
    "Intl.RelativeTimeFormat", "Intl.ListFormat", "Intl.Segmenter", "Intl.DisplayNames",
})
# PURE_CALLS that build a mutable value (dicts, lists, arrays, trees): a cached one would be shared by callers.
MUTABLE_RESULTS = frozenset(
    {"json.loads", "orjson.loads", "yaml.safe_load", "ast.literal_eval", "ast.parse", "sorted",
     *(f"{np}.{fn}" for np in ("np", "numpy") for fn in ("linspace", "logspace", "arange", "meshgrid"))}
)  # fmt: skip
# Cheap calls a pure Python function may make besides PURE_CALLS: their result depends only on the arguments.
_CHEAP_PURE = frozenset(
    {"len", "str", "int", "float", "bool", "bytes", "tuple", "frozenset", "abs", "round", "min", "max", "re.escape"}
)
# Parameter annotations whose values are immutable and hashable, so a cache can key on them.
HASHABLE_TYPES = frozenset({"str", "int", "float", "bool", "bytes"})
_CACHE = Fix(
    "Cache the function's results with `@functools.cache`", Applicability.UNSAFE, codemod="cache-pure-function"
)
# Serialisers whose work on a literal written in the source is bounded by that literal: microseconds.
_SERIALISERS = frozenset({"json.dumps", "orjson.dumps", "JSON.stringify"})
# Repeats across one function body before the calls are reported: two may be a deliberate before/after.
MIN_REPEATS = 3

_STRING = re.compile(r"""(?P<prefix>[A-Za-z]{0,2})(?P<body>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`)""")
_NAME_CHAIN = re.compile(r"[A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*")
# `1e5`, `0x1F`, `1_000`: digits first, so the letters in them are not names.
_NUMBER = re.compile(r"\b\d[\w.]*")
_CONSTANT = re.compile(r"^_*[A-Z][A-Z0-9_]*$")
_LITERAL_WORDS = frozenset({"True", "False", "None", "true", "false", "null", "undefined"})
# A name after `{`, `,` or the argument's start and before `:` / `=` is an object key (`{ style: 'currency' }`)
# or a keyword argument (`flags=...`); after `?` the colon belongs to a ternary and the name is a value.
_KEY_BEFORE = re.compile(r"(?:^|[{,])\s*$")
_KEY_AFTER = re.compile(r"\s*(?::(?!:)|=(?!=))")
_KEYWORD = re.compile(r"[A-Za-z_]\w*\s*=(?!=)\s*")


class RepeatedPureComputation(Detector):
    """## What it does
    Finds a call to a known pure and costly function (`re.compile`, `json.loads`, `json.dumps`,
    `hashlib.sha256`, `np.linspace`, `sorted`, `new RegExp`, `JSON.parse`, `JSON.stringify`,
    `new Intl.NumberFormat`, ...) that is redone with the same arguments: inside a loop when every argument
    is a literal or an UPPER_CASE constant, or three or more times in one function body (outside loops)
    with the same argument text, made of literals, constants and the function's parameters. In Python,
    a plain module-level `def` of the same file counts as such a function when it calls one of them and
    nothing else than them, cheap builtins (`len`, `str`, `re.escape`, ...), methods of their results
    (`hashlib.sha256(b).hexdigest()`) and methods of its `str`/`bytes` parameters.

    ## Why is this slow?
    The result cannot change between the calls, yet each one parses, compiles or hashes its input again and
    allocates a new result. In a loop that work is multiplied by the number of items; an `Intl` formatter
    also loads locale data on each construction.

    ## Example
    ```python
    for line in lines:
        if re.compile(r"^\\d{4}-\\d{2}").match(line):
            rows.append(json.loads(DEFAULTS))
    ```

    ## Use instead
    ```python
    DATE = re.compile(r"^\\d{4}-\\d{2}")
    for line in lines:
        if DATE.match(line):
            rows.append(json.loads(DEFAULTS))  # or parse once before the loop and copy if mutated
    ```
    Compute the value once before the loop or at module level, or wrap a function of the arguments in
    `functools.cache` when the same inputs come back across calls.

    ## Known limits
    Only the functions in `PURE_CALLS` are known, and a user's own function only as described above; what
    it assigns or reads at module level is not in the facts and is checked by the codemod alone. Inside
    loops the arguments must be literals or UPPER_CASE names (or attributes of them), taken as constants
    that the loop does not change. Across a function the argument texts are compared, not their values: a parameter
    reassigned or mutated between the calls still counts as the same argument, and calls in exclusive
    branches (`if`/`else`, `switch` cases) are counted although only one runs. Serialising a literal
    written in the source (`json.dumps({"error": "missing"})`, `JSON.stringify(["a"])`) costs microseconds
    and is not reported; nor is a call whose result is interpolated whole into an f-string or a template
    literal (`f"expected one of {sorted(NAMES)}"`): turning the value into text, which stays in the loop,
    costs about as much as computing it. A call in a loop branch that ends in `break`/`return`/`raise` runs at most once
    per loop yet is still reported: the facts do not record how a branch ends. Python's `re` keeps a cache
    of compiled patterns, so `re.compile` in a loop costs a lookup rather than a compilation. Test files are
    skipped.

    ## Fix safety
    Calls to a library function stay advice only: a hoisted `json.loads` result is shared by every turn of
    the loop, so code that mutates it needs a copy per turn, and a hoisted `RegExp` with the `g` or `y` flag
    keeps its `lastIndex` between uses. A repeated call to a pure function of the same Python module gets
    the unsafe `cache-pure-function` codemod, which adds `@functools.cache` to the function when it builds
    no mutable result (no `json.loads`, `sorted`, arrays) and every call in the module passes literals,
    UPPER_CASE constants or parameters annotated `str`/`int`/`float`/`bool`/`bytes`. The codemod declines
    (and says why) a function that assigns to anything but its locals, declares `global`, reads a
    module-level name whose value may change, takes `*args`/`**kwargs` or a mutable default, or may return
    a mutable value, and an UPPER_CASE argument that is not an immutable constant. Unsafe because callers
    in other modules may pass unhashable arguments (a `TypeError` now), equal arguments of different types
    (`1`, `1.0`, `True`) share one entry, every distinct argument stays in memory, and all callers get the
    very same result object.
    """

    id = "repeated-pure-computation"
    category = Category.OTHER
    languages = ("python", "typescript", "tsx", "javascript")
    severity = Severity.INFO

    def check(self, module: ModuleFacts, ctx: FileContext) -> Iterable[Finding]:
        if ctx.is_test:  # tests rebuild fixtures on purpose and run once
            return
        own = pure_functions(module)
        by_function = _calls_by_function(module)
        cacheable = _cacheable(module, own, by_function)
        repeats: dict[tuple[str | None, str, tuple[str, ...]], list[Call]] = defaultdict(list)
        for call in module.calls:
            if (call.callee not in PURE_CALLS and call.callee not in own) or _serialises_literal(call):
                continue
            if _formatted_into_text(call, by_function[call.function]):
                continue
            if call.loops:
                if all(_invariant(arg) for arg in call.args):
                    yield self._cached(cacheable, call.callee, self._in_loop(module, call, ctx))
            elif call.function is not None:
                repeats[(call.function, call.callee, call.args)].append(call)
        for (qualname, callee, args), calls in repeats.items():
            function = module.function(qualname)
            params = frozenset(function.params) if function else frozenset()
            if len(calls) >= MIN_REPEATS and all(_invariant(arg, params) for arg in args):
                yield self._cached(cacheable, callee, self._repeated(module, calls, ctx))

    @staticmethod
    def _cached(cacheable: set[str], callee: str, finding: Finding) -> Finding:
        return finding.with_(fix=_CACHE) if callee in cacheable else finding

    def _in_loop(self, module: ModuleFacts, call: Call, ctx: FileContext) -> Finding:
        loops = [module.loop(i) for i in call.loops]
        inner = loops[-1]
        over = f" over `{short(inner.iterable)}`" if inner.iterable else ""
        return self.finding(
            module,
            call.span,
            f"{_call_text(call)} gets the same constant arguments on every turn of the "
            f"{loop_words(inner, module.language)}{over}; "
            "compute it once before the loop (or at module level).",
            ctx=ctx,
            related=loop_related(loops, module),
        )

    def _repeated(self, module: ModuleFacts, calls: list[Call], ctx: FileContext) -> Finding:
        first, *rest = calls
        advice = "`functools.cache`" if module.language == "python" else "a memoised helper"
        return self.finding(
            module,
            first.span,
            f"{_call_text(first)} runs {len(calls)} times in `{first.function}` with the same arguments; compute "
            f"it once into a variable (or wrap it in {advice}).",
            ctx=ctx,
            related=tuple(Related(module.path, call.span.line, "same call again") for call in rest),
        )


def pure_functions(module: ModuleFacts) -> dict[str, Function]:
    """Module-level functions taken as pure and costly, by name: a plain undecorated `def` (no generator,
    no nested function) that makes at least one PURE_CALLS call and no call other than those, the cheap
    builtins, methods of their fresh results, and methods of its `str`/`bytes` parameters."""
    if module.language != "python":
        return {}
    enclosing = {fn.parent for fn in module.functions}
    top_level = Counter(fn.name for fn in module.functions if fn.parent is None)
    candidates = {
        fn.qualname: fn
        for fn in module.functions
        if fn.kind == "function" and fn.parent is None and top_level[fn.name] == 1 and fn.qualname not in enclosing
        and not (fn.is_async or fn.is_generator or fn.decorators)
    }  # fmt: skip
    calls: dict[str, list[Call]] = defaultdict(list)
    for call in module.calls:
        if call.function in candidates:
            calls[call.function].append(call)
    types = _param_types(module)
    pure = {}
    for qualname, fn in candidates.items():
        text_params = {p for p in fn.params if types.get((qualname, p)) in ("str", "bytes")}
        made = calls[qualname]
        if any(c.callee in PURE_CALLS for c in made) and all(_pure_call(c, text_params) for c in made):
            pure[fn.name] = fn
    return pure


def _cacheable(module: ModuleFacts, own: dict[str, Function], by_function: dict[str | None, list[Call]]) -> set[str]:
    """The pure functions of this module that can be cached where they are defined: they build no mutable
    result (callers would share it) and every call in the module passes arguments a cache can key on."""
    if not own:
        return set()
    types = _param_types(module)
    callers: dict[str, list[Call]] = defaultdict(list)
    for call in module.calls:
        if len(call.chain) == 1 and call.chain[0] in own:
            callers[call.chain[0]].append(call)
    return {
        name for name, fn in own.items()
        if not any(call.callee in MUTABLE_RESULTS for call in by_function.get(fn.qualname, ()))
        and all(hashable_arguments(call, types) for call in callers[name])
    }


def _calls_by_function(module: ModuleFacts) -> defaultdict[str | None, list[Call]]:
    found: defaultdict[str | None, list[Call]] = defaultdict(list)
    for call in module.calls:
        found[call.function].append(call)
    return found


def _pure_call(call: Call, text_params: set[str]) -> bool:
    if call.callee in PURE_CALLS or call.callee in _CHEAP_PURE or (call.chain and call.chain[0] in text_params):
        return True
    # `hashlib.sha256(data).hexdigest()`: a method of the fresh result of a pure call
    for index, part in enumerate(call.chain):
        if part.endswith("()"):
            return ".".join((*call.chain[:index], part[:-2])) in PURE_CALLS
    return False


def hashable_arguments(call: Call, types: dict[tuple[str | None, str], str]) -> bool:
    """Every argument is a literal, an UPPER_CASE name (taken as a constant; the codemod checks its value),
    or a parameter of the calling function annotated with a hashable type (``types``, see `_param_types`)."""
    for arg in call.args:
        keyword = _KEYWORD.match(arg)
        value = arg[keyword.end() :] if keyword else arg
        literal = _STRING.fullmatch(value) or _NUMBER.fullmatch(value.lstrip("-")) or value in _LITERAL_WORDS
        typed = types.get((call.function, value)) in HASHABLE_TYPES
        if not (literal or _CONSTANT.match(value) or typed):
            return False
    return True


def _param_types(module: ModuleFacts) -> dict[tuple[str | None, str], str]:
    """(function, parameter) -> the type its annotation names."""
    return {(b.scope, b.name): b.value for b in module.bindings if b.kind == "param_type"}


def _call_text(call: Call) -> str:
    args = ", ".join(call.args)
    return f"`{'new ' if call.is_new else ''}{describe(call)}({short(args, 40)})`"


def _serialises_literal(call: Call) -> bool:
    """`json.dumps({"error": "missing field"})`, `JSON.stringify(["a", 1])`: the value is written out in the
    source, so each call costs microseconds however often it runs; not worth a finding. A named constant
    (`json.dumps(DEFAULTS)`) may be large and stays reported. An f-string passes here, which changes nothing:
    `_invariant` never reports one."""
    if call.callee not in _SERIALISERS or not call.args:
        return False
    text = _NUMBER.sub("0", _STRING.sub('""', call.args[0])).strip()
    if not text or text[0] not in "{[(\"" or "(" in text.strip("()"):
        return False
    return all(
        name[0] in _LITERAL_WORDS or (_KEY_AFTER.match(text, name.end()) and _KEY_BEFORE.search(text, 0, name.start()))
        for name in _NAME_CHAIN.finditer(text)
    )


def _formatted_into_text(call: Call, same_function: list[Call]) -> bool:
    """Whether the call is an interpolation of its own in an f-string or template literal passed to an enclosing
    call (`errors.append(f"expected {sorted(NAMES)}")`) among ``same_function``, the calls of its function: its
    result is turned into text right away."""
    start = re.compile(r"\{\s*" + re.escape(call.callee) + r"\s*\(")
    for outer in same_function:
        if outer is call or not outer.span.contains(call.span):
            continue
        for arg in outer.args:
            for literal in _STRING.finditer(arg):
                body = literal["body"]
                if "f" in literal["prefix"].lower() or body.startswith("`"):
                    if any(_closes_interpolation(body, found.end()) for found in start.finditer(body)):
                        return True
    return False


def _closes_interpolation(text: str, index: int) -> bool:
    """From just after a call's `(`: whether its `)` is followed by the end of the interpolation (`}`, or a
    conversion or format spec first: `!r}`, `:>10}`)."""
    depth = 1
    while index < len(text) and depth:
        depth += {"(": 1, ")": -1}.get(text[index], 0)
        index += 1
    return depth == 0 and re.match(r"\s*(?:![rsa])?\s*(?::[^{}]*)?\}", text[index:]) is not None


def _invariant(arg: str, params: frozenset[str] = frozenset()) -> bool:
    """True when the argument text can only name literals, UPPER_CASE constants (`"a+"`, `RE_FLAGS`,
    `re.IGNORECASE`, `{ style: "currency" }`) and the given parameters, and makes no call. Locals are out:
    the same text in two branches (`const a = await f()` in each) names different values."""
    for match in _STRING.finditer(arg):
        prefix, body = match["prefix"].lower(), match["body"]
        if ("f" in prefix and "{" in body) or (body.startswith("`") and "${" in body):
            return False
    text = _NUMBER.sub("0", _STRING.sub('""', arg))
    if "(" in text:  # a call in the argument may read state or do I/O
        return False
    for name in _NAME_CHAIN.finditer(text):
        if _KEY_AFTER.match(text, name.end()) and _KEY_BEFORE.search(text, 0, name.start()):
            continue
        parts = [part.strip() for part in name[0].split(".")]
        if parts[0] in _LITERAL_WORDS or parts[0] in params:
            continue
        if not any(_CONSTANT.match(part) for part in parts):
            return False
    return True
