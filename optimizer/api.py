"""The library entry point: ``analyze(paths)`` runs discover -> parse -> graph -> detect -> filter -> rank."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pathspec

from analyzers.detectors import Detector, ProjectDetector, all_detectors
from analyzers.detectors.base import FileContext
from analyzers.facts import ModuleFacts
from analyzers.schema import Schema
from optimizer.cache import FactsCache
from optimizer.config import Config, load_config
from optimizer.findings import Finding
from optimizer.impact import rank
from optimizer.parse import parse_files
from optimizer.suppress import apply_suppressions
from optimizer.workspace import SourceFile, Workspace, discover, find_root


@dataclass(frozen=True, slots=True)
class AnalysisError:
    path: str
    message: str


@dataclass
class Project:
    """Everything project detectors may read: facts of every module, the code graph and the schema."""

    root: Path
    config: Config
    workspace: Workspace
    modules: dict[str, ModuleFacts]

    @cached_property
    def files(self) -> dict[str, SourceFile]:
        return {f.path: f for f in self.workspace.files}

    @cached_property
    def graph(self):
        from optimizer.graph import CodeGraph, ProjectFiles, load_tsconfigs

        paths = set(self.modules)
        files = ProjectFiles(root=self.root, paths=paths, tsconfigs=load_tsconfigs(self.root, paths))
        components = {path: self.files[path].component for path in paths if path in self.files}
        return CodeGraph.build(self.modules, files, components)

    @cached_property
    def schema(self) -> Schema:
        from optimizer.schema_stage import load_schema

        return load_schema(self.workspace)

    def context(self, path: str, detector: type[Detector]) -> FileContext:
        file = self.files.get(path)
        return FileContext(
            component=file.component if file else "other",
            options=self.config.rule_options(detector.id, detector.options),
            is_test=bool(file and file.is_test),
            is_seed_or_migration=bool(file and file.is_seed_or_migration),
        )


@dataclass
class Report:
    root: Path
    findings: list[Finding]
    errors: list[AnalysisError]
    stats: dict
    project: Project | None = None
    unused_suppressions: list[tuple[str, int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def select_detectors(config: Config) -> list[type[Detector]]:
    detectors = all_detectors().values()

    def named(cls: type[Detector], selectors: Iterable[str]) -> bool:
        return any(s in ("all", cls.id, cls.category.value) for s in selectors)

    chosen = [cls for cls in detectors if not config.select or named(cls, config.select)]
    return [cls for cls in chosen if not named(cls, config.ignore)]


def analyze(
    paths: str | os.PathLike | Iterable[str | os.PathLike] = ".",
    *,
    config: Config | None = None,
    config_file: str | os.PathLike | None = None,
    root: str | os.PathLike | None = None,
    jobs: int | None = None,
    use_cache: bool = True,
    cache_dir: str | os.PathLike | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Analyse ``paths`` and return the ranked findings. ``progress(done, total)`` is called as files parse."""
    started = time.perf_counter()
    path_list = [Path(paths)] if isinstance(paths, (str, os.PathLike)) else [Path(p) for p in paths]
    base = Path(root).resolve() if root else find_root(path_list)
    if config is None:
        config = load_config(base, Path(config_file) if config_file else None)
    workspace = discover(path_list, config, base)
    cache = FactsCache(Path(cache_dir) if cache_dir else None) if use_cache else None
    total = sum(1 for f in workspace.files if f.language not in ("prisma", "sql"))
    done = 0

    def step(count: int) -> None:
        nonlocal done
        done += count
        if progress:
            progress(done, total)

    modules, read_errors, counts = parse_files(workspace.files, cache=cache, jobs=jobs or config.jobs, progress=step)
    if cache:
        cache.close()
    project = Project(root=workspace.root, config=config, workspace=workspace, modules=modules)
    detectors = select_detectors(config)
    findings = run_detectors(project, detectors)
    findings = _drop_per_file_ignores(findings, config)
    findings, unused = apply_suppressions(findings, {p: m.suppressions for p, m in modules.items() if m.suppressions})
    # A suppression for a rule that did not run is not known to be unused; one for no rule at all is.
    ran, known = {cls.id for cls in detectors}, set(all_detectors())
    unused = [u for u in unused if u[2] in ran or u[2] not in known]

    errors = [AnalysisError(p, m) for p, m in [*workspace.errors, *workspace.components.errors, *read_errors]]
    errors += [AnalysisError(path, message) for path, module in modules.items() for message in module.errors]
    if "schema" in project.__dict__:
        errors += [AnalysisError(p, m) for p, m in project.schema.errors]
    stats = {
        "files": len(modules),
        "lines": counts["lines"],
        "parsed": counts["parsed"],
        "cached": counts["cached"],
        "skipped": dict(sorted(workspace.skipped.items())),
        "seconds": round(time.perf_counter() - started, 3),
    }
    return Report(
        root=workspace.root,
        findings=rank(findings),
        errors=sorted(errors, key=lambda e: (e.path, e.message)),
        stats=stats,
        project=project,
        unused_suppressions=unused,
        warnings=[cache.error] if cache and cache.error else [],
    )


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
    specs = [(pathspec.GitIgnoreSpec.from_lines([glob]), set(rules)) for glob, rules in config.per_file_ignores.items()]

    def ignored(finding: Finding) -> bool:
        return any(
            spec.match_file(finding.path) and (rules & {"all", finding.rule, finding.category.value})
            for spec, rules in specs
        )

    return [f for f in findings if not ignored(f)]
