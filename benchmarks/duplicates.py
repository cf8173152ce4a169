"""The ``duplicate-code`` rule side by side with jscpd on the same files: time, peak memory, clone counts and
how far the two sets of clones overlap; writes BENCHMARKS-duplicates.md at the repository root.

    python benchmarks/duplicates.py [--scale 1] [--repo PATH ...] [--rounds 3] [--jscpd DIR]

Two jscpd releases are measured: the current one (a Rust engine) and the last one of the JavaScript engine.
Each is installed with npm into ``<folder>/<version>``, the folder being ``--jscpd`` (kept for later runs)
or a scratch one; without Node and npm only perfrewrite is measured. Both tools read a copy of the files
perfrewrite's discovery keeps (code files, not generated, not ignored), so neither sees more than the other.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from clone_sets import Fragment, compare, jscpd_pairs, one_sided  # noqa: E402  (sibling module)
from corpus import generate  # noqa: E402
from measure import TreeMemorySampler, code_version, machine, run_child, snapshot_code  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
# version -> how the tables name it; the first is the one the one-sided lists compare with
JSCPD_VERSIONS = {"5.3.3": "jscpd 5.3.3", "4.3.0": "jscpd 4.3.0 (JavaScript engine)"}
JSCPD_FORMATS = "javascript,jsx,typescript,tsx,python"
RULE = "duplicate-code"


# ---------------------------------------------------------------- child side: one analysis in a fresh interpreter


def _child(mode: str, root: str, cache_dir: str, options: str) -> dict:
    """``analyze``: one run of the rule, as a user runs it. ``rule``: the clone search and the findings alone,
    timed once the facts are loaded from the cache."""
    started = time.perf_counter()
    from analyzers.detectors.duplicate_code import DuplicateCode
    from optimizer.api import analyze
    from optimizer.config import Config

    import_seconds = time.perf_counter() - started
    config = Config(select=(RULE,), rules={RULE: json.loads(options)})
    cpu_self, cpu_children = time.process_time(), resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    report = analyze(root, config=config, cache_dir=cache_dir)
    seconds = time.perf_counter() - started
    if mode == "rule":
        report.project.modules  # noqa: B018 - loads the facts before the timing starts
        started = time.perf_counter()
        list(DuplicateCode().check_project(report.project))
        return {"detector_seconds": time.perf_counter() - started}
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - cpu_self + sum(
        getattr(children, f) - getattr(cpu_children, f) for f in ("ru_utime", "ru_stime")
    )
    clusters = [
        [[f.path, f.line, f.location.end_line or f.line]]
        + [[r.path, r.line, int(r.message.rsplit("-", 1)[1])] for r in f.related]
        for f in report.findings
        if f.rule == RULE and f.related
    ]
    return {
        "seconds": seconds,
        "cpu": cpu,
        "import_seconds": import_seconds,
        "stats": report.stats,
        "clusters": clusters,
        "rss_main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


# ---------------------------------------------------------------- parent side


def run_perfrewrite(tree: Path, cache: Path, options: dict, code: Path, mode: str = "analyze") -> dict:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(code)}
    command = [sys.executable, __file__, "--child", mode, str(tree), str(cache), json.dumps(options)]
    return _measured(command, env, json_out=True)


def run_jscpd(jscpd: Path, tree: Path, out: Path, options: dict, extra: list[str]) -> dict:
    # run inside the tree: jscpd 4 names files relative to its working directory, jscpd 5 as given
    command = [
        str(jscpd), ".", "--min-tokens", str(options["min-tokens"]), "--min-lines", str(options["min-lines"]),
        "-f", JSCPD_FORMATS, "-r", "json", "-o", str(out), "--silent", "--no-gitignore", *extra,
    ]  # fmt: skip
    result = _measured(command, dict(os.environ), json_out=False, cwd=tree)
    report = json.loads((out / "jscpd-report.json").read_text())
    result["pairs"] = jscpd_pairs(report, tree)
    return result


def _measured(command: list[str], env: dict, json_out: bool, cwd: Path | None = None) -> dict:
    """Wall time, CPU time (the process and what it waited for) and sampled peak memory of the process tree.

    Output goes to files, not pipes: ``wait4`` (which reports the child's CPU time) must not wait on a child
    that blocks on a full pipe.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=cwd)
        sampler = TreeMemorySampler(process.pid)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        peak = sampler.stop()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        output, errors = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:3])} failed:\n{errors[-3000:]}")
    result = json.loads(output.strip().splitlines()[-1]) if json_out else {}
    result.update(wall=wall, child_cpu=usage.ru_utime + usage.ru_stime, tree_mb=peak)
    return result


def install_jscpd(folder: Path) -> dict[str, Path]:
    """version -> the jscpd command of that release, installed when missing; empty without Node and npm."""
    if not (shutil.which("node") and shutil.which("npm")):
        return {}
    commands = {}
    for version in JSCPD_VERSIONS:
        target = folder / version
        command = target / "node_modules" / ".bin" / "jscpd"
        if not command.exists():
            target.mkdir(parents=True, exist_ok=True)
            subprocess.run(["npm", "install", "--no-audit", "--no-fund", f"jscpd@{version}"], cwd=target,
                           check=True, capture_output=True)  # fmt: skip
        commands[version] = command
    return commands


