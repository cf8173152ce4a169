"""The parse stage: read each file once, reuse cached facts, parse the rest in a process pool."""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from dataclasses import replace

from analyzers.facts import ModuleFacts
from analyzers.frontends import CODE_LANGUAGES, parse_source
from optimizer.cache import FactsCache, content_key
from optimizer.workspace import SourceFile

# Below this many files to parse, starting worker processes costs more than it saves.
_POOL_THRESHOLD = 24
_CHUNK = 8

Progress = Callable[[int], None]


def _parse_to_blobs(job: tuple[str, str, bytes]) -> tuple[bytes, bytes]:
    """The pickled facts of one file, whole and slim."""
    path, language, source = job
    return _pickled(parse_source(path, language, source))


def _pickled(facts: ModuleFacts) -> tuple[bytes, bytes]:
    return pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL), pickle.dumps(
        facts.slim(), protocol=pickle.HIGHEST_PROTOCOL
    )


Sources = dict[str, tuple[SourceFile, bytes, str]]  # path -> (file, content, content key)


def read_sources(files: list[SourceFile]) -> tuple[Sources, list[tuple[str, str]]]:
    """Read every discovered file once (schema files too: their content decides cached results)."""
    sources: Sources = {}
    errors: list[tuple[str, str]] = []
    for file in files:
        try:
            source = file.absolute.read_bytes()
        except OSError as exc:
            errors.append((file.path, f"cannot read file: {exc.strerror or exc}"))
            continue
        sources[file.path] = (file, source, content_key(source, file.language))
    return sources, errors


def parse_sources(
    sources: Sources,
    *,
    cache: FactsCache | None,
    jobs: int | None = None,
    progress: Progress | None = None,
    slim: bool = False,
) -> tuple[dict[str, ModuleFacts], dict[str, int]]:
    """Facts per relative path of every code file (only their ``slim`` part when asked), and counters (parsed,
    cached, lines). A file parsed here has both kinds cached."""
    code = {path: entry for path, entry in sources.items() if entry[0].language in CODE_LANGUAGES}
    cached = cache.get_many([key for _, _, key in code.values()], slim=slim) if cache else {}
    modules: dict[str, ModuleFacts] = {}
    todo: list[tuple[str, str, bytes]] = []
    for path, (file, source, key) in code.items():
        hit = cached.get(key)
        if hit is not None:
            modules[path] = hit if hit.path == path else replace(hit, path=path)
        else:
            todo.append((path, file.language, source))
    if progress and len(modules):
        progress(len(modules))

    fresh: list[tuple[str, bytes, bytes]] = []
    for path, facts, blobs in _run(todo, jobs, progress, pickled=cache is not None, slim=slim):
        modules[path] = facts
        if blobs is not None:
            fresh.append((code[path][2], *blobs))
    if cache:
        cache.put_many(fresh)
    stats = {
        "parsed": len(todo),
        "cached": len(code) - len(todo),
        "lines": sum(m.lines for m in modules.values()),
    }
    return dict(sorted(modules.items())), stats


def _run(todo: list[tuple[str, str, bytes]], jobs: int | None, progress: Progress | None, pickled: bool, slim: bool):
    """Yield (path, facts or their slim part, pickled whole and slim facts or None). In-process parsing skips the
    pickle round trip."""
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or len(todo) < _POOL_THRESHOLD:
        for path, language, source in todo:
            facts = parse_source(path, language, source)
            yield path, facts.slim() if slim else facts, _pickled(facts) if pickled else None
            if progress:
                progress(1)
        return
    # imported here: a run that parses a few files (an edit, a re-run) need not load multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Largest files first so that one big file does not finish last on an idle pool.
    ordered = sorted(todo, key=lambda job: len(job[2]), reverse=True)
    with ProcessPoolExecutor(max_workers=workers, mp_context=_fork_context()) as pool:
        for job, blobs in zip(ordered, pool.map(_parse_to_blobs, ordered, chunksize=_CHUNK)):
            yield job[0], pickle.loads(blobs[1] if slim else blobs[0]), blobs
            if progress:
                progress(1)


def _fork_context():
    # fork shares the already-imported parsers with the workers; spawn would re-import them per worker
    from multiprocessing import get_all_start_methods, get_context

    return get_context("fork") if "fork" in get_all_start_methods() else None
