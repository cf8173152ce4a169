"""Speed and memory of perfrewrite on generated corpora and on real repositories; prints a table and
writes BENCHMARKS.md at the repository root.

    python benchmarks/run.py [--scales 1,2,4] [--repo PATH ...] [--rounds 3] [--output FILE]
"""

from __future__ import annotations

import argparse
import datetime
import json
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import generate  # noqa: E402  (sibling module)
from measure import code_version, machine, run_child, snapshot_code, startup_seconds  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
RUNS = ("parse", "facts", "cold1", "cold", "warm", "edit")
RUN_TITLES = {"parse": "bare parsers (1 core)", "facts": "parse stage only, jobs=1", "cold1": "cold, jobs=1",
              "cold": "cold, default jobs", "warm": "warm re-run", "edit": "warm, one file edited"}
PARSE_RATIO_MAX = 2.0
WARM_SPEEDUP_MIN = 5.0
MEMORY_MAX_MB = 1024
MEMORY_AT_LINES = 300_000
LINEAR_MIN = 0.8  # lines/s at the largest scale must stay within 20% of the smallest


LOAD_NOTE = (
    "The machine may be shared: a load above the CPU count means other processes competed for the cores, "
    "which inflates wall times; CPU seconds are affected less."
)
METHOD_NOTE = (
    "Each measurement runs in a fresh interpreter; cold runs start from an empty cache directory, the warm run "
    "reuses the cold run's cache."
)
PARSE_NOTE = (
    "\"bare parsers\" is tree-sitter `Parser.parse` (TS, TSX, JS grammars by extension) and `ast.parse` of the files "
    "`analyze()` would parse, all read first, only parsing timed, one process. \"parse stage only\" is `analyze()` with "
    "every detector switched off: discovery, reading, the front-ends building facts, the cache. The other runs are "
    "the full analysis: that plus every detector, ranking and the code graph. \"wall\" adds interpreter start-up "
    "and imports."
)
MEMORY_NOTE = (
    "the larger of the main process's `ru_maxrss` and the sampled (20 Hz) sum of PSS over the process and its "
    "parser workers."
)


@dataclass
class Result:
    """Medians over rounds for one tree (a corpus scale or a real repository)."""

    label: str
    files: int = 0
    lines: int = 0
    runs: dict[str, dict] = field(default_factory=dict)  # run -> median metrics
    scale: float | None = None
    warnings: list[str] = field(default_factory=list)

    def seconds(self, run: str) -> float:
        return self.runs[run]["seconds"]

    def lines_per_s(self, run: str) -> float:
        return self.lines / self.seconds(run) if self.seconds(run) else 0.0

    @property
    def parse_ratio(self) -> float:
        """Full cold analysis over the parse stage alone (front-ends to facts, same files, same jobs)."""
        return self.seconds("cold1") / self.seconds("facts")

    @property
    def cpu_parse_ratio(self) -> float:
        """The same ratio in CPU seconds, which other load on a shared machine distorts less than wall time."""
        return self.runs["cold1"]["cpu"] / self.runs["facts"]["cpu"]

    @property
    def bare_parse_ratio(self) -> float:
        """Full cold analysis over bare tree-sitter/ast parsing: what building the facts costs on top."""
        return self.seconds("cold1") / self.seconds("parse")

    @property
    def warm_speedup(self) -> float:
        return self.seconds("cold") / self.seconds("warm")

    @property
    def cpu_warm_speedup(self) -> float:
        return self.runs["cold"]["cpu"] / self.runs["warm"]["cpu"]

    def cpu_lines_per_s(self, run: str) -> float:
        return self.lines / self.runs[run]["cpu"] if self.runs[run]["cpu"] else 0.0

    @property
    def peak_mb(self) -> float:
        return max(max(r["tree_mb"], r.get("rss_main_mb", 0)) for name, r in self.runs.items() if name != "parse")

    @property
    def errors(self) -> int:
        return max(self.runs[run]["errors"] for run in ("cold1", "cold", "warm"))


def _median_run(samples: list[dict]) -> dict:
    merged: dict = {}
    for key, value in samples[0].items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            values = [s[key] for s in samples]
            # memory is a peak: report the worst round; times are medians
            merged[key] = max(values) if key.endswith("_mb") else statistics.median(values)
        else:
            merged[key] = value
    return merged