def copy_tree(root: Path, destination: Path, code: Path) -> list[str]:
    listing = run_child("files", str(root), code=code)
    for path, _ in listing["files"]:
        target = destination / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(listing["root"]) / path, target)
    return [path for path, _ in listing["files"]]


RENAMED_FLAGS = ["--ignore-identifiers", "--ignore-literals", "--max-gap-lines", "2"]
# run name -> (title, version, flags); jscpd 4 has no option to abstract identifiers and literals
JSCPD_RUNS = {
    **{f"jscpd-{version}": (f"{name}, default (exact)", version, []) for version, name in JSCPD_VERSIONS.items()},
    "jscpd-renamed": (f"jscpd 5.3.3, `{' '.join(RENAMED_FLAGS)}`", "5.3.3", RENAMED_FLAGS),
}
PRIMARY = f"jscpd-{next(iter(JSCPD_VERSIONS))}"
OUR_RUNS = {"cold": "perfrewrite, cold (empty cache)", "rerun": "perfrewrite, re-run (nothing changed)",
            "edit": "perfrewrite, warm (one file edited)"}  # fmt: skip


def measure(label: str, root: Path, args: argparse.Namespace, code: Path, jscpd: dict[str, Path]) -> dict:
    options = {"min-tokens": args.min_tokens, "min-lines": args.min_lines}
    runs: dict[str, list[dict]] = {name: [] for name in [*OUR_RUNS, *JSCPD_RUNS]}
    rule_alone: list[float] = []
    with tempfile.TemporaryDirectory(prefix="perfrewrite-dups-") as scratch_name:
        scratch = Path(scratch_name)
        tree = scratch / "tree"
        files = copy_tree(root, tree, code)
        edited = tree / next(f for f in sorted(files) if f.endswith((".ts", ".tsx", ".py")))
        original = edited.read_bytes()
        for round_index in range(args.rounds):
            cache = scratch / f"cache-{round_index}"
            runs["cold"].append(run_perfrewrite(tree, cache, options, code))
            runs["rerun"].append(run_perfrewrite(tree, cache, options, code))
            # one file edited: its facts are parsed again, every other file's come from the cache
            edited.write_bytes(original + (b"\n# edited\n" if edited.suffix == ".py" else b"\n// edited\n"))
            runs["edit"].append(run_perfrewrite(tree, cache, options, code))
            rule_alone.append(run_perfrewrite(tree, cache, options, code, mode="rule")["detector_seconds"])
            edited.write_bytes(original)
            for name, (_, version, flags) in JSCPD_RUNS.items():
                if version in jscpd:
                    runs[name].append(run_jscpd(jscpd[version], tree, scratch / name, options, flags))
            times = ", ".join(f"{name} {samples[-1]['wall']:.2f}s" for name, samples in runs.items() if samples)
            _log(f"  {label} round {round_index + 1}/{args.rounds}: {times}")
    cold = runs["cold"][-1]
    result = {
        "label": label,
        "files": len(files),
        "lines": cold["stats"]["lines"],
        "ours": [[Fragment(*copy) for copy in cluster] for cluster in cold["clusters"]],
        "runs": {},
        "rule_alone": statistics.median(rule_alone),
    }
    for name, samples in runs.items():
        if not samples:
            continue
        summary = {key: statistics.median(s[key] for s in samples) for key in ("wall", "child_cpu")}
        summary["tree_mb"] = max(s["tree_mb"] for s in samples)
        if name in OUR_RUNS:
            summary["parsed"] = samples[-1]["stats"]["parsed"]
            summary["reused"] = samples[-1]["stats"]["results_reused"]
        else:
            result[name] = samples[-1]["pairs"]
        result["runs"][name] = summary
    return result


def _fmt(value: float, digits: int = 2) -> str:
    return f"{value:,.{digits}f}"


