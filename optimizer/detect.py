"""The detect and filter stages: run the selected detectors, then drop per-file ignores and suppressions."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from analyzers.detectors import Detector, ProjectDetector, all_detectors, detector_ids, load_detector
from analyzers.facts import ModuleFacts
from optimizer.config import Config
from optimizer.findings import Finding
from optimizer.path_patterns import PathPatterns
from optimizer.suppress import apply_suppressions

if TYPE_CHECKING:
    from optimizer.api import Project


@dataclass
class Outcome:
    """What a run found; cached whole, keyed by everything the run read."""

    findings: list[Finding]
    unused_suppressions: list[tuple[str, int, str]] = field(default_factory=list)
    module_errors: list[tuple[str, str]] = field(default_factory=list)
    files: int = 0
    lines: int = 0


def select_detectors(config: Config) -> list[type[Detector]]:
    # rules selected by id need only their own modules; a category or ``all`` needs every rule's
    by_id = config.select and set(config.select) <= set(detector_ids())
    detectors = [load_detector(rule) for rule in sorted(set(config.select))] if by_id else all_detectors().values()

    def named(cls: type[Detector], selectors: Iterable[str]) -> bool:
        return any(s in ("all", cls.id, cls.category.value) for s in selectors)

    chosen = [cls for cls in detectors if not config.select or named(cls, config.select)]
    return [cls for cls in chosen if not named(cls, config.ignore)]


def detect(project: Project) -> Outcome:
    modules = _load_frozen(project)
    try:
        detectors = select_detectors(project.config)
        findings = _drop_per_file_ignores(run_detectors(project, detectors), project.config)
    finally:
        gc.unfreeze()
    findings, unused = apply_suppressions(findings, {p: m.suppressions for p, m in modules.items() if m.suppressions})
    # A suppression for a rule that did not run is not known to be unused; one for no rule at all is.
    ran, known = {cls.id for cls in detectors}, set(detector_ids())
    errors = [(path, message) for path, module in modules.items() for message in module.errors]
    if "schema" in project.__dict__:  # read only when a detector asked for it
        errors += project.schema.errors
    return Outcome(
        findings=findings,
        unused_suppressions=[u for u in unused if u[2] in ran or u[2] not in known],
        module_errors=errors,
        files=len(modules),
        lines=sum(m.lines for m in modules.values()),
    )


def _load_frozen(project: Project) -> dict[str, ModuleFacts]:
    """The facts, loaded with collection off and then frozen until the detectors are done. They live as long as
    the run and make no reference cycles: left out, no collection walks them, where each would otherwise walk
    millions of objects, again as they age through the generations. What the detectors make is collected as
    usual."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        modules = project.modules
        gc.freeze()
    finally:
        if collecting:
            gc.enable()
    return modules


def run_detectors(project: Project, detectors: list[type[Detector]]) -> list[Finding]:
    findings: list[Finding] = []
    file_detectors = [cls() for cls in detectors if not issubclass(cls, ProjectDetector)]
    for path, module in project.modules.items():
        for detector in file_detectors:
            if detector.languages and module.language not in detector.languages:
                continue
            findings.extend(detector.check(module, project.context(path, type(detector))))
    for cls in detectors:
        if issubclass(cls, ProjectDetector):
            findings.extend(cls().check_project(project))
    return findings


def _drop_per_file_ignores(findings: list[Finding], config: Config) -> list[Finding]:
    if not config.per_file_ignores:
        return findings
    specs = [(PathPatterns([glob]), set(rules)) for glob, rules in config.per_file_ignores.items()]

    def ignored(finding: Finding) -> bool:
        return any(
            spec.match_file(finding.path) and (rules & {"all", finding.rule, finding.category.value})
            for spec, rules in specs
        )

    return [f for f in findings if not ignored(f)]
