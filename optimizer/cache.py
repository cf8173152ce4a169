"""Per-file facts cached by content hash and tool version, in one SQLite file outside the analysed tree.

The cache lives in the user's cache directory (``$PERFREWRITE_CACHE_DIR``, else ``$XDG_CACHE_HOME`` or
``~/.cache``) so that ``--dry-run`` writes nothing inside the repository.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sqlite3
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from analyzers.facts import ModuleFacts


def content_key(source: bytes, language: str) -> str:
    return hashlib.blake2b(source, digest_size=16, person=language.encode()[:16]).hexdigest()


@cache
def tool_fingerprint() -> str:
    """Changes whenever the code that produces facts or findings changes, so nothing stale is reused."""
    import analyzers
    import optimizer

    digest = hashlib.blake2b(digest_size=8)
    # token kinds come from the grammars' node tables and the interpreter's ast classes
    grammars = _versions("tree-sitter", "tree-sitter-javascript", "tree-sitter-typescript")
    digest.update(repr((sys.version_info[:2], grammars)).encode())
    for package in (Path(analyzers.__file__).parent, Path(optimizer.__file__).parent):
        for path in sorted(package.rglob("*.py")):
            digest.update(path.relative_to(package.parent).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _versions(*distributions: str) -> tuple[str, ...]:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in distributions:
        try:
            found.append(version(name))
        except PackageNotFoundError:
            found.append("?")
    return tuple(found)


def result_key(parts: Iterable[object]) -> str:
    """Key of a whole run: the tool, and everything the run reads (file contents, flags, configuration)."""
    digest = hashlib.blake2b(tool_fingerprint().encode(), digest_size=20)
    for part in parts:
        digest.update(repr(part).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def default_cache_dir() -> Path:
    explicit = os.environ.get("PERFREWRITE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "perfrewrite"


_KEPT_RESULTS = 16
# where each module's facts are kept: the whole facts, and the slim part (``ModuleFacts.slim``) apart, so that a
# run that needs only that part does not load the rest
_FACTS_TABLES = {False: "facts", True: "slim_facts"}


class FactsCache:
    """Pickled ModuleFacts by content key, and whole-run outcomes by ``result_key``.

    A cache that cannot be opened degrades to no cache.
    """

    def __init__(self, directory: Path | None = None):
        self.directory = directory or default_cache_dir()
        self.error: str | None = None
        self._db: sqlite3.Connection | None = None
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.directory / "facts.sqlite3", timeout=5, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            for table in _FACTS_TABLES.values():
                self._db.execute(f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, tool TEXT, blob BLOB)")
            self._db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, blob BLOB)")
        except (OSError, sqlite3.Error) as exc:
            self.error = f"cache disabled: {exc}"
            self._db = None
        self._tool = tool_fingerprint()

    def get_many(self, keys: list[str], *, slim: bool = False) -> dict[str, ModuleFacts]:
        """The cached facts of these content keys, the whole facts or their ``slim`` part."""
        if self._db is None or not keys:
            return {}
        table = _FACTS_TABLES[slim]
        found: dict[str, ModuleFacts] = {}
        # unpickling makes no reference cycles: a collection while thousands of modules load would only walk
        # the ones loaded so far, again and again
        collecting = gc.isenabled()
        gc.disable()
        try:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT key, blob FROM {table} WHERE tool = ? AND key IN ({marks})", (self._tool, *chunk)
                )
                for key, blob in rows:
                    found[key] = pickle.loads(blob)
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError) as exc:
            self.error = f"cache read failed, re-parsing: {exc}"
            return {}
        finally:
            if collecting:
                gc.enable()
        return found

    def put_many(self, items: list[tuple[str, bytes, bytes]]) -> None:
        """Store already-pickled facts: (content key, whole facts, slim facts)."""
        if self._db is None or not items:
            return
        try:
            self._db.execute("BEGIN")
            for slim, table in _FACTS_TABLES.items():
                self._db.executemany(
                    f"INSERT OR REPLACE INTO {table} (key, tool, blob) VALUES (?, ?, ?)",
                    [(key, self._tool, slim_blob if slim else whole) for key, whole, slim_blob in items],
                )
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            self.error = f"cache write failed: {exc}"

    def get_result(self, key: str) -> Any | None:
        """A whole run's outcome stored under ``result_key``, or None."""
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT blob FROM results WHERE key = ?", (key,)).fetchone()
            return pickle.loads(row[0]) if row else None
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError) as exc:
            self.error = f"cache read failed, re-analysing: {exc}"
            return None

    def put_result(self, key: str, outcome: Any) -> None:
        if self._db is None:
            return
        try:
            self._db.execute("BEGIN")
            self._db.execute("INSERT OR REPLACE INTO results (key, blob) VALUES (?, ?)", (key, pickle.dumps(outcome)))
            # results of older trees are worth little: keep the latest few
            self._db.execute(
                "DELETE FROM results WHERE rowid NOT IN (SELECT rowid FROM results ORDER BY rowid DESC LIMIT ?)",
                (_KEPT_RESULTS,),
            )
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            self.error = f"cache write failed: {exc}"

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
