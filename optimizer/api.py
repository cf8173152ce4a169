"""The library entry point: ``analyze(paths)`` runs discover -> parse -> graph -> detect -> filter -> rank."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from analyzers.detectors import Detector
from analyzers.detectors.base import FileContext
from analyzers.facts import ModuleFacts
from analyzers.schema import Schema
from optimizer.cache import FactsCache, result_key
from optimizer.config import Config, load_config
from optimizer.detect import detect
from optimizer.findings import Finding
from optimizer.impact import rank
from optimizer import schema_stage
from optimizer.parse import Sources, parse_sources, read_sources
from optimizer.schema_stage import SCHEMA_LANGUAGES
from optimizer.js_packages import LocalPackage, load_local_packages
from optimizer.tsconfig import load_tsconfigs
from optimizer.workspace import SourceFile, Workspace, discover, find_root


@dataclass(frozen=True, slots=True)
class AnalysisError:
    path: str
    message: str


@dataclass
class Project:
    """Everything project detectors may read: facts of every module, the code graph and the schema.

    ``modules`` loads on first use: a run answered from the result cache never needs the facts. When every
    selected rule has ``slim_facts``, they hold only ``ModuleFacts.slim``; the graph is then built from the
    whole facts, loaded apart.
    """

    root: Path
    config: Config
    workspace: Workspace
    load_modules: Callable[[bool], dict[str, ModuleFacts]]  # slim -> facts
    load_schema: Callable[[], Schema]
    tsconfigs: dict[str, dict] = field(default_factory=dict)
    packages: dict[str, LocalPackage] = field(default_factory=dict)  # the repo's own JS packages
    # the bytes every file had when the run read it: the text the facts were built from
    sources: dict[str, bytes] = field(default_factory=dict)
    # library -> measured import milliseconds (``--measure-imports``); empty means use the typical figures
    import_ms: dict[str, int] = field(default_factory=dict)

    @cached_property
    def modules(self) -> dict[str, ModuleFacts]:
        return self.load_modules(self.slim_facts)

    @cached_property
    def slim_facts(self) -> bool:
        """Whether every selected rule reads only the slim facts, so that the run loads no more than that (with
        no rule selected, the facts are all there is to ask for: whole)."""
        from optimizer.detect import select_detectors

        detectors = select_detectors(self.config)
        return bool(detectors) and all(cls.slim_facts for cls in detectors)

    @cached_property
    def whole_modules(self) -> dict[str, ModuleFacts]:
        return self.load_modules(False) if self.slim_facts else self.modules

    @cached_property
    def files(self) -> dict[str, SourceFile]:
        return {f.path: f for f in self.workspace.files}

    @cached_property
    def graph(self):
        from optimizer.graph import CodeGraph, ProjectFiles

        paths = set(self.whole_modules)
        files = ProjectFiles(root=self.root, paths=paths, tsconfigs=self.tsconfigs, packages=self.packages)
        components = {path: self.files[path].component for path in paths if path in self.files}
        return CodeGraph.build(self.whole_modules, files, components)

    @cached_property
    def query_sites(self):
        """Function node -> the database calls written in it; shared by the rules that follow calls to queries."""
        from analyzers.detectors._call_chains import query_sites
        from optimizer.graph import CodeGraph

        return query_sites(self.modules, CodeGraph.function_node)

    @cached_property
    def schema(self) -> Schema:
        return self.load_schema()

    @cached_property
    def react_compiler(self) -> bool:
        """The React Compiler memoises components and values itself: memoisation rules stay quiet."""
        from optimizer.react_compiler import react_compiler_enabled

        return react_compiler_enabled(self.root, self.files)

    def source(self, path: str) -> bytes | None:
        """A file's text as the run read it (so it matches the facts); read from disk for files not analysed,
        None when it cannot be read."""
        if path in self.sources:
            return self.sources[path]
        try:
            return (self.root / path).read_bytes()
        except OSError:
            return None

    def component(self, path: str) -> str:
        file = self.files.get(path)
        return file.component if file else "other"

    def context(self, path: str, detector: type[Detector]) -> FileContext:
        file = self.files.get(path)
        return FileContext(
            component=self.component(path),
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
    measure_imports: bool = False,
    python: str | None = None,
) -> Report:
    """Analyse ``paths`` and return the ranked findings. ``progress(done, total)`` is called as files parse."""
    started = time.perf_counter()
    path_list = [Path(paths)] if isinstance(paths, (str, os.PathLike)) else [Path(p) for p in paths]
    base = Path(root).resolve() if root else find_root(path_list)
    if config is None:
        config = load_config(base, Path(config_file) if config_file else None)
    workspace = discover(path_list, config, base)
    cache = FactsCache(Path(cache_dir) if cache_dir else None) if use_cache else None
    sources, read_errors = read_sources(workspace.files)
    js_paths = [p for p, entry in sources.items() if entry[0].language != "python"]
    tsconfigs = load_tsconfigs(workspace.root, js_paths)
    packages = load_local_packages(workspace.root, js_paths)
    key = result_key(_run_inputs(config, sources, tsconfigs, packages))
    # measured import times are not part of the key: a measuring run neither reuses nor stores results
    outcome = cache.get_result(key) if cache and not measure_imports else None
    reused = outcome is not None
    parse_stats = {"parsed": 0, "cached": 0}

    def load_modules(slim_facts: bool) -> dict[str, ModuleFacts]:
        facts_cache = FactsCache(Path(cache_dir) if cache_dir else None) if use_cache else None
        step = _stepper(progress, sum(1 for f, _, _ in sources.values() if f.language not in SCHEMA_LANGUAGES))
        modules, counts = parse_sources(
            sources, cache=facts_cache, jobs=jobs or config.jobs, progress=step, slim=slim_facts
        )
        parse_stats.update(counts)
        if facts_cache:
            facts_cache.close()
        return modules

    def load_schema() -> Schema:
        # the migrations of a large app take a while to apply: the schema is kept, keyed by its files' contents
        files = sorted((path, key) for path, (file, _, key) in sources.items() if file.language in SCHEMA_LANGUAGES)
        schema_key = result_key(("schema", files))
        schema_cache = FactsCache(Path(cache_dir) if cache_dir else None) if use_cache else None
        schema = schema_cache.get_result(schema_key) if schema_cache else None
        if not isinstance(schema, Schema):
            schema = schema_stage.load_schema(workspace, lambda path: sources[path][1] if path in sources else None)
            if schema_cache:
                schema_cache.put_result(schema_key, schema)
        if schema_cache:
            schema_cache.close()
        return schema

    texts = {path: text for path, (_, text, _) in sources.items()}
    project = Project(workspace.root, config, workspace, load_modules, load_schema, tsconfigs, packages, texts)
    if outcome is None:
        if measure_imports:
            project.import_ms = _measured_imports(project, python)
        outcome = detect(project)
        if cache and not measure_imports:
            cache.put_result(key, outcome)
    else:
        parse_stats["cached"] = outcome.files
    if cache:
        cache.close()

    errors = [AnalysisError(p, m) for p, m in [*workspace.errors, *workspace.components.errors, *read_errors]]
    errors += [AnalysisError(p, m) for p, m in outcome.module_errors]
    stats = {
        "files": outcome.files,
        "lines": outcome.lines,
        "parsed": parse_stats["parsed"],
        "cached": parse_stats["cached"],
        "results_reused": reused,
        "skipped": dict(sorted(workspace.skipped.items())),
        "seconds": round(time.perf_counter() - started, 3),
    }
    return Report(
        root=workspace.root,
        findings=rank(outcome.findings),
        errors=sorted(errors, key=lambda e: (e.path, e.message)),
        stats=stats,
        project=project,
        unused_suppressions=outcome.unused_suppressions,
        warnings=[cache.error] if cache and cache.error else [],
    )


def _stepper(progress: Callable[[int, int], None] | None, total: int) -> Callable[[int], None] | None:
    """Turn per-batch counts into the (done, total) calls that ``progress`` expects."""
    if progress is None:
        return None
    done = 0

    def step(count: int) -> None:
        nonlocal done
        done += count
        progress(done, total)

    return step


def _run_inputs(
    config: Config, sources: Sources, tsconfigs: dict[str, dict], packages: dict[str, LocalPackage]
) -> Iterable[object]:
    """Everything a run's outcome depends on besides the tool itself."""
    yield repr(config)
    yield sorted(tsconfigs.items())
    yield sorted(packages.items())
    for path, (file, _, key) in sorted(sources.items()):
        yield path, key, file.component, file.is_test, file.is_seed_or_migration


def _measured_imports(project: Project, python: str | None) -> dict[str, int]:
    """Measure the heavy libraries that the Python modules import (see ``optimizer.import_timing``)."""
    from analyzers.detectors._import_costs import python_import_ms
    from optimizer.import_timing import measure_import_ms

    libraries = set()
    for module in project.modules.values():
        for imp in module.imports if module.language == "python" else ():
            found = python_import_ms(imp.source, tuple(n.imported for n in imp.names)) if imp.level == 0 else None
            if found:
                libraries.add(found[0])
    return measure_import_ms(libraries, python)
