"""Plan rewrites: per file, apply the fixes of the selected findings, repeat to a fixpoint, then verify.

A rewritten file is kept only if it still parses with the same front-end, the fixed findings are gone when
the detectors run again on the new text (with the files those findings are in, when a fix rewrites another
file than its finding's), and one more rewrite changes nothing. Anything else leaves the file as it was and
says why.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import pkgutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analyzers.frontends import parse_source
from analyzers.prisma import parse_prisma
from optimizer.findings import Applicability, Edit, Finding
from rewriters import javascript, python
from rewriters.edits import NoFix, apply_edits, fixpoint, unified_diff

if TYPE_CHECKING:
    import libcst

    from optimizer.api import Project, Report
    from optimizer.config import Config

BOM = b"\xef\xbb\xbf"


def _codemod_modules(package) -> list:
    """Every public module of a codemod package: each defines ``CODEMOD_ID`` and its entry point."""
    return [
        importlib.import_module(f"{package.__name__}.{info.name}")
        for info in pkgutil.iter_modules(package.__path__)
        if not info.name.startswith("_")
    ]


# JS/TS codemods compute span edits from the current source at each pass, for the sites on the given lines
JS_CODEMODS: dict[str, Callable[[bytes, str, set[int]], list[Edit]]] = {
    module.CODEMOD_ID: module.compute_edits for module in _codemod_modules(javascript)
}


@functools.cache
def _python_codemod_modules() -> tuple:
    """Found once: every pass asks for the codemods, and scanning the package each time is wasted work."""
    return tuple(_codemod_modules(python))


def python_codemods() -> dict[str, Callable[[libcst.Module, set[int]], libcst.Module]]:
    """Python codemods by id: LibCST transforms told the lines of their findings. Imported on use: LibCST is
    slow to import and only needed when a Python file has a fix. The entry point is looked up on each call,
    so a module's ``transform`` replaced later (as tests do) is the one that runs."""
    return {module.CODEMOD_ID: module.transform for module in _python_codemod_modules()}


@dataclass(frozen=True)
class FileRewrite:
    """One file's proposed rewrite; ``error`` set means it failed verification and must not be written."""

    path: str  # relative to the root, with / separators
    absolute: Path
    before: bytes
    after: bytes
    findings: tuple[Finding, ...]
    diff: str = ""
    error: str | None = None

    @property
    def changed(self) -> bool:
        return self.error is None and self.after != self.before

    @property
    def digest(self) -> str:
        """Hash of the content that was read, to tell whether the file changed before it is written."""
        return hashlib.sha256(self.before).hexdigest()


def selected(finding: Finding, unsafe: bool) -> bool:
    """Whether a finding's fix is applied: safe ones always, unsafe ones on request, display ones never."""
    fix = finding.fix
    if fix is None or not (fix.edits or fix.codemod):
        return False
    allowed = (Applicability.SAFE, Applicability.UNSAFE) if unsafe else (Applicability.SAFE,)
    return fix.applicability in allowed


def target(finding: Finding) -> str:
    """The file a finding's fix rewrites: the one the fix names, else the finding's own."""
    return (finding.fix.path if finding.fix else None) or finding.path


def plan(report: Report, *, unsafe: bool = False) -> list[FileRewrite]:
    """The verified rewrite of every file that has selected fixes, in path order."""
    project = report.project
    if project is None:
        return []
    by_path: dict[str, list[Finding]] = {}
    for finding in report.findings:
        if finding.fix is not None:  # unselected fixes too: a codemod must know what it may not touch
            by_path.setdefault(target(finding), []).append(finding)
    rewrites = []
    for path, findings in sorted(by_path.items()):
        file = project.files.get(path)
        if file is None or not any(selected(f, unsafe) for f in findings):
            continue
        # the bytes the analysis read: fix edits' offsets and codemods' lines refer to them, and the digest that
        # guards the write must be of them too, so a file edited since then is refused, not rewritten
        before = project.source(path)
        if before is None:
            continue
        if _read(Path(file.absolute)) != before:
            chosen = tuple(f for f in findings if selected(f, unsafe))
            reason = f"not rewritten: {path} changed since it was analysed"
            rewrites.append(FileRewrite(path, Path(file.absolute), before, before, chosen, error=reason))
            continue
        # the related files first; the whole project when a finding needs more (a route in another file)
        contexts = (_context(project, path, findings), lambda: _whole_project(project, path))
        rewrites.append(
            _rewrite_file(path, Path(file.absolute), file.language, before, findings, project.config, unsafe, contexts)
        )
    return rewrites


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _context(project: Project, path: str, findings: list[Finding]) -> dict[str, Path]:
    """The files to re-analyse ``path`` with, so that the findings can be found again without the whole
    project: the files of findings found elsewhere (a query an index in the schema serves), the files their
    related locations point at (the chain down to a query or a blocking call, a memo component), and the
    schema files queries are checked against."""
    linked = {f.path for f in findings} | {r.path for f in findings for r in f.related}
    schema = {f.path for f in project.files.values() if f.language in ("prisma", "sql")}
    return {p: Path(project.files[p].absolute) for p in sorted((linked | schema) - {path}) if p in project.files}


