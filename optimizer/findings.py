"""Findings, fixes and their parts: frozen data that detectors return and reporters print."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum


class Severity(str, Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class Category(str, Enum):
    N_PLUS_ONE = "n_plus_one"
    SEQUENTIAL_AWAIT = "sequential_await"
    CHATTY_CLIENT = "chatty_client"
    MISSING_INDEX = "missing_index"
    UNBOUNDED_QUERY = "unbounded_query"
    OVER_FETCHING = "over_fetching"
    MISSING_MEMOIZATION = "missing_memoization"
    HEAVY_IMPORT = "heavy_import"
    DUPLICATE_CODE = "duplicate_code"
    SYNC_IO = "sync_io"
    MODEL_LOADING = "model_loading"
    COMPLEXITY = "complexity"
    OTHER = "other"


class Applicability(str, Enum):
    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY = "display"


@dataclass(frozen=True, slots=True)
class Location:
    path: str
    line: int
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None


@dataclass(frozen=True, slots=True)
class Related:
    path: str
    line: int
    message: str


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace bytes ``start:end`` of the UTF-8 source with ``text``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Fix:
    description: str
    applicability: Applicability = Applicability.SAFE
    edits: tuple[Edit, ...] = ()
    codemod: str | None = None  # id of a LibCST codemod for Python fixes
    diff: str = ""
    # the file the edits apply to when it is not the finding's own (an index added to the schema of a query)
    path: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    category: Category
    severity: Severity
    location: Location
    message: str
    impact: float = 0.0
    component: str | None = None
    related: tuple[Related, ...] = ()
    fix: Fix | None = None
    # static weight a detector estimates (e.g. queries per request); ranking multiplies it further
    weight: float = 1.0
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def path(self) -> str:
        return self.location.path

    @property
    def line(self) -> int:
        return self.location.line

    def sort_key(self) -> tuple:
        return (self.location.path, self.location.line, self.location.column, self.rule)

    def with_(self, **changes) -> Finding:
        return replace(self, **changes)
