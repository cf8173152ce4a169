"""The rewrite engine: span edits, diffs, verified plans and safe writes."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from optimizer.api import analyze
from optimizer.cli import main
from optimizer.findings import Edit
from rewriters.apply import fix, write
from rewriters.edits import MAX_PASSES, NoFix, apply_edits, fixpoint, unified_diff
from rewriters.engine import FileRewrite, plan

LODASH = "import _ from 'lodash';\nexport const v = _.get(o, 'a');\n"
PICKED = "import get from 'lodash/get';\nexport const v = get(o, 'a');\n"


def _rewrite(root: Path, name: str, before: str, after: str) -> FileRewrite:
    return FileRewrite(name, root / name, before.encode(), after.encode(), ())


def _tree(root: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


def test_overlapping_edit_is_deferred() -> None:
    source = b"abcdef"
    out, deferred = apply_edits(source, [Edit(3, 5, "X"), Edit(0, 2, "Y"), Edit(1, 4, "Z")])
    assert out == b"YcXf"
    assert deferred == [Edit(1, 4, "Z")]


def test_edits_are_utf8_byte_offsets() -> None:
    source = "é = 1\n".encode()
    assert apply_edits(source, [Edit(3, 4, ":")])[0] == "é : 1\n".encode()


def test_fixpoint_applies_deferred_work_in_later_passes() -> None:
    # overlapping matches are deferred and recomputed on the new text
    def compute(source: bytes) -> list[Edit]:
        return [Edit(i, i + 2, "b") for i in range(len(source) - 1) if source[i : i + 2] == b"aa"]

    def step(source: bytes) -> bytes:
        return apply_edits(source, compute(source))[0]

    assert fixpoint(b"aaa", step) == b"ba"  # (1, 3) overlaps (0, 2) and is gone once recomputed
    assert fixpoint(b"baaab", step) == b"bbab"


def test_fixpoint_stops_after_the_pass_limit() -> None:
    with pytest.raises(NoFix, match=f"after {MAX_PASSES} passes"):
        fixpoint(b"", lambda source: source + b"x")


def test_diff_has_git_headers_and_marks_missing_newline() -> None:
    diff = unified_diff("src/a.ts", "x\ny", "x\nz")
    assert diff.startswith("--- a/src/a.ts\n+++ b/src/a.ts\n@@")
    assert "-y\n\\ No newline at end of file\n+z\n\\ No newline at end of file\n" in diff
    assert unified_diff("a", "same\n", "same\n") == ""


def test_write_replaces_content_and_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "a.ts"
    target.write_text(LODASH)
    target.chmod(0o640)
    assert write([_rewrite(tmp_path, "a.ts", LODASH, PICKED)], tmp_path) == (["a.ts"], [])
    assert target.read_text() == PICKED
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_interrupted_write_leaves_original_and_no_temporary(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "a.ts"
    target.write_text(LODASH)

    def interrupted(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", interrupted)
    written, refused = write([_rewrite(tmp_path, "a.ts", LODASH, PICKED)], tmp_path)
    assert written == [] and "No space left" in refused[0][1]
    assert target.read_text() == LODASH
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.ts"]


def test_file_changed_since_analysis_is_not_written(tmp_path: Path) -> None:
    target = tmp_path / "a.ts"
    target.write_text(LODASH + "// edited meanwhile\n")
    written, refused = write([_rewrite(tmp_path, "a.ts", LODASH, PICKED)], tmp_path)
    assert written == [] and "changed since" in refused[0][1]
    assert target.read_text().endswith("// edited meanwhile\n")


def test_file_edited_between_analysis_and_plan_is_refused(tmp_path: Path) -> None:
    # the fix's offsets and lines belong to the analysed text: planning on the edited one could corrupt it
    target = tmp_path / "a.ts"
    target.write_text(LODASH)
    report = analyze([tmp_path], root=tmp_path, use_cache=False)
    edited = "// a line that shifts the code\n" + LODASH
    target.write_text(edited)
    (rewrite,) = plan(report)
    assert not rewrite.changed and "changed since it was analysed" in rewrite.error
    outcome = fix(report)
    assert outcome.written == [] and "changed since it was analysed" in outcome.skipped[0][1]
    assert target.read_text() == edited


def test_read_only_file_is_not_written(tmp_path: Path) -> None:
    target = tmp_path / "a.ts"
    target.write_text(LODASH)
    target.chmod(0o444)
    written, refused = write([_rewrite(tmp_path, "a.ts", LODASH, PICKED)], tmp_path)
    assert written == [] and "read-only" in refused[0][1]
    assert target.read_text() == LODASH


def test_symlink_out_of_root_is_refused(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "a.ts").write_text(LODASH)
    (root / "a.ts").symlink_to(outside / "a.ts")
    written, refused = write([_rewrite(root, "a.ts", LODASH, PICKED)], root)
    assert written == [] and "outside the root" in refused[0][1]
    assert (outside / "a.ts").read_text() == LODASH


def test_crlf_and_bom_are_kept(tmp_path: Path) -> None:
    (tmp_path / "a.ts").write_bytes(b"\xef\xbb\xbf" + LODASH.replace("\n", "\r\n").encode())
    outcome = fix(analyze([tmp_path], root=tmp_path, use_cache=False))
    assert outcome.written == ["a.ts"]
    assert (tmp_path / "a.ts").read_bytes() == b"\xef\xbb\xbf" + PICKED.replace("\n", "\r\n").encode()


def test_python_crlf_and_bom_are_kept(tmp_path: Path) -> None:
    source = "from __future__ import annotations\n\nimport torch\n\n\ndef f(x):\n    return torch.tensor(x)\n"
    (tmp_path / "m.py").write_bytes(b"\xef\xbb\xbf" + source.replace("\n", "\r\n").encode())
    (rewrite,) = plan(analyze([tmp_path], root=tmp_path, use_cache=False), unsafe=True)
    assert rewrite.after.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in rewrite.after.replace(b"\r\n", b"")
    assert b"    import torch\r\n" in rewrite.after


def test_unsafe_fixes_need_the_flag(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("import torch\n\n\ndef f(x):\n    return torch.tensor(x)\n")
    report = analyze([tmp_path], root=tmp_path, use_cache=False)
    assert plan(report) == []
    assert [r.changed for r in plan(report, unsafe=True)] == [True]


def test_file_with_syntax_error_is_left_alone(tmp_path: Path) -> None:
    broken = LODASH + "export const w = (;\n"
    (tmp_path / "a.ts").write_text(broken)
    outcome = fix(analyze([tmp_path], root=tmp_path, use_cache=False))
    assert outcome.written == []
    assert "does not parse" in outcome.skipped[0][1]
    assert (tmp_path / "a.ts").read_text() == broken


def test_dry_run_writes_nothing_and_shows_the_diff(tmp_path: Path) -> None:
    (tmp_path / "a.ts").write_text(LODASH)
    before = _tree(tmp_path)
    result = CliRunner().invoke(main, [str(tmp_path), "--dry-run", "--no-cache", "--fail-on", "never"])
    assert result.exit_code == 0
    assert _tree(tmp_path) == before
    assert "--- a/a.ts\n+++ b/a.ts\n" in result.output and "+import get from 'lodash/get';" in result.output

    result = CliRunner().invoke(main, [str(tmp_path), "--dry-run", "--no-cache", "--format", "json"])
    (finding,) = json.loads(result.output)["findings"]
    assert finding["fix"]["applicability"] == "safe" and "+export const v = get(o, 'a');" in finding["fix"]["diff"]
    assert finding["fix"]["codemod"] == "cherry-pick-lodash"
    assert _tree(tmp_path) == before


def test_without_dry_run_safe_fixes_are_applied(tmp_path: Path) -> None:
    (tmp_path / "a.ts").write_text(LODASH)
    result = CliRunner().invoke(main, [str(tmp_path), "--no-cache", "--fail-on", "never"])
    assert result.exit_code == 0
    assert "Fixed 1 file." in result.output
    assert (tmp_path / "a.ts").read_text() == PICKED


SUPPRESSED_SITE = """import { createContext, memo, useState, type ReactNode } from 'react';

