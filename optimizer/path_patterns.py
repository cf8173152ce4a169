"""Gitignore-style path patterns (pathspec), answered at once for the many paths that no pattern names."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pathspec
from pathspec.util import normalize_file

_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


class PathPatterns:
    """``match_file`` as ``pathspec.GitIgnoreSpec`` answers it. One regex of all the including patterns
    goes first: a path none of them matches is not matched, whatever the negations say, and most paths of
    a tree are like that; pathspec itself, pattern by pattern, decides the rest."""

    def __init__(self, lines: Iterable[str]):
        self.spec = pathspec.GitIgnoreSpec.from_lines(list(lines))
        including = [p.regex.pattern for p in self.spec.patterns if p.include and p.regex is not None]
        # the group pathspec names in each pattern (``ps_d``) may occur once per regex: unnamed here
        joined = "|".join(f"(?:{_NAMED_GROUP.sub('(?:', pattern)})" for pattern in including)
        self._any = re.compile(joined) if including else None

    def match_file(self, path: str) -> bool:
        if self._any is None or self._any.search(normalize_file(path)) is None:
            return False
        return self.spec.match_file(path)
