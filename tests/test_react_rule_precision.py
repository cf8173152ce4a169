"""Shapes of real React apps the React rules must read right: a page that adds little to a large first bundle,
a `memo` comparator that compares a prop by value, and a context read only by a hook nobody imports."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from analyzers.detectors._react import memo_wrappers
from js_helpers import facts
from optimizer.api import analyze

_SHELL_LINES = 2100  # above the 2,000-line floor under which every page stays reported


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def _findings(root: Path, rule: str) -> list:
    return [f for f in analyze(root, use_cache=False).findings if f.rule == rule]


def _app(tmp_path: Path, shell_lines: int, callback_imports: str = "") -> None:
    shell = "".join(f"export const part{i} = {i};\n" for i in range(shell_lines))
    _write(tmp_path, {
        "package.json": json.dumps({"dependencies": {"react": "18.2.0", "react-router-dom": "6.22.0"}}),
        "src/shell.ts": shell,
        "src/pages/Home.tsx": "import { part1 } from '../shell';\nexport default () => <main>{part1}</main>;\n",
        "src/pages/Callback.tsx": (
            f"{callback_imports}import {{ part2 }} from '../shell';\nexport default () => <p>{{part2}}</p>;\n"
        ),
        "src/router.tsx": """\
            import { createBrowserRouter } from 'react-router-dom';
            import Home from './pages/Home';
            import Callback from './pages/Callback';

            export const router = createBrowserRouter([
              { path: '/', element: <Home /> },
              { path: '/callback', element: <Callback /> },
            ]);
            """,
    })


def test_a_page_over_a_large_shared_shell_is_not_reported(tmp_path):
    _app(tmp_path, _SHELL_LINES)
    assert _findings(tmp_path, "static-route-import") == []


@pytest.mark.parametrize(
    ("shell_lines", "callback_imports"),
    [
        (50, ""),  # a small app: the floor keeps the finding
        (_SHELL_LINES, "import { z } from 'zod';\n"),  # the page brings a package the first bundle lacks
    ],
)
def test_a_page_that_adds_weight_stays_reported(tmp_path, shell_lines, callback_imports):
    _app(tmp_path, shell_lines, callback_imports)
    [finding] = _findings(tmp_path, "static-route-import")
    assert "`Callback`" in finding.message


@pytest.mark.parametrize(
    ("comparator", "compared", "by_value"),
    [
        ("(a, b) => a.id === b.id && isEqual(a.tags, b.tags)", {"id", "tags"}, {"tags"}),
        ("(a, b) => a.tags === b.tags && isEqual(a.tags, b.tags)", {"tags"}, set()),
        ("(a, b) => dequal(a.rows ?? [], b.rows ?? []) && a.onPick === b.onPick", {"rows", "onPick"}, {"rows"}),
    ],
)
def test_memo_comparators_tell_value_from_identity(comparator, compared, by_value):
    module = facts(f"function Row() {{ return <li />; }}\nexport default memo(Row, {comparator});\n", "tsx", "m.tsx")
    wrapper = memo_wrappers(module)["default"]
    assert (wrapper.compared, wrapper.by_value) == (frozenset(compared), frozenset(by_value))


def test_a_comparator_longer_than_the_facts_keep_is_read_from_the_source():
    checks = " && ".join(f"a.p{i} === b.p{i}" for i in range(20))
    source = (
        f"function Row() {{ return <li />; }}\nexport default memo(Row, (a, b) => {checks} && isEqual(a.s, b.s));\n"
    )
    module = facts(source, "tsx", "m.tsx")
    assert memo_wrappers(module)["default"].compared is None  # cut off: every prop counts
    wrapper = memo_wrappers(module, source.encode())["default"]
    assert wrapper.by_value == frozenset({"s"}) and "p19" in wrapper.compared


def _theme_app(tmp_path: Path, toggle_import: str) -> None:
    _write(tmp_path, {
        "package.json": json.dumps({"dependencies": {"react": "18.2.0"}}),
        "src/ThemeProvider.tsx": """\
            import { createContext, useContext, useState } from 'react';
            const ThemeContext = createContext(null);
            export function ThemeProvider({ children }) {
              const [theme, setTheme] = useState('light');
              const value = { theme, setTheme };
              return <ThemeContext.Provider value={value}>{children}</ThemeContext.Provider>;
            }
            export const useTheme = () => useContext(ThemeContext);
            """,
        "src/Toggle.tsx": f"{toggle_import}\nexport const Toggle = () => <button>{{String(useTheme())}}</button>;\n",
    })


def test_a_context_whose_only_hook_nobody_imports_is_not_reported(tmp_path):
    _theme_app(tmp_path, "import { useTheme } from './elsewhere';")
    assert _findings(tmp_path, "unstable-context-value") == []


def test_a_context_read_through_an_imported_hook_is_reported(tmp_path):
    _theme_app(tmp_path, "import { useTheme } from './ThemeProvider';")
    [finding] = _findings(tmp_path, "unstable-context-value")
    assert finding.path == "src/ThemeProvider.tsx"
