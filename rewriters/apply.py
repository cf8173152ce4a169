"""Write verified rewrites to disk: atomically, inside the root only, and only over the content that was read."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rewriters.engine import FileRewrite, plan, target

if TYPE_CHECKING:
    from optimizer.api import Report


@dataclass
class FixOutcome:
    """What a fix run did: the rewrites proposed, files written, and files left alone with the reason."""

    rewrites: list[FileRewrite]
    written: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def diff(self) -> str:
        return "".join(r.diff for r in self.rewrites if r.changed)


def fix(report: Report, *, unsafe: bool = False, dry_run: bool = False) -> FixOutcome:
    """Plan the fixes of ``report``, put each file's diff into its findings' ``fix.diff``, and write the
    rewritten files unless ``dry_run``."""
    rewrites = plan(report, unsafe=unsafe)
    diffs = {r.path: r.diff for r in rewrites if r.changed}
    report.findings = [
        f.with_(fix=dataclasses.replace(f.fix, diff=diffs[target(f)])) if f.fix and target(f) in diffs else f
        for f in report.findings
    ]
    outcome = FixOutcome(rewrites, skipped=[(r.path, r.error) for r in rewrites if r.error])
    if not dry_run:
        written, refused = write(rewrites, report.root)
        outcome.written = written
        outcome.skipped += refused
    return outcome


def write(rewrites: list[FileRewrite], root: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """Write each changed rewrite; return the paths written and the (path, reason) of those refused."""
    base = Path(root).resolve()
    written: list[str] = []
    refused: list[tuple[str, str]] = []
    for rewrite in rewrites:
        if not rewrite.changed:
            continue
        reason = _write_one(rewrite, base)
        if reason is None:
            written.append(rewrite.path)
        else:
            refused.append((rewrite.path, reason))
    return written, refused


def _write_one(rewrite: FileRewrite, base: Path) -> str | None:
    """Write one file or return why not. The temporary file sits next to the target so that os.replace is
    an atomic rename on the same file system: an interruption leaves either the old or the new content."""
    target = (base / rewrite.path).resolve()  # follows symlinks, so a link out of the root is caught
    if not target.is_relative_to(base):
        return f"not written: {rewrite.path} resolves outside the root ({target})"
    try:
        current = target.read_bytes()
        mode = target.stat().st_mode & 0o7777
    except OSError as exc:
        return f"not written: cannot read {rewrite.path} ({exc.strerror})"
    if hashlib.sha256(current).hexdigest() != rewrite.digest:
        return f"not written: {rewrite.path} changed since it was analysed"
    # no write bit at all counts too: root may write anything, but the owner marked the file read-only
    if not os.access(target, os.W_OK) or not mode & 0o222:
        return f"not written: {rewrite.path} is read-only"
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".perfrewrite")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(rewrite.after)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        return f"not written: {rewrite.path} ({exc.strerror or exc})"
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return None
