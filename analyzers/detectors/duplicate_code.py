"""Duplicated code: the same logic copied to several places, reported once per group of copies."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from analyzers.detectors._clones import Cluster, Limits, Stream, find_clones
from analyzers.detectors._duplicates import (
    Family,
    Outline,
    advice,
    clone_kind,
    family,
    outline,
    shape,
    suppressed_regions,
)
from analyzers.detectors.base import ProjectDetector
from analyzers.facts import ModuleFacts
from analyzers.tokens import SHORTEST_CLONE
from optimizer.findings import Category, Finding, Location, Related, Severity
from optimizer.path_patterns import PathPatterns

if TYPE_CHECKING:
    from optimizer.api import Project

_KIND_WORDS = {
    "exact": "identical",
    "renamed": "identical but for names and literals",
    "near-miss": "nearly identical: a few lines differ",
}
# a gap between two matching parts of a near-miss copy is at most this many tokens in each copy
_MAX_GAP_TOKENS = 40
_GENERATED = (
    "**/*.d.ts", "**/__generated__/**", "**/generated/**", "**/*.generated.*", "**/*.gen.*", "**/*_pb2.py",
    "**/*.pb.*", "**/migrations/**", "**/alembic/versions/**",
)  # fmt: skip


class DuplicateCode(ProjectDetector):
    """## What it does
    Finds code copied to several places: exact copies (Type-1), copies with renamed identifiers or changed
    literals (Type-2), and near-miss copies where a few statements were inserted, removed or changed
    (Type-3), within a file and across files. All copies of the same code are one finding, at the first
    copy, with the other copies listed as related locations, the number of duplicated lines, and the
    refactoring that fits what the copies are (a component, a custom hook, a base class, a shared function).

    ## Why is this slow?
    Every copy is shipped and parsed again: duplicated frontend code grows the bundle each user downloads
    and the browser compiles. A copy is also where fixes go missing: the N+1 query, the missing `await` or
    the unbounded `findMany` fixed in one place stays slow in the others, and a profiler shows only the
    copy that was hot on the day.

    ## Example
    ```ts
    // pages/TeamPage.tsx
    const [team, setTeam] = useState<Team | null>(null);
    useEffect(() => {
      fetch(`/api/teams/${id}`).then((r) => r.json()).then(setTeam);
    }, [id]);
    // pages/UserPage.tsx: the same lines with `user`, `setUser`, `/api/users/`
    ```

    ## Use instead
    ```ts
    // hooks/useResource.ts
    export function useResource<T>(url: string): T | null {
      const [data, setData] = useState<T | null>(null);
      useEffect(() => {
        fetch(url).then((r) => r.json()).then(setData);
      }, [url]);
      return data;
    }
    ```

    ## Not reported
    Imports, TypeScript type-only declarations (interfaces, type aliases, enums, `declare`), Python bare
    annotations and `if TYPE_CHECKING:` blocks, docstrings and comments; data tables (translation
    dictionaries, config, route and column tables: object, array or dict literals of 20 tokens or more with
    three entries or more, made only of keys, values, nesting, JSX elements and calls like `t('Label')`, and
    holding a string or number per entry), which count as two tokens wherever they occur, while a query's
    `{ where: { id }, select: { name: true } }` stays code; copies below `min-tokens` normalised tokens or
    `min-lines` lines; test files unless `include-tests` is set; generated files and the paths in
    `ignore-paths` (by default `*.d.ts`, `generated/`, `__generated__/`, `*.generated.*`, `*.gen.*`, protobuf
    output and migrations). Files that `per-file-ignores` exempts from this rule take no part in any clone.
    A `perfrewrite: ignore[duplicate-code]` comment alone on the line before a function, class or block takes
    the whole of it out of the comparison, so it neither reports nor counts as a copy of anything else.

    ## Known limits
    Copies are compared within one language family (JavaScript, TypeScript and TSX together; Python
    alone). Python is compared by syntax nodes, JavaScript and TypeScript by tokens (semicolons aside), so
    the same `min-tokens` means somewhat more Python code. Matches are seeded where a window of 12 tokens
    starts with an identifier: a copy is sure to be found when it holds about ten identifiers, which copies
    of 50 tokens do in practice; `min-tokens` below 24 acts as 24. Near-miss copies are joined across gaps of
    at most `max-gap-lines` lines and 40 tokens in each copy, and at least three quarters of the longer copy
    must match; a part of a near-miss copy between two gaps is found when it is 12 tokens or longer. Copies
    of the same code are grouped when they overlap by at least half, so a block that recurs inside a larger
    copied function is reported separately only when it has another copy elsewhere. Whether copies are
    "identical" or differ in names is judged from their lines as written, so copies that differ only in
    a comment or in line breaks count as renamed.

    ## Fix safety
    No automatic fix: which copy to keep, where the shared code lives and what its parameters are is a
    design decision.
    """

    id = "duplicate-code"
    category = Category.DUPLICATE_CODE
    languages = ("typescript", "tsx", "javascript", "python")
    severity = Severity.INFO
    slim_facts = True
    options = {
        "min-tokens": 50,
        "min-lines": 5,
        "max-gap-lines": 2,
        "include-tests": False,
        "ignore-paths": _GENERATED,
    }

    def check_project(self, project: Project) -> Iterable[Finding]:
        options = project.config.rule_options(self.id, self.options)
        limits = Limits(
            min_tokens=max(options["min-tokens"], SHORTEST_CLONE),
            min_lines=options["min-lines"],
            max_gap_lines=options["max-gap-lines"],
            max_gap_tokens=_MAX_GAP_TOKENS,
        )
        by_family: dict[str, list[ModuleFacts]] = defaultdict(list)
        for module in self._compared_modules(project, options):
            by_family[family(module.language).name].append(module)
        for modules in by_family.values():
            yield from self._check_family(project, modules, family(modules[0].language), limits)

    def _compared_modules(self, project: Project, options: dict) -> Iterable[ModuleFacts]:
        exempt = {self.id, self.category.value, "all"}
        exempted = [glob for glob, rules in project.config.per_file_ignores.items() if exempt & set(rules)]
        ignored = PathPatterns([*options["ignore-paths"], *exempted])
        for path, module in sorted(project.modules.items()):
            file = project.files.get(path)
            if module.language not in self.languages or not module.tokens.kinds or ignored.match_file(path):
                continue
            if file is not None and file.is_test and not options["include-tests"]:
                continue
            yield module

    def _check_family(
        self, project: Project, modules: list[ModuleFacts], language: Family, limits: Limits
    ) -> Iterable[Finding]:
        regions = [suppressed_regions(module, self.id, language) for module in modules]
        streams = [
            Stream(m.tokens.kinds, m.tokens.lines, m.tokens.hashes, m.tokens.offsets, tuple(r[:2] for r in found))
            for m, found in zip(modules, regions)
        ]
        outlines: dict[int, Outline] = {}
        for cluster in find_clones(streams, language.syntax, limits):
            for copy in cluster.copies:
                if copy.stream not in outlines:
                    outlines[copy.stream] = outline(modules[copy.stream])
            yield self._finding(project, modules, cluster, outlines)
        if any(regions):
            yield from self._used_region_marks(modules, regions)

    def _finding(
        self, project: Project, modules: list[ModuleFacts], cluster: Cluster, outlines: dict[int, Outline]
    ) -> Finding:
        copies = cluster.copies
        first = copies[0]
        module = modules[first.stream]
        kind = clone_kind(cluster, modules)
        paths = [modules[c.stream].path for c in copies]
        components = [project.component(path) for path in paths]
        shapes = [shape(c, outlines[c.stream]) for c in copies]
        advice_text = advice(shapes, paths, components, module.language, kind)
        places = ", ".join(f"{path}:{c.first_line}-{c.last_line}" for path, c in zip(paths[1:], copies[1:]))
        lines = first.lines
        shortest, longest = min(c.lines for c in copies), max(c.lines for c in copies)
        size = f"the same {lines} lines" if shortest == longest else f"{shortest} to {longest} lines"
        message = f"{len(copies)} copies of {size} ({_KIND_WORDS[kind]}), also at {places}; {advice_text}."
        related = tuple(
            Related(path, c.first_line, f"copy {n} of {len(copies)}: lines {c.first_line}-{c.last_line}")
            for n, (path, c) in enumerate(zip(paths[1:], copies[1:]), start=2)
        )
        return Finding(
            rule=self.id,
            category=self.category,
            severity=self.severity,
            location=Location(module.path, first.first_line, 1, first.last_line),
            message=message,
            component=components[0],
            related=related,
            # what removing the copies saves, in units of a 50-line copy
            weight=min(lines * (len(copies) - 1) / 50, 5.0),
            extra={"copies": len(copies), "lines": lines, "tokens": cluster.tokens, "clone_type": kind},
        )

    def _used_region_marks(
        self, modules: list[ModuleFacts], regions: list[list[tuple[int, int, int]]]
    ) -> Iterable[Finding]:
        """A suppressed region that shares code with another place yields a finding on the line after its
        comment, which the inline suppression then removes: the comment is used, and not reported as unused.
        """
        everywhere = Counter(h for m in modules for h in m.tokens.hashes)
        for module, found in zip(modules, regions):
            tokens = module.tokens
            for start, end, line in found:
                inside = Counter(h for h, at in zip(tokens.hashes, tokens.offsets) if start <= at < end)
                if any(everywhere[h] > count for h, count in inside.items()):
                    yield Finding(
                        rule=self.id,
                        category=self.category,
                        severity=self.severity,
                        location=Location(module.path, line + 1),
                        message="code also found elsewhere, in a region excluded from duplicate detection",
                        weight=0.0,
                    )
