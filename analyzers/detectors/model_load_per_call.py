"""Model loading per request or per loop turn: weights read from disk again and again instead of once."""

from __future__ import annotations

import builtins
import re
from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING

from analyzers.detectors._ml_serving import import_prefixes, is_cached, qualified_name
from analyzers.detectors.base import ProjectDetector
from analyzers.facts import Binding, Call, Function, ModuleFacts
from optimizer.findings import Applicability, Category, Finding, Fix, Severity

if TYPE_CHECKING:
    from optimizer.api import Project

# dotted names (after import resolution) that read a model from disk
_LOADERS = frozenset({
    "torch.load",
    "torch.jit.load",
    "joblib.load",
    "pickle.load",
    "onnxruntime.InferenceSession",
    "tensorflow.keras.models.load_model",
    "keras.models.load_model",
    "keras.saving.load_model",
    "ultralytics.YOLO",
})
_LOADER_PREFIXES = ("cv2.dnn.readNet",)  # readNet, readNetFromONNX, readNetFromCaffe, ...
# a statement holding the call starts at most this many lines above it (a call split over lines)
_STATEMENT_LINES = 5
# an argument that is the same on every turn of a loop: a string literal or a CONSTANT / settings.CONSTANT
_FIXED_ARGUMENT = re.compile(r"""^(?:[rRbB]?["'][^{}]*["']|(?:\w+\.)*[A-Z][A-Z0-9_]+)$""")
# in-place changes that a model shared by every call would carry from one call to the next (`add_`, `fill_`
# and the other torch in-place methods end in `_`)
MUTATING_METHOD = re.compile(
    r"train|fit|partial_fit|fit_transform|load_state_dict|zero_grad|apply|compile|update|add_module|pop|clear"
    r"|setdefault|register_\w+|set_\w+|reset\w*|(?!__)\w+_"
)
# in-place changes that set the same state on every call: harmless on a shared model when their arguments are fixed
IDEMPOTENT_METHODS = frozenset({"eval", "to", "cuda", "cpu", "half", "float", "double", "bfloat16", "requires_grad_"})
# reading an argument's text for the names it uses: strings and the `name=` of a keyword dropped, f-strings refused
_STRING = re.compile(r"""(?<![\w])[rRbBuU]{0,2}("|')(?:\\.|(?!\1).)*\1""")
_F_STRING = re.compile(r"""(?i)(?<![\w])[rb]?f[rb]?["']""")
_NAME_HEAD = re.compile(r"(?<![\w.])[A-Za-z_]\w*")
_KEYWORD = re.compile(r"^\s*\w+\s*=(?!=)")
_CONSTANT = re.compile(r"^_*[A-Z][A-Z0-9_]*$")
_BUILTINS = frozenset(dir(builtins)) | {"__file__"}
_CACHE_LOADER = Fix(
    "Load the model once: move the load into a module-level loader under `@functools.cache`",
    Applicability.UNSAFE,
    codemod="cache-model-loader",
)


