"""The detector registry: every module in this package that defines a ``Detector`` subclass with an id.

Each detector lives in the module named after its id (``duplicate-code`` in ``duplicate_code.py``), so a run
that selects a few rules imports only their modules, not every rule's dependencies.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from functools import cache

from analyzers.detectors.base import Detector, ProjectDetector


@cache
def detector_ids() -> tuple[str, ...]:
    """The id of every detector, from the module names alone."""
    names = (info.name for info in pkgutil.iter_modules(__path__))
    return tuple(sorted(name.replace("_", "-") for name in names if not name.startswith("_") and name != "base"))


@cache
def load_detector(rule_id: str) -> type[Detector]:
    """The detector class with this id; KeyError when there is none."""
    if rule_id not in detector_ids():
        raise KeyError(rule_id)
    module = importlib.import_module(f"{__name__}.{rule_id.replace('-', '_')}")
    found = [
        cls
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, Detector) and cls.id and cls.__module__ == module.__name__
    ]
    if [cls.id for cls in found] != [rule_id]:
        raise RuntimeError(f"{module.__name__} must define exactly one detector, with id {rule_id!r}")
    return found[0]


@cache
def all_detectors() -> dict[str, type[Detector]]:
    return {rule_id: load_detector(rule_id) for rule_id in detector_ids()}


__all__ = ["Detector", "ProjectDetector", "all_detectors", "detector_ids", "load_detector"]
