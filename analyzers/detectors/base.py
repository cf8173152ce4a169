"""The detector interfaces: file detectors read one module's facts, project detectors read the whole project."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from analyzers.facts import ModuleFacts, Span
from optimizer.findings import Category, Finding, Location, Related, Severity

if TYPE_CHECKING:
    from optimizer.api import Project


@dataclass(frozen=True)
class FileContext:
    """What a file detector knows besides the facts: the file's component and the rule's options."""

    component: str = "other"
    options: Mapping[str, Any] = field(default_factory=dict)
    is_test: bool = False
    is_seed_or_migration: bool = False


class Detector:
    """A rule that reads one module's facts. The class docstring is the rule's documentation."""

    id: ClassVar[str] = ""
    category: ClassVar[Category] = Category.OTHER
    languages: ClassVar[tuple[str, ...]] = ()
    severity: ClassVar[Severity] = Severity.WARNING
    # option name -> default; config [tool.perfrewrite.rules.<id>] may override these and nothing else
    options: ClassVar[dict[str, Any]] = {}
    # reads only what ``ModuleFacts.slim`` keeps: a run of such rules alone loads the slim facts
    slim_facts: ClassVar[bool] = False

    def check(self, module: ModuleFacts, ctx: FileContext) -> Iterable[Finding]:
        raise NotImplementedError

    def finding(
        self,
        module: ModuleFacts,
        span: Span,
        message: str,
        *,
        ctx: FileContext | None = None,
        related: tuple[Related, ...] = (),
        weight: float = 1.0,
        severity: Severity | None = None,
        **extra: Any,
    ) -> Finding:
        return Finding(
            rule=self.id,
            category=self.category,
            severity=severity or self.severity,
            location=Location(module.path, span.line, span.column, span.end_line, span.end_column),
            message=message,
            component=ctx.component if ctx else None,
            related=related,
            weight=weight,
            extra=extra,
        )


class ProjectDetector(Detector):
    """A rule that needs the whole project: the code graph, the schema, or all modules at once."""

    def check(self, module: ModuleFacts, ctx: FileContext) -> Iterable[Finding]:
        return ()

    def checked_modules(self, project: Project) -> Iterator[tuple[ModuleFacts, FileContext]]:
        """The modules this rule reports in: its languages, without test and seed files unless the rule's
        ``include-tests`` / ``include-seeds`` options ask for them."""
        for path, module in project.modules.items():
            if self.languages and module.language not in self.languages:
                continue
            ctx = project.context(path, type(self))
            if ctx.is_test and not ctx.options.get("include-tests", False):
                continue
            if ctx.is_seed_or_migration and not ctx.options.get("include-seeds", False):
                continue
            yield module, ctx

    def check_project(self, project: Project) -> Iterable[Finding]:
        raise NotImplementedError
