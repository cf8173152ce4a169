"""The command line: exit codes, the JSON contract, rules/explain, and usage errors."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from optimizer.cli import main

N_PLUS_ONE = "async function f(prisma, ids) {\n  for (const id of ids) {\n    await prisma.user.findUnique({ where: { id } });\n  }\n}\n"


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_exit_codes(tmp_path):
    (tmp_path / "clean.ts").write_text("export const a = 1;\n")
    assert run(str(tmp_path), "--no-cache").exit_code == 0
    (tmp_path / "slow.ts").write_text(N_PLUS_ONE)
    assert run(str(tmp_path), "--no-cache").exit_code == 1
    assert run(str(tmp_path), "--no-cache", "--fail-on", "error").exit_code == 0
    assert run(str(tmp_path), "--no-cache", "--ignore", "n-plus-one-query").exit_code == 0
    assert run(str(tmp_path), "--select", "no-such-rule").exit_code == 2
    assert run(str(tmp_path), "--format", "yaml").exit_code == 2


def test_json_contract(tmp_path):
    (tmp_path / "slow.ts").write_text(N_PLUS_ONE)
    (tmp_path / "broken.py").write_text("def (:\n")
    result = run(str(tmp_path), "--dry-run", "--format", "json", "--no-cache")
    data = json.loads(result.output)
    assert set(data) == {"version", "tool", "root", "findings", "errors", "stats"}
    assert (data["version"], data["tool"], data["root"]) == (1, "perfrewrite", ".")
    [finding] = data["findings"]
    assert set(finding) >= {"rule", "category", "severity", "path", "line", "column", "end_line", "end_column",
                            "message", "impact", "component", "related"}
    assert (finding["path"], finding["line"], finding["column"]) == ("slow.ts", 3, 11)
    assert finding["category"] == "n_plus_one" and finding["related"][0]["line"] == 2
    assert data["errors"][0]["path"] == "broken.py"
    assert data["stats"]["files"] == 2 and "seconds" in data["stats"]


def test_output_file_and_dry_run_writes_nothing_in_the_tree(tmp_path):
    tree = tmp_path / "repo"
    tree.mkdir()
    (tree / "slow.ts").write_text(N_PLUS_ONE)
    before = sorted(p.name for p in tree.rglob("*"))
    out = tmp_path / "report.json"
    run(str(tree), "--dry-run", "--format", "json", "-o", str(out))
    assert json.loads(out.read_text())["findings"]
    assert sorted(p.name for p in tree.rglob("*")) == before


def test_rules_and_explain():
    listing = run("rules").output
    assert "n-plus-one-query" in listing
    assert "## Why is this slow?" in run("explain", "n-plus-one-query").output
    assert run("explain", "nope").exit_code == 2


def test_version_via_console_entry():
    done = subprocess.run([sys.executable, "-c", "from optimizer.cli import run; run()", "--version"],
                          capture_output=True, text=True)
    assert done.returncode == 0 and "perfrewrite" in done.stdout


def test_config_error_is_usage_error(tmp_path):
    (tmp_path / ".perfrewrite.toml").write_text("bogus = 1\n")
    result = run(str(tmp_path))
    assert result.exit_code == 2 and "bogus" in result.output


def test_graph_export_json_and_dot(tmp_path):
    (tmp_path / "db.ts").write_text("export async function load(prisma, id) { return prisma.user.findUnique({ where: { id } }); }\n")
    (tmp_path / "route.ts").write_text("import { load } from './db';\nexport async function handler(id) { return load(id); }\n")
    data = json.loads(run("graph", str(tmp_path), "--no-cache").output)
    edges = {(e["source"], e["target"], e["kind"]) for e in data["edges"]}
    assert ("function:route.ts::handler", "function:db.ts::load", "calls") in edges
    assert ("module:route.ts", "module:db.ts", "imports") in edges
    dot = run("graph", str(tmp_path), "--format", "dot", "--no-cache").output
    assert dot.startswith("digraph") and '"function:route.ts::handler" -> "function:db.ts::load"' in dot