def measure_tree(label: str, root: Path, rounds: int, code: Path, scale: float | None = None) -> Result:
    def run(mode: str, *args: str) -> dict:
        return run_child(mode, *args, code=code)

    listing = run("files", str(root))
    result = Result(label=label, scale=scale)
    samples: dict[str, list[dict]] = {run: [] for run in RUNS}
    with tempfile.TemporaryDirectory(prefix="perfrewrite-bench-") as scratch:
        list_file = Path(scratch) / "files.json"
        list_file.write_text(json.dumps({"root": listing["root"], "files": listing["files"]}))
        for round_index in range(rounds):
            cold1_cache = Path(scratch) / f"cache-{round_index}-j1"
            cold_cache = Path(scratch) / f"cache-{round_index}-jn"
            samples["parse"].append(run("parse", str(list_file)))
            samples["facts"].append(run("analyze", str(root), str(Path(scratch) / f"cache-{round_index}-f"), "1", "facts"))
            samples["cold1"].append(run("analyze", str(root), str(cold1_cache), "1"))
            samples["cold"].append(run("analyze", str(root), str(cold_cache), "default"))
            samples["warm"].append(run("analyze", str(root), str(cold_cache), "default"))
            code_files = [path for path, _ in listing["files"]]
            edited = _edited_copy(root, Path(scratch) / f"edited-{round_index}", code_files)
            samples["edit"].append(run("analyze", str(edited), str(cold_cache), "default"))
            _log(f"  {label} round {round_index + 1}/{rounds}: " + ", ".join(
                f"{run} {samples[run][-1]['seconds']:.2f}s" for run in RUNS))
    analyses = [s for run in ("facts", "cold1", "cold", "warm", "edit") for s in samples[run]]
    if any(Path(s["code"]) != code for s in analyses):
        raise RuntimeError(f"the analysis imported {analyses[0]['code']}, not the snapshot in {code}")
    reparsed = max(s["stats"]["parsed"] for s in samples["warm"])
    if reparsed:
        result.warnings.append(f"a warm run re-parsed {reparsed} files instead of reading them from the cache")
    result.runs = {run: _median_run(values) for run, values in samples.items()}
    result.files = int(result.runs["cold1"]["stats"]["files"])
    result.lines = int(result.runs["cold1"]["stats"]["lines"])
    return result


def _edited_copy(root: Path, destination: Path, files: list[str]) -> Path:
    """A copy of the tree with one code file changed, so the cache is reused for every other file.

    The copy keeps the user's repository untouched; relative paths, and so cache keys, stay the same.
    """
    shutil.copytree(root, destination, symlinks=True, ignore=shutil.ignore_patterns("node_modules", ".git"))
    target = destination / next(f for f in sorted(files) if f.endswith((".ts", ".tsx", ".py")))
    comment = "#" if target.suffix == ".py" else "//"
    with open(target, "a", encoding="utf-8") as handle:
        handle.write(f"\n{comment} edited by the benchmark\n")
    return destination


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _fmt(value: float, digits: int = 2) -> str:
    return f"{value:,.{digits}f}"


def detail_table(r: Result) -> list[str]:
    header = "| | " + " | ".join(RUN_TITLES[run] for run in RUNS) + " |"
    rows = [header, "|---" * (len(RUNS) + 1) + "|"]

    def row(name: str, cell) -> None:
        rows.append(f"| {name} | " + " | ".join(cell(run) for run in RUNS) + " |")

    row("seconds (median)", lambda run: _fmt(r.seconds(run)))
    row("CPU seconds, incl. workers", lambda run: _fmt(r.runs[run]["cpu"]))
    row("wall incl. interpreter start-up", lambda run: _fmt(r.runs[run]["wall"]))
    row("files/s", lambda run: _fmt(r.runs[run].get("files", r.files) / r.seconds(run), 0))
    row("lines/s", lambda run: _fmt(r.runs[run].get("lines", r.lines) / r.seconds(run), 0))
    row("peak memory, process tree PSS (MB)", lambda run: _fmt(r.runs[run]["tree_mb"], 0))
    row("peak RSS, main process (MB)", lambda run: _fmt(r.runs[run]["rss_main_mb"], 0) if run != "parse" else "—")
    row("errors reported", lambda run: str(r.runs[run]["errors"]))
    row("of which code graph", lambda run: _fmt(r.runs[run]["graph_seconds"]) if run != "parse" else "—")
    row("files parsed / from cache", lambda run: "—" if run == "parse" else
        f"{r.runs[run]['stats']['parsed']} / {r.runs[run]['stats']['cached']}")
    return rows


