"""Hand-built module facts and a graph over them, shared by the code-graph tests."""

from __future__ import annotations

from pathlib import Path

from analyzers.facts import Call, Function, Import, ImportedName, ModuleFacts, Span
from optimizer.graph import CodeGraph, ProjectFiles

SPAN = Span(1, 1, 1, 1)


def fn(qualname: str, kind: str = "function", parent: str | None = None, **extra) -> Function:
    return Function(qualname, qualname.rsplit(".", 1)[-1], kind, SPAN, parent=parent, **extra)


def cls(name: str, *methods: str) -> list[Function]:
    return [fn(name, "class"), *(fn(f"{name}.{m}", "method", parent=name, class_name=name) for m in methods)]


def call(chain: str, function: str | None = None, line: int = 1, is_new: bool = False) -> Call:
    return Call(chain, tuple(chain.split(".")), Span(line, 1, line, 1), function, is_new=is_new)


def esm(source: str, *names: str, type_only: bool = False, function: str | None = None, kind: str = "esm") -> Import:
    """Names are ``imported`` or ``imported:local``."""
    bound = tuple(ImportedName(*(n.split(":") if ":" in n else (n, n))) for n in names)
    return Import(source, bound, kind, SPAN, type_only=type_only, function=function)


def py_import(source: str, *names: str, level: int = 0) -> Import:
    bound = tuple(ImportedName(*(n.split(":") if ":" in n else (n, n))) for n in names)
    return Import(source, bound, "python", SPAN, level=level)


def module(path: str, **parts) -> ModuleFacts:
    language = "python" if path.endswith(".py") else "typescript"
    return ModuleFacts(path, language, **{k: list(v) for k, v in parts.items()})


def build(*modules: ModuleFacts, tsconfigs: dict | None = None, components: dict | None = None) -> CodeGraph:
    files = ProjectFiles(Path("/project"), {m.path for m in modules}, tsconfigs or {})
    return CodeGraph.build({m.path: m for m in modules}, files, components)


F = CodeGraph.function_node