class ModelLoadPerCall(ProjectDetector):
    """## What it does
    Finds model loading (`torch.load`, `torch.jit.load`, `*.from_pretrained`, `joblib.load`, `pickle.load`,
    `onnxruntime.InferenceSession`, `cv2.dnn.readNet*`, `tf.keras.models.load_model`, ultralytics `YOLO(...)`)
    whose result lands in a local variable of a function that runs on every request (a route handler or
    a function it reaches without passing through a cached function, including a function of its module it
    hands by name to `asyncio.to_thread`, `run_in_threadpool` or `loop.run_in_executor`), or inside a loop
    with the same file on every turn.

    ## Why is this slow?
    Loading a model reads and deserialises tens to thousands of megabytes and often moves them to the GPU:
    hundreds of milliseconds to seconds, paid again by every request, and each concurrent request holds
    its own copy in memory.

    ## Example
    ```python
    @router.post("/predict")
    def predict(req: PredictRequest):
        model = torch.load("unet.pt")
        return model(to_tensor(req.image))
    ```

    ## Use instead
    Load once and reuse: `@functools.lru_cache` on the loader, a module-level singleton
    (`global _model; if _model is None: _model = torch.load(...)`), an attribute set once
    (`self.model`), or `app.state.model` set in the FastAPI lifespan / startup handler. The fix does the
    first:
    ```python
    @functools.cache
    def _load_model():
        return torch.load("unet.pt")

    @router.post("/predict")
    def predict(req: PredictRequest):
        model = _load_model()
        return model(to_tensor(req.image))
    ```

    ## Known limits
    Only results bound to a local name are reported: a result returned directly or stored in a dict or
    attribute is taken to be cached. The request path comes from the code graph, so a loader reached
    through a call the graph cannot resolve is not reported.

    ## Fix safety
    Unsafe fix (codemod `cache-model-loader`, applied with `--unsafe-fixes`) for loads whose callee and
    arguments read only literals, constants and module-level names: the load moves into a module-level
    function under `@functools.cache`, placed before the function that uses it (equal loads share one),
    and the call becomes a call of that loader. It is unsafe because every call, on every thread, then
    shares one object: a model that keeps state between calls (batch-norm statistics in train mode, an
    RNN's hidden state) or is not thread-safe (a Hugging Face fast tokenizer) behaves differently; the
    arguments are read once, a new file on disk is seen only after a restart, and the model stays in
    memory. The codemod leaves the code alone and says why when the function changes the model in place
    (`train()`, `fit()`, `load_state_dict()`, methods ending in `_`, attribute or item writes), hands it
    on (returns, stores or aliases it), moves it with values the function computes (`model.to(device)`),
    or loads inside a `with` block other than `no_grad`/`inference_mode`. A load whose path depends on a
    parameter gets no fix: a cache keyed on request values would grow without bound.
    """

    id = "model-load-per-call"
    category = Category.MODEL_LOADING
    languages = ("python",)
    severity = Severity.WARNING
    options = {"include-tests": False}

    def check_project(self, project: Project) -> Iterable[Finding]:
        per_request = _per_request_functions(project)
        for module, ctx in self.checked_modules(project):
            for call in module.calls:
                loader = _loader(module, call)
                fn = module.function(call.function)
                if loader is None or fn is None or is_cached(fn):
                    continue
                binding = _binding(module, call)
                if not _bound_to_local(binding, fn):
                    continue
                node = project.graph.function_node(module.path, fn.qualname)
                if node in per_request:
                    message = (
                        f"`{call.callee}` loads a model on every request (in `{fn.qualname}`, reached from a route "
                        "handler); load it once with `functools.lru_cache`, a module-level singleton or "
                        "`app.state` set at startup."
                    )
                    finding = self.finding(module, call.span, message, ctx=ctx, weight=4.0, loader=loader)
                elif call.loops and call.args and _FIXED_ARGUMENT.match(call.args[0]):
                    message = (
                        f"`{call.callee}({call.args[0]})` loads the same model on every turn of the loop; load it "
                        "once before the loop."
                    )
                    finding = self.finding(module, call.span, message, ctx=ctx, weight=2.0, loader=loader)
                else:
                    continue
                cacheable = binding is not None and _cacheable(module, call, fn, binding.name)
                yield finding.with_(fix=_CACHE_LOADER) if cacheable else finding


def _loader(module: ModuleFacts, call: Call) -> str | None:
    if call.name == "from_pretrained":
        return "from_pretrained"
    name = qualified_name(call, import_prefixes(module, call.function))
    if name is not None and (name in _LOADERS or name.startswith(_LOADER_PREFIXES)):
        return name
    return None


def _bound_to_local(binding: Binding | None, fn: Function) -> bool:
    """True when the loaded model goes into a local variable of ``fn``, and so is gone after the call:
    not a module-level singleton (``global _model``), not ``self.model``."""
    return binding is not None and binding.scope == fn.qualname and not binding.name.startswith("self.")


