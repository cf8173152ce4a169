"""The serving codemods (cache-model-loader, add-inference-mode): the shapes they decline, the edge cases they
handle, which findings carry their fix, and the fixture pairs run before and after against a stub torch."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import math
import sys
import textwrap
import types
from pathlib import Path

import libcst
import pytest

from optimizer.api import analyze
from rewriters.edits import NoFix
from rewriters.engine import plan
from rewriters.python import add_inference_mode, cache_model_loader

PAIRS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "rewrites"


def _module(source: str) -> libcst.Module:
    return libcst.parse_module(textwrap.dedent(source))


def _line_of(source: str, text: str) -> int:
    return next(i for i, line in enumerate(textwrap.dedent(source).splitlines(), 1) if text in line)


def _cache(source: str, marker: str = "torch.load") -> str:
    return cache_model_loader.transform(_module(source), {_line_of(source, marker)}).code


def _wrap(source: str, marker: str = "model(") -> str:
    return add_inference_mode.transform(_module(source), {_line_of(source, marker)}).code


# -- cache-model-loader


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("model = torch.load(name)\nreturn model(x)", "reads `name`, which the function computes"),
        ("path = PATH + '.pt'\nmodel = torch.load(path)\nreturn model(x)", "reads `path`"),
        ("model = self_loader.load(PATH)\nreturn model(x)", "reads `self_loader`"),
        ("model = torch.load(PATH)\nmodel.train()\nreturn model(x)", r"`model.train\(...\)` changes the model"),
        ("model = torch.load(PATH)\nmodel.fc.reset_parameters()\nreturn model(x)", "changes the model"),
        ("model = torch.load(PATH)\nmodel.threshold = x\nreturn model(x)", "`model.threshold` is assigned"),
        ("model = torch.load(PATH)\nmodel.layers[0] = None\nreturn model(x)", "is assigned"),
        ("model = torch.load(PATH)\nreturn model", "handed out"),
        ("model = torch.load(PATH)\nreturn model, x", "handed out"),
        ("model = torch.load(PATH)\ncache['m'] = model\nreturn x", "handed out"),
        ("model = torch.load(PATH)\nmodel.to(x)\nreturn model(x)", r"`model.to\(...\)` reads `x`"),
        ("model = torch.load(PATH)\nmodel += x\nreturn model(x)", "updated in place"),
        ("with torch.cuda.device(1):\n    model = torch.load(PATH)\nreturn model(x)", "inside `with torch.cuda.device"),
        ("model, extra = torch.load(PATH)\nreturn model(x)", "one plain name"),
        ("def inner():\n    model.eval().train()\nmodel = torch.load(PATH)\nreturn inner()", "changes the model"),
    ],
)
def test_cache_model_loader_declines_unsafe_shapes(body: str, why: str) -> None:
    header = "import torch\nPATH = 'm.pt'\n\n\ndef predict(x, name, self_loader):\n"
    source = header + textwrap.indent(body, "    ") + "\n"
    with pytest.raises(NoFix, match=why):
        _cache(source, ".load(")


def test_cache_model_loader_declines_a_name_assigned_twice_or_a_foreign_functools() -> None:
    use = "\n\ndef f(x):\n    model = torch.load(PATH)\n    return model(x)\n"
    with pytest.raises(NoFix, match="more than once"):
        _cache("import torch\nPATH = 'a.pt'\nPATH = 'b.pt'" + use)
    assert "_load_model()" in _cache("import torch\nimport torch\nPATH = 'a.pt'" + use)  # an import twice is fine
    foreign = "import torch\nfunctools = None\n\ndef f(x):\n    model = torch.load('m.pt')\n    return model(x)\n"
    with pytest.raises(NoFix, match="binds `functools`"):
        _cache(foreign)
    with pytest.raises(NoFix, match="holds no `name = loader"):
        cache_model_loader.transform(_module("import torch\n\ndef f():\n    return torch.load('m.pt')\n"), {4})


def test_cache_model_loader_keeps_idempotent_uses_and_lambda_arguments() -> None:
    source = """\
        import torch
        DEVICE = "cpu"


        def predict(x):
            model = torch.load("m.pt", map_location=lambda storage, loc: storage)
            model.eval()
            model = model.to(DEVICE)
            return run(model, x)
        """
    code = _cache(source)
    assert "    return torch.load(\"m.pt\", map_location=lambda storage, loc: storage)\n" in code
    assert "    model = _load_model()\n    model.eval()\n    model = model.to(DEVICE)\n" in code


def test_cache_model_loader_names_apart_and_places_the_loader_before_the_class() -> None:
    source = """\
        import functools
        import joblib


        def _load_model():
            return None


        class Service:
            def score(self, rows):
                model = joblib.load("a.joblib")
                return model.predict(rows)

            def score_other(self, rows):
                model = joblib.load("b.joblib")
                return model.predict(rows)
        """
    module = _module(source)
    code = cache_model_loader.transform(module, {_line_of(source, '"a.joblib"'), _line_of(source, '"b.joblib"')}).code
    assert code.count("import functools") == 1
    loaders = code.index("def _load_model_2():\n    return joblib.load(\"a.joblib\")")
    assert code.index("def _load_model():") < loaders < code.index("def _load_model_3():") < code.index("class Service")
    assert "        model = _load_model_3()\n" in code


def test_cache_model_loader_copies_an_import_made_in_the_function() -> None:
    source = """\
        def predict(rows):
            import joblib as jl

            clf = jl.load("m.joblib")
            return clf.predict(rows)
        """
    code = _cache(source, "jl.load")
    assert "@functools.cache\ndef _load_clf():\n    import joblib as jl\n    return jl.load(\"m.joblib\")\n" in code
    assert "    import joblib as jl\n\n    clf = _load_clf()\n" in code


def _reported(tmp_path: Path, source: str, rule: str) -> list:
    (tmp_path / "app.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return [f for f in analyze([tmp_path], root=tmp_path, use_cache=False).findings if f.rule == rule]


def test_model_load_fix_is_offered_only_for_fixed_arguments_and_no_in_place_change(tmp_path: Path) -> None:
    findings = _reported(
        tmp_path,
        """\
        import joblib
        from fastapi import FastAPI

        app = FastAPI()
        MODEL = "/models/m.joblib"


        @app.post("/a")
        def fixed(rows: list):
            clf = joblib.load(MODEL)
            return clf.predict(rows).tolist()


        @app.post("/b/{name}")
        def by_name(name: str, rows: list):
            clf = joblib.load(f"/models/{name}.joblib")
            return clf.predict(rows).tolist()


        @app.post("/c")
        def refitted(rows: list):
            clf = joblib.load(MODEL)
            clf.fit(rows, rows)
            return clf.predict(rows).tolist()
        """,
        "model-load-per-call",
    )
    fixes = {f.line: f.fix.codemod if f.fix else None for f in findings}
    assert fixes == {10: "cache-model-loader", 16: None, 22: None}


def test_the_serving_codemods_compose_with_lazy_import(tmp_path: Path) -> None:
    """torch imported at module level but used only in functions: lazy-import moves it into the route first,
    then the load and the forward pass are still fixed, each reading the import where it now is."""
    (tmp_path / "app.py").write_text(
        textwrap.dedent(
            """\
            import torch
            from fastapi import FastAPI

            app = FastAPI()


            @app.post("/predict")
            def predict(values: list[float]):
                model = torch.load("model.pt")
                scores = model(torch.tensor(values))
                return {"best": int(scores.argmax())}
            """
        ),
        encoding="utf-8",
    )
    (rewrite,) = plan(analyze([tmp_path], root=tmp_path, use_cache=False), unsafe=True)
    assert rewrite.error is None
    after = rewrite.after.decode()
    assert "@functools.cache\ndef _load_model():\n    import torch\n    return torch.load(\"model.pt\")\n" in after
    wrapped = "    with torch.no_grad():\n        scores = model(torch.tensor(values))\n"
    assert "    model = _load_model()\n" + wrapped in after
    (tmp_path / "app.py").write_bytes(rewrite.after)
    rules = {f.rule for f in analyze([tmp_path], root=tmp_path, use_cache=False).findings}
    assert rules.isdisjoint({"heavy-import-at-module-level", "model-load-per-call", "missing-inference-mode"})


# -- add-inference-mode


@pytest.mark.parametrize(
    ("body", "marker", "why"),
    [
        ("handler = lambda: model(x)\nreturn handler()", "model(", "lambda or generator"),
        ("return list(model(b) for b in x)", "model(", "lambda or generator"),
        ("if x: return model(x)\nreturn None", "model(", "one-line block"),
        ("if x is None:\n    return None\nelif model(x).item():\n    return 1\nreturn 0", "model(x)", "elif"),
        ("return model(await x)", "model(", "awaits or yields"),
    ],
)
def test_add_inference_mode_declines(body: str, marker: str, why: str) -> None:
    source = "import torch\n\n\nasync def predict(model, x):\n" + textwrap.indent(body, "    ") + "\n"
    with pytest.raises(NoFix, match=why):
        _wrap(source, marker)


def test_add_inference_mode_merges_adjacent_statements_and_uses_the_visible_import() -> None:
    source = """\
        import numpy as np


        def predict(model, x):
            import torch as th

            a = model(x)
            b = model(x * 2)
            np.save("a", a)
            return model(b)
        """
    lines = {_line_of(source, "a = model"), _line_of(source, "b = model"), _line_of(source, "return model")}
    code = add_inference_mode.transform(_module(source), lines).code
    assert "    with th.no_grad():\n        a = model(x)\n        b = model(x * 2)\n    np.save" in code
    assert "    with th.no_grad():\n        return model(b)\n" in code
    assert "import torch\n" not in code


def test_add_inference_mode_imports_torch_when_only_a_submodule_is_imported() -> None:
    source = "from torch import nn\n\n\ndef predict(model: nn.Module, x):\n    return model(x)\n"
    code = _wrap(source)
    assert code.startswith("from torch import nn\nimport torch\n")
    assert "    with torch.no_grad():\n        return model(x)\n" in code


def test_add_inference_mode_imports_torch_when_another_function_imports_it_for_itself() -> None:
    loader = "def load():\n    import torch\n    return torch.jit.load('m.pt')\n"
    source = loader + "\n\ndef predict(model, x):\n    return model(x)\n"
    code = _wrap(source)
    assert code.startswith("import torch\n")
    assert "    with torch.no_grad():\n        return model(x)\n" in code


def test_add_inference_mode_declines_when_torch_means_something_else() -> None:
    source = "from torch import nn\n\n\ndef predict(model, x, torch=None):\n    return model(x)\n"
    with pytest.raises(NoFix, match="not imported where"):
        _wrap(source)


# -- the fixture pairs, run before and after with stub libraries


class _Tensor:
    def __init__(self, values) -> None:
        self.values = [float(v) for v in values]

    def sigmoid(self) -> _Tensor:
        return _Tensor(1 / (1 + math.exp(-v)) for v in self.values)

    def softmax(self, dim: int) -> _Tensor:
        total = sum(math.exp(v) for v in self.values)
        return _Tensor(math.exp(v) / total for v in self.values)

    def argmax(self) -> int:
        return self.values.index(max(self.values))

    def max(self) -> float:
        return max(self.values)

    def sum(self) -> float:
        return sum(self.values)

    def tolist(self) -> list[float]:
        return self.values


class _Net:
    """A network that records whether autograd was on for each forward pass."""

    def __init__(self, torch: types.ModuleType) -> None:
        self.torch = torch

    def eval(self) -> _Net:
        return self

    def __call__(self, batch: _Tensor) -> _Tensor:
        self.torch.grad_modes.append(self.torch.grad_enabled)
        return _Tensor(v * 2 - 1 for v in batch.values)

    forward = __call__


def _stub_torch() -> types.ModuleType:
    torch = types.ModuleType("torch")
    torch.loads, torch.grad_modes, torch.grad_enabled = [], [], True

    def load(path, **_options):
        torch.loads.append(path)
        return _Net(torch)

    @contextlib.contextmanager
    def no_grad():
        before, torch.grad_enabled = torch.grad_enabled, False
        try:
            yield
        finally:
            torch.grad_enabled = before

    def tensor(data, device=None):
        return _Tensor(v for row in data for v in row) if isinstance(data[0], list) else _Tensor(data)

    torch.load, torch.no_grad, torch.inference_mode, torch.tensor = load, no_grad, no_grad, tensor
    torch.jit = types.SimpleNamespace(load=load)
    torch.device = lambda name: name
    torch.cuda = types.SimpleNamespace(is_available=lambda: False)
    return torch


def _load_fixture(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[types.ModuleType, types.ModuleType]:
    """The fixture imported as a fresh module, against a fresh stub torch and a FastAPI whose routes are the
    plain functions."""
    torch = _stub_torch()
    fastapi = types.ModuleType("fastapi")
    fastapi.FastAPI = lambda: types.SimpleNamespace(post=lambda route: lambda handler: handler)
    monkeypatch.setitem(sys.modules, "torch", torch)
    monkeypatch.setitem(sys.modules, "fastapi", fastapi)
    spec = importlib.util.spec_from_file_location(f"fixture_{path.stem.replace('.', '_')}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, torch


def test_cached_loader_loads_once_and_answers_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    pixels = [[0.5, -1.0, 2.0], [0.0, 0.25, -0.5], [1.0, 1.0, 1.0]]
    runs = {}
    for name in ("segment_route.py", "segment_route.fixed.py"):
        app, torch = _load_fixture(PAIRS_DIR / "cache-model-loader" / name, monkeypatch)
        answers = [app.segment(p) for p in pixels] + [app.segment_area(p) for p in pixels]
        runs[name] = (answers, len(torch.loads))
    assert runs["segment_route.py"][1] == 6
    assert runs["segment_route.fixed.py"][1] == 1
    assert runs["segment_route.py"][0] == runs["segment_route.fixed.py"][0]


def test_no_grad_wrapper_turns_autograd_off_and_answers_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    values = [[0.5, -1.0, 2.0], [3.0, 0.25, -0.5], [1.0, 1.5, 1.0]]
    runs = {}
    for name in ("classify_route.py", "classify_route.fixed.py"):
        app, torch = _load_fixture(PAIRS_DIR / "add-inference-mode" / name, monkeypatch)
        answers = [app.classify(v) for v in values] + [asyncio.run(app.classify_async(v)) for v in values]
        runs[name] = (answers, torch.grad_modes, torch.grad_enabled)
    assert runs["classify_route.py"][1] == [True] * 6
    assert runs["classify_route.fixed.py"][1:] == ([False] * 6, True)
    assert runs["classify_route.py"][0] == runs["classify_route.fixed.py"][0]
