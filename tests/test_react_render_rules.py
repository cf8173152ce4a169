"""The React render-cost rules: reading dependency arrays, and what counts as expensive work in a render."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from analyzers.detectors.unstable_hook_dependency import dependency_entries
from js_helpers import facts
from optimizer.api import analyze


@pytest.mark.parametrize(
    ("text", "entries"),
    [
        ("[]", []),
        ("[a, b.c, setX]", ["a", "b.c", "setX"]),
        ("[{ a: 1, b: [2, 3] }, (x, y) => f(x, y), 'a,b', `${x},${y}`]",
         ["{ a: 1, b: [2, 3] }", "(x, y) => f(x, y)", "'a,b'", "`${x},${y}`"]),
        ("[a, b,]", ["a", "b"]),
        ("deps", []),
        # Cut off at the 200-character limit: the last, incomplete entry is dropped.
        ("[first, second, " + "x" * 190, ["first", "second"]),
    ],
)
def test_dependency_entries_split_the_top_level_only(text, entries):
    assert dependency_entries(text) == entries


def _findings(tmp_path: Path, files: dict[str, str], rule: str) -> list[tuple[str, int, float]]:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    report = analyze(tmp_path, use_cache=False)
    return sorted((f.location.path, f.location.line, f.weight) for f in report.findings if f.rule == rule)


def test_dependencies_of_custom_hooks_are_checked_and_outer_scopes_followed(tmp_path):
    found = _findings(tmp_path, {"src/hooks.tsx": """
        export function useTitle(title) {
          const parts = [title];
          useEffect(() => { document.title = parts.join(''); }, [parts]);
        }
        export function Page({ id }) {
          const query = { id };
          const onLoad = useCallback(() => load(query), [query]);
          const unrelated = () => 1;
          useEffect(() => { onLoad(); }, [onLoad, id]);
          return <div onClick={unrelated} />;
        }
        export function helper(value) {
          const box = { value };
          useEffect(() => {}, [box]);
        }
        """}, "unstable-hook-dependency")
    # `helper` is neither a component nor a hook: its body does not run per render.
    assert [line for _, line, _ in found] == [4, 8]


def test_expensive_work_in_list_items_weighs_more(tmp_path):
    found = _findings(tmp_path, {
        "src/Row.tsx": """
            export function Row({ item }) {
              const tags = item.tags.filter((t) => t.on).map((t) => t.name);
              return <li>{tags.join(',')}</li>;
            }
            """,
        "src/List.tsx": """
            import { Row } from './Row';
            export function List({ items }) {
              const visible = items.filter((i) => i.on).sort((a, b) => a.n - b.n);
              return <ul>{visible.map((i) => <Row key={i.id} item={i} />)}</ul>;
            }
            """,
    }, "unmemoized-expensive-computation")
    assert found == [("src/List.tsx", 4, 1.0), ("src/Row.tsx", 3, 2.0)]


def test_work_in_callbacks_and_on_module_constants_is_not_reported(tmp_path):
    found = _findings(tmp_path, {"src/App.tsx": """
        const KINDS = ['a', 'b'];
        export function App({ rows }) {
          const kinds = KINDS.filter((k) => k).map((k) => k.toUpperCase());
          const total = useMemo(() => rows.filter((r) => r.on).map((r) => r.n), [rows]);
          useEffect(() => { JSON.parse(rows[0]); }, [rows]);
          const onClick = () => new RegExp(rows[0]);
          return <button onClick={onClick}>{kinds}{total}</button>;
        }
        """}, "unmemoized-expensive-computation")
    assert found == []


def test_functions_returning_a_literal_are_marked():
    module = facts(
        """
        function useA(x) { if (x) { return { x }; } return null; }
        const useB = () => ({ b: 1 });
        function useC() { const v = useMemo(() => [1], []); return v; }
        function useD() { useEffect(() => { return () => [1]; }); return 1; }
        """,
        "tsx",
        "m.tsx",
    )
    marked = {fn.qualname for fn in module.functions if fn.returns_literal}
    # A `return` inside a nested function belongs to that function.
    assert marked == {"useA", "useB", "useC.v", "<arrow@5:44>"}


def test_default_for_a_missing_hook_result_is_not_work_on_every_render(tmp_path):
    fallback = (
        "export function Clock() {\n"
        "  const zone = useZone() ?? Intl.DateTimeFormat().resolvedOptions().timeZone\n"
        "  const raw = useRaw()\n"
        "  const parsed = JSON.parse(raw)\n"
        "  return <time>{zone}{parsed.at}</time>\n"
        "}\n"
    )
    found = _findings(tmp_path, {"Clock.jsx": fallback}, "unmemoized-expensive-computation")
    assert [(path, line) for path, line, _ in found] == [("Clock.jsx", 4)]
