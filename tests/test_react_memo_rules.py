"""The React memoisation rules: literal facts, `memo` wrappers and comparators, and the React Compiler skip."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from analyzers.detectors._react import memo_wrappers
from js_helpers import facts
from optimizer.api import analyze
from optimizer.react_compiler import react_compiler_enabled

_RULES = {"unstable-context-value", "unstable-props-to-memo-component"}


def test_literal_bindings_are_recorded_apart_from_instance_bindings():
    module = facts(
        """
        const TOP = { a: 1 };
        function Page() {
          const style = { color: 'red' };
          const cols = ['a'];
          const svc = new Service();
          return <div style={style} />;
        }
        """,
        "tsx",
        "m.tsx",
    )
    assert [(b.name, b.kind, b.scope) for b in module.literals] == [
        ("TOP", "object", None), ("style", "object", "Page"), ("cols", "array", "Page"),
    ]
    assert [b.name for b in module.bindings] == ["svc"]


@pytest.mark.parametrize(
    ("comparator", "compared", "opaque"),
    [
        ("", None, False),
        (", (prev, next) => prev.id === next.id", frozenset({"id"}), False),
        (", function eq(a, b) { return a.id === b.id && a.tags?.length === b.tags?.length; }",
         frozenset({"id", "tags"}), False),
        (", (prev, next) => isEqual(prev, next)", None, False),
        (", areEqual", None, True),
    ],
)
def test_memo_wrappers_read_the_comparator(comparator, compared, opaque):
    module = facts(f"function Row() {{ return <li />; }}\nexport default memo(Row{comparator});\n", "tsx", "m.tsx")
    wrapper = memo_wrappers(module)["default"]
    assert (wrapper.compared, wrapper.opaque) == (compared, opaque)


def test_memo_wrappers_find_bound_names_only():
    module = facts(
        """
        export const Cell = memo(function Cell() { return <td />; });
        const Other = React.memo((p) => <b />);
        export const Wrapped: React.FC<Props> =
          React.memo(function Wrapped() { return <i />; });
        const value = useMemo(() => 1, []);
        """,
        "tsx",
        "m.tsx",
    )
    assert sorted(memo_wrappers(module)) == ["Cell", "Other", "Wrapped"]


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def test_react_compiler_is_found_in_a_manifest_or_a_build_config(tmp_path):
    _write(tmp_path, {"web/src/App.tsx": "", "web/package.json": json.dumps({"dependencies": {"react": "19"}})})
    assert not react_compiler_enabled(tmp_path, ["web/src/App.tsx"])
    (tmp_path / "web/vite.config.ts").write_text("react({ babel: { plugins: ['babel-plugin-react-compiler'] } })")
    assert react_compiler_enabled(tmp_path, ["web/src/App.tsx"])
    (tmp_path / "web/vite.config.ts").unlink()
    manifest = {"devDependencies": {"babel-plugin-react-compiler": "1.0.0"}}
    (tmp_path / "package.json").write_text(json.dumps(manifest))
    assert react_compiler_enabled(tmp_path, ["web/src/App.tsx"])


_APP = {
    "src/Row.tsx": """
        import { memo } from 'react';
        function Row({ onSelect }) { return <li onClick={onSelect} />; }
        export default memo(Row);
        """,
    "src/App.tsx": """
        import { createContext } from 'react';
        import Row from './Row';
        const Ctx = createContext(null);
        export function App({ items }) {
          return <Ctx.Provider value={{ items }}>{items.map((i) => <Row key={i} onSelect={() => i} />)}</Ctx.Provider>;
        }
        """,
}


@pytest.mark.parametrize("compiler", [False, True])
def test_rules_are_skipped_when_the_react_compiler_is_enabled(tmp_path, compiler):
    deps = {"react": "19", **({"babel-plugin-react-compiler": "1.0.0"} if compiler else {})}
    _write(tmp_path, {**_APP, "package.json": json.dumps({"dependencies": deps})})
    report = analyze(tmp_path, use_cache=False)
    found = sorted((f.rule, f.location.line) for f in report.findings if f.rule in _RULES)
    expected = [("unstable-context-value", 6), ("unstable-props-to-memo-component", 6)]
    assert found == ([] if compiler else expected)


def test_list_elements_weigh_more(tmp_path):
    _write(tmp_path, {
        **_APP,
        "src/Single.tsx": """
            import Row from './Row';
            export function Single() { return <Row onSelect={() => 1} />; }
            """,
    })
    report = analyze(tmp_path, use_cache=False)
    weights = {f.location.path: f.weight for f in report.findings if f.rule == "unstable-props-to-memo-component"}
    assert weights["src/App.tsx"] > weights["src/Single.tsx"]