def _whole_project(project: Project, path: str) -> dict[str, Path]:
    """Every analysed file and the manifests and tsconfigs that resolve imports and place files in components."""
    files = {p: Path(f.absolute) for p, f in project.files.items() if p != path}
    directories = {""} | set(project.tsconfigs) | {package.directory for package in project.packages.values()}
    for directory in directories:
        for name in ("package.json", "tsconfig.json", "jsconfig.json", "pyproject.toml", "requirements.txt"):
            candidate = project.root / directory / name
            if candidate.is_file():
                files[f"{directory}/{name}".lstrip("/")] = candidate
    return files


def _rewrite_file(
    path: str,
    absolute: Path,
    language: str,
    before: bytes,
    findings: list[Finding],
    config: Config,
    unsafe: bool,
    contexts: tuple[dict[str, Path], Callable[[], dict[str, Path]]],
) -> FileRewrite:
    everything, findings = findings, [f for f in findings if selected(f, unsafe)]

    def failed(reason: str) -> FileRewrite:
        return FileRewrite(path, absolute, before, before, tuple(findings), error=reason)

    original_errors = _parse_errors(path, language, before)
    if original_errors:
        return failed(f"not rewritten: the file does not parse ({original_errors[0]})")
    # the same re-analysis on the text as it is: a fix counts as verified only if its finding shows up here,
    # since "the finding is gone" proves nothing about one the scratch copy could not find to begin with
    context, whole_project = contexts
    baseline = _reanalyse(path, before, config, context)
    unverifiable = _missing(findings, baseline)
    if unverifiable:
        context = whole_project()
        baseline = _reanalyse(path, before, config, context)
        unverifiable = _missing(findings, baseline)
    if unverifiable:
        first = unverifiable[0]
        return failed(
            f"not rewritten: `{first.rule}` at {first.path}:{first.line} is not found again in a scratch copy "
            "of the project, so the fix could not be verified"
        )
    # the findings on the latest text: after the first pass they come from re-analysing it
    latest: dict[bytes, list[Finding]] = {before: everything}

    def step(text: bytes) -> bytes:
        if text not in latest:
            latest.clear()
            latest[text] = _reanalyse(path, text, config, context)
        current = [f for f in latest[text] if target(f) == path]
        chosen = [f for f in current if selected(f, unsafe)]
        # a JS codemod rewrites every site in the file it sees; when some of its findings are not selected
        # (unsafe ones in a safe run), it must not run at all, or it would fix those too
        held_back = {f.fix.codemod for f in current if f.fix and f.fix.codemod and not selected(f, unsafe)}
        return rewrite_once(text, language, chosen, frozenset(held_back))

    try:
        text = fixpoint(before, step)
    except (NoFix, SyntaxError, ValueError) as exc:
        return failed(f"not rewritten: {exc}")
    except Exception as exc:  # noqa: BLE001 - a codemod bug must leave the file alone, not stop the run
        return failed(f"not rewritten: internal error in a codemod: {exc!r}")
    after_findings = [f for f in latest[text] if target(f) == path]
    if text == before:
        return FileRewrite(path, absolute, before, before, tuple(findings))
    new_errors = _parse_errors(path, language, text)
    if new_errors:
        return failed(f"not rewritten: the rewritten file does not parse ({new_errors[0]})")
    for rule in {f.rule for f in findings}:
        if sum(f.rule == rule for f in after_findings) >= sum(f.rule == rule and target(f) == path for f in baseline):
            return failed(f"not rewritten: `{rule}` is still reported after the rewrite")
    # a finding in another file keeps its place, but may lose its fix (the index is there, if a wrong one)
    reported = {(f.rule, f.location) for f in latest[text]}
    for finding in findings:
        if finding.path != path and (finding.rule, finding.location) in reported:
            return failed(f"not rewritten: `{finding.rule}` is still reported at {finding.path}:{finding.line}")
    diff = unified_diff(path, _display(before), _display(text))
    return FileRewrite(path, absolute, before, text, tuple(findings), diff=diff)


