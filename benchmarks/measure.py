"""Measurements for benchmarks/run.py. Each one runs in a fresh interpreter (``python measure.py MODE ...``)
so that nothing warm from an earlier measurement (imports, parsers, page cache of pickles) is counted;
the parent samples the memory of the child's whole process tree while it runs."""

from __future__ import annotations

import compileall
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve()
REPO_ROOT = HERE.parent.parent
CODE_PACKAGES = ("optimizer", "analyzers", "rewriters")
JS_SUFFIXES = {".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "tsx"}


# ---------------------------------------------------------------- child side: runs inside the subprocess


def _child_files(root: str) -> dict:
    """The files analyze() would parse, so parse-only and full analysis see the same set."""
    from optimizer.config import load_config
    from optimizer.workspace import discover

    base = Path(root).resolve()
    workspace = discover([base], load_config(base), base)
    code = [(f.path, f.language) for f in workspace.files if f.language in ("python", "javascript", "typescript", "tsx")]
    return {"root": str(base), "files": code}


def _child_parse(list_file: str) -> dict:
    """Bare parser cost on one core: tree-sitter for JS/TS/TSX, ast for Python; reading is not timed."""
    import ast

    import tree_sitter_javascript
    import tree_sitter_typescript
    from tree_sitter import Language, Parser

    spec = json.loads(Path(list_file).read_text())
    root = Path(spec["root"])
    parsers = {
        "typescript": Parser(Language(tree_sitter_typescript.language_typescript())),
        "tsx": Parser(Language(tree_sitter_typescript.language_tsx())),
        "javascript": Parser(Language(tree_sitter_javascript.language())),
    }
    sources = []
    for rel, _language in spec["files"]:
        suffix = os.path.splitext(rel)[1].lower()
        grammar = "python" if suffix in (".py", ".pyw") else JS_SUFFIXES.get(suffix, "javascript")
        sources.append((grammar, (root / rel).read_bytes()))
    seconds = {"python": 0.0, "js": 0.0}
    errors = 0
    cpu_start = time.process_time()
    for grammar, source in sources:
        if grammar == "python":
            started = time.perf_counter()
            try:
                ast.parse(source)
            except (SyntaxError, ValueError):
                errors += 1
            seconds["python"] += time.perf_counter() - started
        else:
            started = time.perf_counter()
            tree = parsers[grammar].parse(source)
            seconds["js"] += time.perf_counter() - started
            errors += tree.root_node.has_error
    return {
        "seconds": seconds["python"] + seconds["js"],
        "cpu": time.process_time() - cpu_start,
        "python_seconds": seconds["python"],
        "js_seconds": seconds["js"],
        "files": len(sources),
        "lines": sum(source.count(b"\n") + 1 for _, source in sources),
        "errors": errors,
    }


def _child_analyze(root: str, cache_dir: str, jobs: str, stage: str = "full") -> dict:
    """``stage`` "full": every detector plus the code graph; "facts": the parse stage alone (no detector)."""
    started = time.perf_counter()
    import optimizer
    from optimizer.api import analyze
    from optimizer.cache import tool_fingerprint
    from optimizer.config import Config

    import_seconds = time.perf_counter() - started
    cpu_self, cpu_children = time.process_time(), resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    config = Config(ignore=("all",)) if stage == "facts" else Config()
    report = analyze(root, config=config, jobs=None if jobs == "default" else int(jobs), cache_dir=cache_dir)
    graph_started = time.perf_counter()
    if stage == "full" and not report.stats["results_reused"]:
        report.project.graph  # project detectors need it whenever results are computed, not reused
    graph_seconds = time.perf_counter() - graph_started
    seconds = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "seconds": seconds,
        "cpu": time.process_time() - cpu_self + (children.ru_utime + children.ru_stime)
        - (cpu_children.ru_utime + cpu_children.ru_stime),
        "import_seconds": import_seconds,
        "graph_seconds": graph_seconds,
        "stats": report.stats,
        "errors": len(report.errors),
        "error_samples": [f"{e.path}: {e.message}" for e in report.errors[:5]],
        "findings": len(report.findings),
        "code": str(Path(optimizer.__file__).resolve().parent.parent),
        "fingerprint": tool_fingerprint(),
        # ru_maxrss is in KiB on Linux; the children figure is the largest single worker, not a sum
        "rss_main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_worker_mb": children.ru_maxrss / 1024,
    }