def _cacheable(module: ModuleFacts, call: Call, fn: Function, variable: str) -> bool:
    """True for the loads `cache-model-loader` takes: the callee and arguments read only literals, constants,
    builtins, imports and module-level names (no f-string, nothing else the function binds), and the
    function calls no in-place method on the model ``variable``. The codemod checks the rest (attribute
    writes, the model handed on)."""
    if "?" in call.chain or any(part.endswith("()") for part in call.chain):
        return False  # `MODELS[kind].from_pretrained(...)`: a receiver worked out on each call
    enclosing: list[Function] = []
    scope: Function | None = fn
    while scope is not None:
        enclosing.append(scope)
        scope = module.function(scope.parent)
    qualnames = {f.qualname for f in enclosing}
    local = {p for f in enclosing for p in f.params} | {b.name for b in module.bindings if b.scope in qualnames}
    outer = {b.name for b in module.bindings if b.scope is None}
    outer |= {f.name for f in module.functions if f.parent is None}
    # an import inside the function binds the same module on every call; the loader imports it too
    outer |= {n.local for imp in module.imports if imp.function in (None, *qualnames) for n in imp.names}
    for text in (call.chain[0], *call.args):
        if _F_STRING.search(text):
            return False
        for head in _NAME_HEAD.findall(_STRING.sub("", _KEYWORD.sub("", text))):
            if head in local or not (head in outer or head in _BUILTINS or _CONSTANT.match(head)):
                return False
    return not any(
        c.function == fn.qualname and len(c.chain) > 1 and c.chain[0] == variable
        and MUTATING_METHOD.fullmatch(c.chain[-1]) and c.chain[-1] not in IDEMPOTENT_METHODS
        for c in module.calls
    )


def _binding(module: ModuleFacts, call: Call) -> Binding | None:
    line = call.span.line
    candidates = [
        b for b in module.bindings
        if b.kind == "call" and b.value == call.callee and line - _STATEMENT_LINES <= b.line <= line
    ]
    return max(candidates, key=lambda b: b.line, default=None)


def _per_request_functions(project: Project) -> set[str]:
    """Function nodes that run on every request: reached from a route handler through calls, or handed to a
    worker thread by one (`await asyncio.to_thread(run_model, ...)`), not entering functions whose result is
    cached (their body runs once per argument set)."""
    graph = project.graph
    functions: dict[str, tuple[str, Function]] = {
        graph.function_node(path, fn.qualname): (path, fn)
        for path, module in project.modules.items()
        for fn in module.functions
    }
    start = [
        r.handler_node for r in graph.routes
        if r.handler_node in graph.graph and not is_cached(functions.get(r.handler_node, ("", None))[1])
    ]
    seen = set(start)
    queue = deque(start)
    hand_offs: dict[str, dict[str | None, list[str]]] = {}
    while queue:
        node = queue.popleft()
        called = [target for _, target, kind in graph.graph.out_edges(node, keys=True) if kind in ("calls", "contains")]
        for target in (*called, *_handed_to_threads(project, functions.get(node), hand_offs)):
            if target not in seen and not is_cached(functions.get(target, ("", None))[1]):
                seen.add(target)
                queue.append(target)
    return seen


# calls that run the function passed as their argument (at this index) on a worker thread, right away
_RUNS_ARGUMENT = {"to_thread": 0, "run_in_threadpool": 0, "run_sync": 0, "run_in_executor": 1}


def _handed_to_threads(project: Project, located: tuple[str, Function] | None, memo: dict) -> list[str]:
    """Nodes of the module-level functions of the same module that ``located`` passes by name to
    `asyncio.to_thread`, `run_in_threadpool`, `anyio.to_thread.run_sync` or `loop.run_in_executor`."""
    if located is None:
        return []
    path, fn = located
    if path not in memo:
        module = project.modules[path]
        top_level = {f.name for f in module.functions if f.parent is None and f.kind != "class"}
        by_caller: dict[str | None, list[str]] = {}
        for call in module.calls:
            index = _RUNS_ARGUMENT.get(call.chain[-1] if call.chain else "")
            if index is not None and len(call.args) > index and call.args[index] in top_level:
                node = project.graph.function_node(path, call.args[index])
                by_caller.setdefault(call.function, []).append(node)
        memo[path] = by_caller
    return memo[path].get(fn.qualname, [])
