"""Model loading per request or per loop turn: weights read from disk again and again instead of once."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING

from analyzers.detectors._ml_serving import import_prefixes, is_cached, qualified_name
from analyzers.detectors.base import ProjectDetector
from analyzers.facts import Binding, Call, Function, ModuleFacts
from optimizer.findings import Category, Finding, Severity

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


class ModelLoadPerCall(ProjectDetector):
    """## What it does
    Finds model loading (`torch.load`, `torch.jit.load`, `*.from_pretrained`, `joblib.load`, `pickle.load`,
    `onnxruntime.InferenceSession`, `cv2.dnn.readNet*`, `tf.keras.models.load_model`, ultralytics `YOLO(...)`)
    whose result lands in a local variable of a function that runs on every request (a route handler or
    a function it reaches without passing through a cached function), or inside a loop with the same
    file on every turn.

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
    (`self.model`), or `app.state.model` set in the FastAPI lifespan / startup handler.

    ## Known limits
    Only results bound to a local name are reported: a result returned directly or stored in a dict or
    attribute is taken to be cached. The request path comes from the code graph, so a loader reached
    through a call the graph cannot resolve is not reported.

    ## Fix safety
    No automatic fix: where to keep the model (cache, singleton, app state) is a design choice.
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
                if loader is None or fn is None or is_cached(fn) or not _bound_to_local(module, call, fn):
                    continue
                node = project.graph.function_node(module.path, fn.qualname)
                if node in per_request:
                    message = (
                        f"`{call.callee}` loads a model on every request (in `{fn.qualname}`, reached from a route "
                        "handler); load it once with `functools.lru_cache`, a module-level singleton or "
                        "`app.state` set at startup."
                    )
                    yield self.finding(module, call.span, message, ctx=ctx, weight=4.0, loader=loader)
                elif call.loops and call.args and _FIXED_ARGUMENT.match(call.args[0]):
                    message = (
                        f"`{call.callee}({call.args[0]})` loads the same model on every turn of the loop; load it "
                        "once before the loop."
                    )
                    yield self.finding(module, call.span, message, ctx=ctx, weight=2.0, loader=loader)


def _loader(module: ModuleFacts, call: Call) -> str | None:
    if call.name == "from_pretrained":
        return "from_pretrained"
    name = qualified_name(call, import_prefixes(module, call.function))
    if name is not None and (name in _LOADERS or name.startswith(_LOADER_PREFIXES)):
        return name
    return None


def _bound_to_local(module: ModuleFacts, call: Call, fn: Function) -> bool:
    """True when the loaded model goes into a local variable of ``fn``, and so is gone after the call:
    not a module-level singleton (``global _model``), not ``self.model``."""
    binding = _binding(module, call)
    return binding is not None and binding.scope == fn.qualname and not binding.name.startswith("self.")


def _binding(module: ModuleFacts, call: Call) -> Binding | None:
    line = call.span.line
    candidates = [
        b for b in module.bindings
        if b.kind == "call" and b.value == call.callee and line - _STATEMENT_LINES <= b.line <= line
    ]
    return max(candidates, key=lambda b: b.line, default=None)


def _per_request_functions(project: Project) -> set[str]:
    """Function nodes that run on every request: reached from a route handler through calls, not entering
    functions whose result is cached (their body runs once per argument set)."""
    graph = project.graph
    functions: dict[str, Function] = {
        graph.function_node(path, fn.qualname): fn
        for path, module in project.modules.items()
        for fn in module.functions
    }
    start = [
        r.handler_node for r in graph.routes
        if r.handler_node in graph.graph and not is_cached(functions.get(r.handler_node))
    ]
    seen = set(start)
    queue = deque(start)
    while queue:
        node = queue.popleft()
        for _, target, kind in graph.graph.out_edges(node, keys=True):
            if kind in ("calls", "contains") and target not in seen and not is_cached(functions.get(target)):
                seen.add(target)
                queue.append(target)
    return seen