def summary_table(results: list[Result]) -> list[str]:
    head = ("| tree | files | lines | parse stage s | cold j=1 s | cold j=N s | warm s | cold(j=1)/stage | cold/warm "
            "| lines/s cold j=1 | lines/s cold j=N | lines/s warm | peak MB | errors |")
    rows = [head, "|---" * 14 + "|"]
    for r in results:
        rows.append(
            f"| {r.label} | {r.files:,} | {r.lines:,} | {_fmt(r.seconds('facts'))} | {_fmt(r.seconds('cold1'))} "
            f"| {_fmt(r.seconds('cold'))} | {_fmt(r.seconds('warm'))} | {_fmt(r.parse_ratio)}x | {_fmt(r.warm_speedup)}x "
            f"| {_fmt(r.lines_per_s('cold1'), 0)} | {_fmt(r.lines_per_s('cold'), 0)} | {_fmt(r.lines_per_s('warm'), 0)} "
            f"| {_fmt(r.peak_mb, 0)} | {r.errors} |"
        )
    return rows


def evaluate_targets(results: list[Result]) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) for each project target, computed from the results."""
    targets = []
    ratios = ", ".join(f"{r.label}: {_fmt(r.parse_ratio)}x (CPU time {_fmt(r.cpu_parse_ratio)}x)" for r in results)
    ok = all(r.parse_ratio <= PARSE_RATIO_MAX for r in results)
    targets.append((f"Full cold analysis (jobs=1, detectors and graph) <= {PARSE_RATIO_MAX:g}x the parse stage alone",
                    ratios, _verdict(ok)))
    bare = ", ".join(f"{r.label}: {_fmt(r.bare_parse_ratio)}x" for r in results)
    targets.append(("For reference, not a target: full cold analysis over bare tree-sitter/ast parsing", bare, "—"))
    speedups = ", ".join(f"{r.label}: {_fmt(r.warm_speedup)}x (CPU time {_fmt(r.cpu_warm_speedup)}x)" for r in results)
    ok = all(r.warm_speedup >= WARM_SPEEDUP_MIN for r in results)
    targets.append((f"Warm re-run (nothing changed) >= {WARM_SPEEDUP_MIN:g}x faster than cold", speedups, _verdict(ok)))
    edits = ", ".join(f"{r.label}: {_fmt(r.seconds('cold') / r.seconds('edit'))}x" for r in results)
    targets.append(("For reference, not a target: warm re-run after editing one file, speed-up over cold", edits, "—"))
    corpora = [r for r in results if r.scale is not None]
    largest = max(corpora or results, key=lambda r: r.lines, default=None)
    if largest is None:
        targets.append((f"Peak memory <= {MEMORY_MAX_MB} MB at {MEMORY_AT_LINES:,} lines", "not measured", "not measured"))
    else:
        near = largest.lines >= 0.8 * MEMORY_AT_LINES
        measured = f"{largest.label} ({largest.lines:,} lines): {_fmt(largest.peak_mb, 0)} MB"
        verdict = _verdict(largest.peak_mb <= MEMORY_MAX_MB) if near else f"not measured at {MEMORY_AT_LINES:,} lines"
        targets.append((f"Peak memory <= {MEMORY_MAX_MB} MB at {MEMORY_AT_LINES:,} lines", measured, verdict))
    if len(corpora) >= 2:
        small, big = min(corpora, key=lambda r: r.lines), max(corpora, key=lambda r: r.lines)
        parts, ok = [], True
        for run in ("cold1", "cold"):
            kept = big.lines_per_s(run) / small.lines_per_s(run)
            ok &= kept >= LINEAR_MIN
            cpu_kept = big.cpu_lines_per_s(run) / small.cpu_lines_per_s(run)
            parts.append(f"{RUN_TITLES[run]}: {_fmt(small.lines_per_s(run), 0)} -> {_fmt(big.lines_per_s(run), 0)} "
                         f"lines/s ({_fmt(kept * 100, 0)}%; per CPU second {_fmt(cpu_kept * 100, 0)}%)")
        targets.append((f"Linear growth: lines/s at {big.label} >= {LINEAR_MIN:.0%} of {small.label}", "; ".join(parts), _verdict(ok)))
    else:
        targets.append(("Linear growth: lines/s roughly constant from 1x to 4x", "needs two corpus scales", "not measured"))
    return targets


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def write_markdown(path: Path, results: list[Result], startup: float, info: dict, load_after: list[float], rounds: int) -> None:
    lines = [
        "# Benchmarks",
        "",
        "Generated by `python benchmarks/run.py`; every figure is measured, none is edited by hand.",
        "",
        f"- Date: {datetime.date.today().isoformat()}",
        f"- Code measured: {info['code']}, copied at the start of the run so that every measurement uses the same code.",
        f"- Machine: {info['cpus']} CPUs ({info['cpu_model']}), Python {info['python']}, {info['platform']}",
        f"- Load average (1, 5, 15 min) before: {info['load']}, after: {load_after}. " + LOAD_NOTE,
        f"- Rounds: {rounds}; times are medians, memory is the worst round. " + METHOD_NOTE,
        "- Runs: " + PARSE_NOTE,
        "- Peak memory: " + MEMORY_NOTE,
        f"- `perfrewrite --version` start-up: {_fmt(startup, 3)} s (median of 5).",
        "",
        "## Targets",
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
        *(f"| {t} | {m} | {v} |" for t, m, v in evaluate_targets(results)),
        "",
        "## Summary",
        "",
        *summary_table(results),
        "",
    ]
    for r in results:
        source = f"generated corpus, `--scale {r.scale:g}`" if r.scale is not None else "real repository"
        skipped = r.runs["cold1"]["stats"].get("skipped") or {}
        skipped_note = f" Skipped by discovery: {', '.join(f'{k}: {v}' for k, v in skipped.items())}." if skipped else ""
        lines += [f"## {r.label}", "", f"{source}: {r.files:,} files, {r.lines:,} lines.{skipped_note}", "",
                  *detail_table(r), ""]
        lines += [f"**Warning:** {w}." for w in r.warnings] + ([""] if r.warnings else [])
        samples = r.runs["cold1"].get("error_samples") or []
        if samples:
            lines += ["First errors reported:", "", *(f"- `{s}`" for s in samples), ""]
    path.write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,2,4", help="comma-separated corpus scales; empty for none")
    parser.add_argument("--repo", action="append", type=Path, default=[], help="also measure this repository")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=REPO_ROOT / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    scales = [float(s) for s in args.scales.split(",") if s.strip()]
    info = {**machine(), "code": code_version()}
    _log(f"machine: {info}")
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="perfrewrite-code-") as snapshot:
        code = snapshot_code(Path(snapshot))
        for scale in scales:
            with tempfile.TemporaryDirectory(prefix=f"perfrewrite-corpus-{scale:g}x-") as directory:
                counts = generate(Path(directory), scale, args.seed)
                _log(f"corpus {scale:g}x: {counts['code_files']} code files, {counts['code_lines']:,} lines")
                results.append(measure_tree(f"corpus {scale:g}x", Path(directory), args.rounds, code, scale))
        for repo in args.repo:
            results.append(measure_tree(repo.resolve().name, repo.resolve(), args.rounds, code))
        startup = startup_seconds(code=code)
    load_after = machine()["load"]
    print("\n".join(summary_table(results)))
    print()
    for target, measured, verdict in evaluate_targets(results):
        print(f"- {target}: {measured} -> {verdict.strip('*')}")
    print(f"- perfrewrite --version start-up: {startup:.3f} s")
    for r in results:
        for warning in r.warnings:
            print(f"- warning, {r.label}: {warning}")
    write_markdown(args.output, results, startup, info, load_after, args.rounds)
    _log(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
