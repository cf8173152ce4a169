"""The serving rules (blocking-call-in-async, model-load-per-call, missing-inference-mode) and the facts they
read (``Call.context``, ``global`` bindings), on small inline projects."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from analyzers.detectors._ml_serving import import_prefixes, is_cached, qualified_name
from analyzers.facts import Function, ModuleFacts, Span
from analyzers.python import parse as parse_py
from optimizer.api import analyze


def py(source: str) -> ModuleFacts:
    module = parse_py("m.py", textwrap.dedent(source).encode())
    assert module.errors == []
    return module


def reported(root: Path, files: dict[str, str], rule: str) -> list[tuple[str, int]]:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    report = analyze(root, use_cache=False)
    return sorted((f.path, f.line) for f in report.findings if f.rule == rule)


def test_calls_record_the_with_items_around_them_within_their_own_function():
    module = py(
        """
        import torch
        def f(model, x):
            with torch.no_grad(), open("log") as log:
                y = model(x)
                def inner():
                    return model(x)
            return model(y)
        """
    )
    contexts = [(c.function, c.span.line, c.context) for c in module.calls if c.chain == ("model",)]
    assert contexts == [("f", 5, ("torch.no_grad", "open")), ("f.inner", 7, ()), ("f", 8, ())]


def test_an_assignment_after_global_binds_at_module_level():
    module = py(
        """
        _model = None
        def get():
            global _model
            _model = load()
            local = load()
        """
    )
    assert [(b.name, b.scope) for b in module.bindings] == [("_model", None), ("local", "get")]


@pytest.mark.parametrize(
    ("imports", "call", "expected"),
    [
        ("import numpy as np", "np.load(p)", "numpy.load"),
        ("from time import sleep", "sleep(1)", "time.sleep"),
        ("import os.path", "os.path.exists(p)", "os.path.exists"),
        ("import urllib.request as ur", "ur.urlopen(u)", "urllib.request.urlopen"),
        ("from PIL import Image", "Image.open(p)", "PIL.Image.open"),
        ("import requests", "requests.Session().get(u)", None),
        ("", "sleep(1)", None),
    ],
)
def test_qualified_names_follow_the_import_bindings(imports, call, expected):
    module = py(f"{imports}\n{call}\n")
    [site] = [c for c in module.calls if c.span.line == 2 and c.chain[-1] not in ("Session",)]
    assert qualified_name(site, import_prefixes(module, None)) == expected


@pytest.mark.parametrize(
    ("decorator", "cached"),
    [("functools.lru_cache(maxsize=4)", True), ("cache", True), ("lru_cache", True), ("app.get('/x')", False)],
)
def test_cache_decorators_are_recognised(decorator, cached):
    fn = Function("f", "f", "function", Span(1, 1, 1, 1), decorators=(decorator,))
    assert is_cached(fn) is cached


def test_blocking_calls_are_reported_only_in_async_code_that_serves_requests(tmp_path):
    files = {
        "app.py": """
            import time as t
            from fastapi import FastAPI
            from helpers import slow_helper, async_helper
            app = FastAPI()

            @app.get("/a")
            async def a():
                t.sleep(1)
                await async_helper()
                return slow_helper()

            async def background_job():
                t.sleep(5)
            """,
        "helpers.py": """
            import time

            async def async_helper():
                time.sleep(1)

            def slow_helper():
                return _deeper()

            def _deeper():
                time.sleep(1)
            """,
    }
    # `background_job` is on no request path; `async_helper` is an async def that `/a` reaches, so its own
    # sleep is reported there (helpers.py:5) and not again at the `await` that calls it
    assert reported(tmp_path, files, "blocking-call-in-async") == [("app.py", 9), ("app.py", 11), ("helpers.py", 5)]


def test_blocking_chain_depth_is_limited(tmp_path):
    files = {
        "app.py": """
            import time
            from fastapi import FastAPI
            app = FastAPI()

            def d1(): return d2()
            def d2(): return d3()
            def d3(): return d4()
            def d4(): time.sleep(1)

            @app.get("/a")
            async def a():
                return d1()

            @app.get("/b")
            async def b():
                return d2()
            """,
    }
    assert reported(tmp_path, files, "blocking-call-in-async") == [("app.py", 17)]


def test_model_loads_behind_a_cached_function_are_not_per_request(tmp_path):
    files = {
        "app.py": """
            import functools
            import torch
            from fastapi import FastAPI
            app = FastAPI()

            def load(name):
                model = torch.load(name)
                return model

            @functools.lru_cache
            def get(name):
                return load(name)

            @app.get("/cached")
            def cached(name: str):
                return str(get(name))
            """,
    }
    assert reported(tmp_path, files, "model-load-per-call") == []
    direct = '\n@app.get("/direct")\ndef direct(name: str):\n    return str(load(name))\n'
    files["app.py"] = textwrap.dedent(files["app.py"]) + direct
    assert reported(tmp_path, files, "model-load-per-call") == [("app.py", 8)]


def test_model_loads_in_loops_are_reported_only_for_the_same_file(tmp_path):
    files = {
        "jobs.py": """
            import joblib
            from joblib import load

            def varying(paths):
                for path in paths:
                    clf = joblib.load(path)

            def fixed(rows):
                for row in rows:
                    clf = load("model.joblib")
            """,
    }
    assert reported(tmp_path, files, "model-load-per-call") == [("jobs.py", 11)]


def test_forward_passes_need_torch_and_a_request_path(tmp_path):
    files = {
        "app.py": """
            from fastapi import FastAPI
            from tf_model import model
            app = FastAPI()

            @app.get("/a")
            def a():
                return model([1.0])
            """,
        "torch_app.py": """
            import torch
            from fastapi import APIRouter
            router = APIRouter()
            model = torch.jit.load("m.pt")

            @router.get("/b")
            def b():
                return model(torch.ones(1)).item()

            def not_served():
                return model(torch.ones(1)).item()
            """,
    }
    assert reported(tmp_path, files, "missing-inference-mode") == [("torch_app.py", 9)]