def _missing(findings: list[Finding], found: list[Finding]) -> list[Finding]:
    seen = {(f.rule, f.path, f.line) for f in found}
    return [f for f in findings if (f.rule, f.path, f.line) not in seen]


def _parse_errors(path: str, language: str, source: bytes) -> list[str]:
    """The errors of the front-end that reads ``language``; a Prisma schema has its own parser."""
    if language == "prisma":
        return [message for _, message in parse_prisma(path, source.decode("utf-8", errors="replace")).errors]
    return parse_source(path, language, source).errors


def rewrite_once(
    source: bytes, language: str, findings: Sequence[Finding], held_back: frozenset[str] = frozenset()
) -> bytes:
    """One pass: every fix of ``findings`` applied to ``source``; overlapping edits wait for the next pass.
    JS codemods named in ``held_back`` are skipped (see ``_rewrite_file``)."""
    if language == "python":
        return _python_pass(source, findings)
    edits: list[Edit] = []
    codemods = []
    for finding in findings:
        assert finding.fix is not None  # only selected findings reach here
        edits.extend(finding.fix.edits)
        if finding.fix.codemod:
            codemods.append(finding.fix.codemod)
    for codemod in dict.fromkeys(codemods):
        if codemod not in JS_CODEMODS:
            raise ValueError(f"unknown codemod {codemod!r}")
        if codemod in held_back:
            continue
        # only the sites of the findings asked for: not a suppressed one, nor one of another selection
        lines = {f.line for f in findings if f.fix and f.fix.codemod == codemod}
        edits.extend(JS_CODEMODS[codemod](source, language, lines))
    return apply_edits(source, edits)[0]


def _python_pass(source: bytes, findings: Sequence[Finding]) -> bytes:
    """Parse once, run one codemod on the tree, and print it back with the BOM as it was.

    A codemod is told the lines of its findings, which refer to the text as parsed; the next codemod runs
    in the next pass, on findings from the re-analysed text, so its lines are right too.
    """
    import libcst

    codemods = python_codemods()
    names = list(dict.fromkeys(f.fix.codemod for f in findings if f.fix and f.fix.codemod))
    if not names:
        return source
    name = names[0]
    if name not in codemods:
        raise ValueError(f"unknown codemod {name!r}")
    bom = source.startswith(BOM)
    try:
        module = libcst.parse_module(source[len(BOM) :] if bom else source)
    except libcst.ParserSyntaxError as exc:
        raise SyntaxError(f"LibCST cannot parse the file: {exc.message}") from exc
    lines = {f.line for f in findings if f.fix and f.fix.codemod == name}
    return (BOM if bom else b"") + codemods[name](module, lines).bytes


def _reanalyse(path: str, text: bytes, config: Config, context: dict[str, Path]) -> list[Finding]:
    """The findings on a scratch copy of ``text`` at the same relative path and of the ``context`` files as
    they are (same rules, config)."""
    from optimizer.api import analyze

    with tempfile.TemporaryDirectory(prefix="perfrewrite-verify-") as scratch:
        for relative, contents in [*((p, a.read_bytes()) for p, a in context.items()), (path, text)]:
            copy = Path(scratch, relative)
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(contents)
        copies = [Path(scratch, p) for p in (path, *context)]
        report = analyze(copies, config=config, root=scratch, use_cache=False, jobs=1)
    return report.findings


def _display(source: bytes) -> str:
    """Text for the diff: a BOM is not shown and CRLF reads as one line end."""
    text = source.decode("utf-8", errors="replace").removeprefix("\ufeff")
    return text.replace("\r\n", "\n")
