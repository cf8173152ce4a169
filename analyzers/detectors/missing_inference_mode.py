"""PyTorch forward passes that serve requests with autograd still on."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from analyzers.detectors.base import ProjectDetector
from analyzers.facts import Call, Function, ModuleFacts
from optimizer.findings import Applicability, Category, Finding, Fix, Severity

if TYPE_CHECKING:
    from optimizer.api import Project
    from optimizer.graph import CodeGraph

# a receiver named like a network: model, self.model, unet, resnet, segmentation_net, encoder_model
_MODEL_NAME = re.compile(r"(?i)(?:^|_)(?:model|\w*net)$")
# `get_model(...)`, `load_net(...)`: a function that returns a model, not a forward pass
_FACTORY = re.compile(r"^(?:get|load|build|create|make|init|train|fit)_")
# context managers and decorators that switch autograd off
_NO_GRAD = re.compile(r"(?:^|\.)(?:no_grad|inference_mode)\b")
_WRAP_IN_NO_GRAD = Fix(
    "Run the forward pass under `with torch.no_grad():`", Applicability.UNSAFE, codemod="add-inference-mode"
)


class MissingInferenceMode(ProjectDetector):
    """## What it does
    Finds PyTorch forward passes on the request path (a route handler or a function it reaches) that run
    with autograd on: `model(x)`, `self.model(x)` or `model.forward(x)`, where the receiver is named
    like a network (`model`, `net`, `unet`, `resnet`, `*_model`) in a module that imports `torch`, and
    the call is neither inside `with torch.no_grad():` / `with torch.inference_mode():` nor in a
    function decorated with `@torch.no_grad()` / `@torch.inference_mode()`, nor in a function whose
    every call site is inside such a block.

    ## Why is this slow?
    With autograd on, every operation of the forward pass records the graph needed for a backward pass
    that never comes: activations are kept alive until the output is freed, so inference needs several
    times the memory and runs slower (often 10-30 %), and fewer requests fit on the GPU at once.

    ## Example
    ```python
    @router.post("/predict")
    def predict(req: Request):
        return model(to_tensor(req.image)).argmax().item()
    ```

    ## Use instead
    ```python
    @router.post("/predict")
    def predict(req: Request):
        with torch.no_grad():
            return model(to_tensor(req.image)).argmax().item()
    ```
    `torch.inference_mode()` saves a little more where the output never meets autograd again, and a
    sync function can take either as a decorator (`@torch.no_grad()` below the route decorator).

    ## Known limits
    Models are recognised by the receiver's name, not by type; a network named otherwise (`clf(x)`) is
    missed, and calls to project functions or to names like `get_model`/`load_net` are not taken for
    forward passes. Grad mode set further up the call chain than the direct callers is not seen, and
    `torch.set_grad_enabled(False)` is not recognised.

    ## Fix safety
    Unsafe fix (codemod `add-inference-mode`, applied with `--unsafe-fixes`): each statement holding a
    forward pass is wrapped in `with torch.no_grad():` (adjacent ones share one block), with the module's
    name for torch (`import torch as th` gives `th.no_grad()`). Only those statements are wrapped: a
    decorator would also cover code that may need gradients, and on an `async def` it switches autograd
    off while the coroutine is created, not while it runs. `no_grad` rather than `inference_mode`: the
    output may leave the function, and an inference tensor raises when it is later changed in place or
    saved for backward. It is unsafe because code that needs gradients of the output (saliency maps,
    adversarial examples) stops getting them. `model.eval()` is not added: it changes what dropout and
    batch-norm compute, a separate decision. A forward pass in a lambda or generator expression, a
    one-line block, an `elif` test, or a statement that awaits or yields is left alone.
    """

    id = "missing-inference-mode"
    category = Category.MODEL_LOADING
    languages = ("python",)
    severity = Severity.INFO
    options = {"include-tests": False}

    def check_project(self, project: Project) -> Iterable[Finding]:
        graph = project.graph
        on_path = graph.request_path_functions()
        for module, ctx in self.checked_modules(project):
            if not any(imp.source == "torch" or imp.source.startswith("torch.") for imp in module.imports):
                continue
            defined = {fn.name for fn in module.functions}
            for call in module.calls:
                fn = module.function(call.function)
                receiver = _forward_receiver(call)
                # a call that resolves to a project function or class is no forward pass of a model instance
                if fn is None or receiver is None or receiver in defined or graph.resolve_call(module.path, call):
                    continue
                node = graph.function_node(module.path, fn.qualname)
                if node not in on_path or _no_grad(call, fn, module) or _callers_no_grad(project, graph, node):
                    continue
                message = (
                    f"`{call.callee}(...)` runs a forward pass on the request path (in `{fn.qualname}`) with autograd "
                    "on, recording a graph no one reads; wrap it in `with torch.inference_mode():` or decorate the "
                    "function with `@torch.inference_mode()`."
                )
                yield self.finding(module, call.span, message, ctx=ctx).with_(fix=_WRAP_IN_NO_GRAD)


def _forward_receiver(call: Call) -> str | None:
    """The model name for `model(x)`, `self.model(x)`, `model.forward(x)`; None for any other call."""
    chain = call.chain[:-1] if call.chain[-1:] == ("forward",) else call.chain
    if chain[:1] == ("self",):
        chain = chain[1:]
    if len(chain) != 1 or not call.args or call.is_new:
        return None
    name = chain[0]
    # `Net(...)`, `UNet(...)`: a class being built, not a forward pass
    return name if _MODEL_NAME.search(name) and not name[:1].isupper() and not _FACTORY.match(name) else None


def _no_grad(call: Call, fn: Function, module: ModuleFacts) -> bool:
    if any(_NO_GRAD.search(item) for item in call.context):
        return True
    scope: Function | None = fn
    while scope is not None:  # a decorated outer function covers the closures it runs
        if any(_NO_GRAD.search(d) for d in scope.decorators):
            return True
        scope = module.function(scope.parent)
    return False


def _callers_no_grad(project: Project, graph: CodeGraph, node: str) -> bool:
    """True when the function is called, and every direct call to it runs inside a no-grad block."""
    sites = []
    for caller in graph.callers(node):
        attrs = graph.graph.nodes[caller]
        module = project.modules.get(attrs["path"])
        if module is None:
            return False
        qualname = attrs.get("qualname")
        sites.extend(
            call for call in module.calls
            if call.function == qualname and graph.resolve_call(module.path, call) == node
        )
    return bool(sites) and all(any(_NO_GRAD.search(item) for item in call.context) for call in sites)
