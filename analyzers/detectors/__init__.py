"""The detector registry: every module in this package that defines a ``Detector`` subclass with an id."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from functools import cache

from analyzers.detectors.base import Detector, ProjectDetector


@cache
def all_detectors() -> dict[str, type[Detector]]:
    found: dict[str, type[Detector]] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_") or info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Detector) and cls.id and cls.__module__ == module.__name__:
                if cls.id in found:
                    raise RuntimeError(f"duplicate detector id {cls.id!r}")
                found[cls.id] = cls
    return dict(sorted(found.items()))


__all__ = ["Detector", "ProjectDetector", "all_detectors"]