def tree_section(result: dict, args: argparse.Namespace) -> list[str]:
    runs, ours = result["runs"], result["ours"]
    lines = [
        f"## {result['label']}",
        "",
        f"{result['files']:,} files, {result['lines']:,} lines; `min-tokens` {args.min_tokens}, "
        f"`min-lines` {args.min_lines} for both tools.",
        "",
        "| run | wall s | CPU s | peak MB | clones (pairs) | clusters |",
        "|---|---|---|---|---|---|",
    ]

    def row(title: str, run: dict, pairs: int, clusters: int) -> str:
        return (f"| {title} | {_fmt(run['wall'])} | {_fmt(run['child_cpu'])} | {_fmt(run['tree_mb'], 0)} "
                f"| {pairs} | {clusters} |")  # fmt: skip

    for name, title in OUR_RUNS.items():
        run = runs[name]
        how = "result reused" if run["reused"] else f"{run['parsed']} files parsed"
        lines.append(row(f"{title}: {how}", run, sum(len(c) - 1 for c in ours), len(ours)))
    overlaps = {name: compare(ours, result[name]) for name in JSCPD_RUNS if name in runs}
    for name, overlap in overlaps.items():
        lines.append(row(JSCPD_RUNS[name][0], runs[name], overlap.their_pairs, overlap.their_clusters))
    lines += ["", f"The clone search and the findings alone, with the facts loaded: {_fmt(result['rule_alone'])} s.", ""]
    if not overlaps:
        return [*lines, "jscpd was not run (no Node/npm).", ""]
    lines += ["| compared with | jscpd pairs in a perfrewrite cluster | perfrewrite clusters with a jscpd pair |",
              "|---|---|---|"]  # fmt: skip
    for name, overlap in overlaps.items():
        lines.append(f"| {JSCPD_RUNS[name][0]} | {overlap.their_found} of {overlap.their_pairs} "
                     f"| {overlap.our_found} of {len(ours)} |")  # fmt: skip
    only_ours, only_theirs = one_sided(ours, result[PRIMARY])
    return [
        *lines,
        "",
        OVERLAP_NOTE,
        "",
        f"First clusters only perfrewrite reports (against {JSCPD_RUNS[PRIMARY][0]}): "
        + "; ".join(_where(c) for c in only_ours[:5]) + ".",
        "",
        f"First {JSCPD_RUNS[PRIMARY][0].split(',')[0]} pairs no perfrewrite cluster holds: "
        + "; ".join(_where(p) for p in only_theirs[:5]) + ".",
        "",
    ]


def _where(fragments) -> str:
    return ", ".join(f"`{f.path}:{f.first}-{f.last}`" for f in fragments)


OVERLAP_NOTE = (
    "A jscpd pair is in a perfrewrite cluster when two different copies of the cluster each cover at least half "
    "of one of its two fragments (by lines); a perfrewrite cluster has a jscpd pair when such a pair exists for "
    "it. jscpd reports pairs, perfrewrite clusters: a cluster of N copies stands for up to N(N-1)/2 pairs."
)


def write_markdown(path: Path, results: list[dict], args: argparse.Namespace, info: dict, jscpd: dict) -> None:
    lines = [
        "# Benchmarks: duplicate code",
        "",
        "Generated by `python benchmarks/duplicates.py`; every figure is measured, none is edited by hand.",
        "",
        f"- Date: {datetime.date.today().isoformat()}; code measured: {info['code']}.",
        f"- Machine: {info['cpus']} CPUs ({info['cpu_model']}), Python {info['python']}; load before: {info['load']}.",
        f"- Rounds: {args.rounds}; times are medians, memory is the worst round (sampled PSS of the process tree).",
        "- perfrewrite runs `analyze()` with only `duplicate-code` selected, in a fresh interpreter. Cold: an "
        "empty cache, every file parsed (the facts for all rules are built then). Re-run: the same files again, "
        "answered from the result cache. Warm: the same cache after one file changed, so the run's result cannot "
        "be reused: that file is parsed, every other file's slim facts (tokens, functions, JSX, hook calls) are "
        "loaded, and the clone search runs again over the cached fingerprints. Wall time includes interpreter "
        "start-up; the code is byte-compiled, as an installed package is.",
        "- jscpd, installed with npm: "
        + (
            f"{' and '.join(JSCPD_VERSIONS.values())}, each run on the same copy of the files. jscpd 5 is a Rust "
            "engine; 5.3.3 is its newest release that installs here (5.4.1's Linux binary package is missing "
            "from the registry). jscpd 4.3.0 is the last release of the JavaScript engine."
            if jscpd
            else "not run: Node or npm is missing."
        ),
        "",
    ]
    for result in results:
        lines += tree_section(result, args)
    path.write_text("\n".join(lines))


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        print(json.dumps(_child(*argv[1:])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="generated corpus scale; 0 for none")
    parser.add_argument("--repo", action="append", type=Path, default=[], help="also measure this repository")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--min-tokens", type=int, default=50)
    parser.add_argument("--min-lines", type=int, default=5)
    parser.add_argument("--jscpd", type=Path, help="folder to install jscpd releases in and reuse them from")
    parser.add_argument("--output", type=Path, default=REPO_ROOT / "BENCHMARKS-duplicates.md")
    args = parser.parse_args(argv)
    info = {**machine(), "code": code_version()}
    results = []
    with tempfile.TemporaryDirectory(prefix="perfrewrite-bench-") as scratch_name:
        scratch = Path(scratch_name)
        jscpd = install_jscpd(args.jscpd or scratch / "jscpd")
        code = snapshot_code(scratch / "code")
        if args.scale:
            corpus = scratch / "corpus"
            generate(corpus, args.scale, 0)
            results.append(measure(f"corpus {args.scale:g}x", corpus, args, code, jscpd))
        for repo in args.repo:
            results.append(measure(repo.resolve().name, repo.resolve(), args, code, jscpd))
    write_markdown(args.output, results, args, info, jscpd)
    print("\n".join(line for result in results for line in tree_section(result, args)))
    _log(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