export const AuthContext = createContext<unknown>(null);
export const UserContext = createContext<unknown>(null);
const Row = memo(function Row({ style }: { style: object }) { return <p style={style} />; });

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<string | null>(null);
  return <AuthContext.Provider value={{ user, setUser }}>{children}</AuthContext.Provider>;
}

export function UserProvider(props: { children: ReactNode; user: { name: string } }) {
  // perfrewrite: ignore[unstable-context-value]
  return <UserContext.Provider value={{ name: props.user.name }}>{props.children}</UserContext.Provider>;
}

export function Rows() {
  return (
    <>
      <Row style={{ margin: 1 }} />
      {/* perfrewrite: ignore[unstable-props-to-memo-component] */}
      <Row style={{ margin: 2 }} />
    </>
  );
}
"""


def test_a_codemod_leaves_suppressed_sites_alone(tmp_path: Path) -> None:
    (tmp_path / "Providers.tsx").write_text(SUPPRESSED_SITE)
    report = analyze([tmp_path], root=tmp_path, use_cache=False)
    fixed = {f.rule for f in report.findings if f.fix and f.fix.codemod}
    assert fixed == {"unstable-context-value", "unstable-props-to-memo-component"}
    (rewrite,) = plan(report)
    after = rewrite.after.decode()
    assert "value={useMemo(() => ({ user, setUser }), [user, setUser])}" in after
    assert "value={{ name: props.user.name }}" in after  # suppressed: an unsafe memo it would have been
    assert "<Row style={{ margin: 2 }} />" in after  # suppressed
    assert "<Row style={{ margin: 1 }} />" not in after  # hoisted to a constant


def test_a_fix_of_a_cross_file_finding_is_verified_with_the_related_files(tmp_path, monkeypatch) -> None:
    """`helpers.load` blocks; the handler in app.py is reported. Re-analysed alone, app.py has no finding, so a
    codemod that changes the text without fixing anything would look like a fix; with the related files it is
    caught."""
    import libcst

    from rewriters.python import offload_blocking_call

    (tmp_path / "helpers.py").write_text("import time\n\n\ndef load():\n    time.sleep(1)\n    return 1\n")
    (tmp_path / "app.py").write_text(
        "from fastapi import FastAPI\n\nfrom helpers import load\n\napp = FastAPI()\n\n\n"
        "@app.get('/a')\nasync def a():\n    value = load()\n    return value\n"
    )
    report = analyze([tmp_path], root=tmp_path, use_cache=False)
    assert [(f.path, f.fix and f.fix.codemod) for f in report.findings if f.rule == "blocking-call-in-async"] == [
        ("app.py", "offload-blocking-call")
    ]

    def no_real_fix(module: libcst.Module, lines) -> libcst.Module:
        if "# touched" in module.code:
            return module
        return module.with_changes(footer=[*module.footer, libcst.EmptyLine(comment=libcst.Comment("# touched"))])

    monkeypatch.setattr(offload_blocking_call, "transform", no_real_fix)
    (rewrite,) = plan(report, unsafe=True)
    assert not rewrite.changed and "still reported" in (rewrite.error or "")