# ---------------------------------------------------------------- parent side


def _tree_pids(pid: int) -> list[int]:
    pids, stack = [], [pid]
    while stack:
        current = stack.pop()
        pids.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    stack.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return pids


def _memory_kb(pid: int) -> int:
    """Proportional set size: pages shared by forked workers are split between them, not counted twice."""
    for path, key in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            with open(path) as handle:
                for line in handle:
                    if line.startswith(key):
                        return int(line.split()[1])
        except OSError:
            continue
    return 0


class TreeMemorySampler(threading.Thread):
    """Peak of the summed memory of a process and its descendants, sampled every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_kb = pid, interval, 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak_kb = max(self.peak_kb, sum(_memory_kb(p) for p in _tree_pids(self.pid)))
            self._stop_event.wait(self.interval)

    def stop(self) -> float:
        self._stop_event.set()
        self.join()
        return self.peak_kb / 1024


def snapshot_code(destination: Path) -> Path:
    """Copy the packages under test, so that edits to the working tree during a long run cannot mix two
    versions of the code (a changed analyzer also invalidates the warm cache half-way through a tree)."""
    for package in CODE_PACKAGES:
        shutil.copytree(REPO_ROOT / package, destination / package, ignore=shutil.ignore_patterns("__pycache__"))
    # byte-compiled as an installed package is: the runs measure the code, not the compiler
    compileall.compile_dir(destination, quiet=1)
    return destination


def code_version() -> str:
    """The commit measured, and whether the working tree differed from it."""
    try:
        commit = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
        changed = subprocess.run(["git", "-C", str(REPO_ROOT), "status", "--porcelain", "--", *CODE_PACKAGES],
                                 capture_output=True, text=True, check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{commit} + uncommitted changes in {len(changed)} files" if changed else commit


def _env(code: Path | None) -> dict[str, str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    if code is not None:
        # PYTHONPATH comes before the editable install's finder, so the snapshot is what gets imported
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code), env.get("PYTHONPATH")]))
    return env


def run_child(mode: str, *args: str, code: Path | None = None, timeout: float = 3600) -> dict:
    """Run one measurement in a fresh interpreter; its JSON result plus wall time and sampled peak memory."""
    env = _env(code)
    if mode == "analyze":
        env["PERFREWRITE_CACHE_DIR"] = args[1]
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(HERE), mode, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    sampler = TreeMemorySampler(process.pid)
    sampler.start()
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        raise RuntimeError(f"{mode} timed out after {timeout:.0f}s") from None
    finally:
        peak_mb = sampler.stop()
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"{mode} {' '.join(args)} failed ({process.returncode}):\n{err[-3000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    result["wall"] = wall
    result["tree_mb"] = peak_mb
    return result


def startup_seconds(runs: int = 5, code: Path | None = None) -> float:
    """Median wall time of ``perfrewrite --version`` through the console script next to this interpreter."""
    script = Path(sys.executable).parent / "perfrewrite"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "optimizer.cli"]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([*command, "--version"], check=True, capture_output=True, env=_env(code))
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def machine() -> dict:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), cpu)
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load": [round(x, 2) for x in load],
    }


def main(argv: list[str]) -> int:
    mode, *args = argv
    handlers = {"files": _child_files, "parse": _child_parse, "analyze": _child_analyze}
    print(json.dumps(handlers[mode](*args)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
