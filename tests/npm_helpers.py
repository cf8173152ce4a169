"""Node packages for tests that type-check or run JS/TS: one pinned npm install, cached across runs.

The packages go into a folder named after the pinned list, under $PERFREWRITE_TEST_NPM_DIR (default
~/.cache/perfrewrite-tests/npm), so repeated runs and CI reuse them without the network. The session fixture
``node_modules`` (tests/conftest.py) installs them once, or skips with the reason when npm cannot (fails instead under CI).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

# CI sets PERFREWRITE_REQUIRE_NODE=1: there a missing Node or npm fails the tests that need them instead of
# skipping them, so the runs before and after a rewrite cannot silently drop out of a green build
REQUIRE_NODE = os.environ.get("PERFREWRITE_REQUIRE_NODE") == "1"

# Pinned: a new TypeScript or @types release must not change what the tests see.
NPM_PACKAGES = (
    "typescript@5.5.4",
    "@types/node@20.14.10",
    "@types/react@18.3.3",
    "@types/react-dom@18.3.0",
    "@types/express@4.17.21",
    "@types/pg@8.11.6",
    "@types/lodash@4.17.7",
    "react@18.3.1",
    "react-dom@18.3.1",
    "react-router-dom@6.24.1",
    "axios@1.7.2",
    "lodash@4.17.21",
)
INSTALL_TIMEOUT_SECONDS = 300


def npm_cache_root() -> Path:
    configured = os.environ.get("PERFREWRITE_TEST_NPM_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "perfrewrite-tests" / "npm"


def install_node_packages(packages: tuple[str, ...] = NPM_PACKAGES) -> Path:
    """The node_modules folder holding ``packages``, installed on first use. Raises RuntimeError with the
    reason when node or npm is missing or the install fails (offline, registry down)."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} is not installed")
    key = hashlib.sha256("\n".join(packages).encode()).hexdigest()[:16]
    folder = npm_cache_root() / key
    folder.mkdir(parents=True, exist_ok=True)
    stamp = folder / "installed.json"
    # a lock, so that two test runs sharing the folder do not install into it at the same time
    with open(npm_cache_root() / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and json.loads(stamp.read_text()) == list(packages):
            return folder / "node_modules"
        command = ["npm", "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(folder), *packages]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"npm install took over {INSTALL_TIMEOUT_SECONDS} s (offline?)") from None
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise RuntimeError(f"npm install failed (offline?): {' | '.join(tail)}")
        stamp.write_text(json.dumps(list(packages)))
    return folder / "node_modules"


def run_tsc(node_modules: Path, project: Path) -> subprocess.CompletedProcess:
    """``tsc --noEmit -p project`` with the installed TypeScript."""
    tsc = node_modules / "typescript" / "bin" / "tsc"
    return subprocess.run(
        ["node", str(tsc), "--noEmit", "--pretty", "false", "-p", str(project)],
        capture_output=True,
        text=True,
        timeout=120,
    )


# Registered before the script runs: `require` then finds and compiles .ts/.tsx/.jsx files itself.
_TS_REQUIRE_HOOK = """
const fs = require('fs');
const ts = require('typescript');
const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, jsx: ts.JsxEmit.ReactJSX,
  esModuleInterop: true };
for (const ext of ['.ts', '.tsx', '.jsx']) {
  require.extensions[ext] = (module, filename) => {
    const source = fs.readFileSync(filename, 'utf8');
    module._compile(ts.transpileModule(source, { fileName: filename, compilerOptions: options }).outputText, filename);
  };
}
require(process.argv[1]);
"""


def run_node(node_modules: Path, script: Path) -> object:
    """Run ``script`` with Node, the installed packages resolvable and TS/JSX compiled on require; returns the
    JSON the script prints last."""
    done = subprocess.run(
        ["node", "-e", _TS_REQUIRE_HOOK, str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=script.parent,
        env={**os.environ, "NODE_PATH": str(node_modules)},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
