"""React codemods checked with the pinned React and TypeScript (tests/npm_helpers.py): the memo lists render the
same before and after stable-props, their memo rows stop re-rendering after it, and the rewritten fixtures type-check
under strict settings."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

PAIRS = Path(__file__).resolve().parent.parent / "fixtures" / "rewrites"

RENDER_DRIVER = """
const React = require('react');
const { renderToStaticMarkup } = require('react-dom/server');
const { TodoList } = require('./TodoList.tsx');
const SalesChart = require('./SalesChart.jsx').default;
const todos = [{ id: '1', title: 'write', done: false }, { id: '2', title: 'ship', done: true }];
console.log(JSON.stringify([
  renderToStaticMarkup(React.createElement(TodoList, { initial: todos, onSave() {} })),
  renderToStaticMarkup(React.createElement(SalesChart, { sales: [{ total: 5 }, { total: 9 }], currency: 'EUR' })),
]));
"""
PAGES = {
    "pages/Home.tsx": "export default function Home() { return <p>home</p>; }\n",
    "pages/Dashboard.tsx": "export default function Dashboard() { return <p>dashboard</p>; }\n",
    "pages/Settings.tsx": "export function Settings() { return <p>settings</p>; }\n",
    "components/Layout.tsx": (
        "import type { ReactNode } from 'react';\n"
        "export function Layout({ children }: { children: ReactNode }) { return <main>{children}</main>; }\n"
    ),
}
STRICT = {"strict": True, "jsx": "react-jsx", "module": "esnext", "moduleResolution": "bundler", "target": "es2020",
          "noEmit": True, "skipLibCheck": True, "verbatimModuleSyntax": True}


def _memo_lists(folder: Path, version: str) -> Path:
    """``folder`` holding the stable-props fixtures as they are ``before`` or ``after`` the rewrite."""
    folder.mkdir()
    for name in ("TodoList.tsx", "SalesChart.jsx"):
        fixture = name if version == "before" else name.replace(".", ".fixed.")
        shutil.copy(PAIRS / "stable-props" / fixture, folder / name)
    return folder


def test_the_memo_lists_render_the_same(node_modules: Path, tmp_path: Path) -> None:
    from npm_helpers import run_node

    markup = {}
    for version in ("before", "after"):
        folder = _memo_lists(tmp_path / version, version)
        (folder / "driver.js").write_text(RENDER_DRIVER, encoding="utf-8")
        markup[version] = run_node(node_modules, folder / "driver.js")
    todo_list, sales_chart = markup["before"]
    assert "ship" in todo_list and "cy=\"9\"" in sales_chart
    assert markup["after"] == markup["before"]


def test_a_parent_re_render_skips_the_memo_rows_only_after_the_rewrite(node_modules: Path, tmp_path: Path) -> None:
    """What the codemod is for: mounted with react-dom and rendered again with the same props, the parents
    hand their memo children new objects and functions before the rewrite (each child renders again) and the
    same ones after (React skips every child)."""
    from npm_helpers import run_node

    counts = {}
    for version in ("before", "after"):
        folder = _memo_lists(tmp_path / version, version)
        shutil.copy(Path(__file__).with_name("memo_rerender_driver.js"), folder / "driver.js")
        shutil.copy(Path(__file__).with_name("fake_dom.js"), folder / "fake_dom.js")
        counts[version] = run_node(node_modules, folder / "driver.js")
    (first, second), (first_after, second_after) = counts["before"], counts["after"]
    assert first == first_after and set(first) >= {"TodoRow", "Chart"} and all(first.values())
    assert second == {name: 2 * count for name, count in first.items()}
    assert second_after == first_after


def test_the_rewritten_fixtures_type_check_under_strict_settings(node_modules: Path, tmp_path: Path) -> None:
    """`{ position: 'absolute' }` hoisted without the prop's type would widen to `string`; an untyped handler
    parameter would be an implicit `any`; `lazy` needs a default export: tsc sees all three."""
    from npm_helpers import run_tsc

    for path, text in PAGES.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    for codemod, name in (("stable-props", "TodoList.tsx"), ("lazy-route", "AppRoutes.tsx")):
        shutil.copy(PAIRS / codemod / name.replace(".", ".fixed."), tmp_path / name)
    (tmp_path / "node_modules").symlink_to(node_modules, target_is_directory=True)
    (tmp_path / "tsconfig.json").write_text(json.dumps({"compilerOptions": STRICT, "include": ["."]}))
    done = run_tsc(node_modules, tmp_path / "tsconfig.json")
    assert done.returncode == 0, done.stdout
