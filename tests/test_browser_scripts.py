"""Scripts that drive a browser are ordered by the page, so the sequential-await rules leave them alone."""

from __future__ import annotations

from optimizer.api import analyze
from optimizer.config import Config

SCRIPT = """\
import {{ chromium }} from '{package}';
export async function run(urls: string[], notifier: {{ send(u: string): Promise<void> }}) {{
  const page = await (await chromium.launch()).newPage();
  for (const url of urls) {{
    await page.goto(url);
    await notifier.send(url);
  }}
  const a = await page.title();
  const b = await notifier.send('done');
  return [a, b];
}}
"""


def rules_found(tmp_path, package: str) -> set[str]:
    (tmp_path / "script.ts").write_text(SCRIPT.format(package=package))
    config = Config(select=("sequential-await-in-loop", "sequential-independent-awaits"))
    return {f.rule for f in analyze(tmp_path, use_cache=False, config=config).findings}


def test_browser_automation_is_skipped(tmp_path):
    assert rules_found(tmp_path, "playwright") == set()


def test_the_same_code_without_a_browser_is_reported(tmp_path):
    assert "sequential-await-in-loop" in rules_found(tmp_path, "./launcher")
