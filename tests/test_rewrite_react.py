"""lazy-route and stable-props beyond their fixture pairs (checked in test_rewrite_codemods): how each finding's
fix is rated, the shapes each codemod declines, and Node runs of the rewritten code against the original."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from npm_helpers import REQUIRE_NODE

from analyzers.js_queries import grammar
from optimizer.api import analyze
from optimizer.findings import Applicability
from rewriters.edits import NoFix, apply_edits
from rewriters.engine import plan
from rewriters.javascript import lazy_route, stable_props

PAIRS = Path(__file__).resolve().parent.parent / "fixtures" / "rewrites"
NODE = shutil.which("node")


def _fixes(root: Path, rule: str):
    return [f.fix for f in analyze([root], root=root, use_cache=False).findings if f.rule == rule]


def _rewrite(module, source: str, language: str = "tsx") -> str:
    return apply_edits(source.encode(), module.compute_edits(source.encode(), language))[0].decode()


def _node(script: Path) -> object:
    done = subprocess.run([NODE, str(script)], capture_output=True, text=True, timeout=60, cwd=script.parent)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---- lazy-route ----------------------------------------------------------------------------------------------

ROUTES = """import {{ Route, Routes }} from 'react-router-dom';
{imports}

export function App() {{
  return (
    <Routes>
      <Route path="/reports" element={{<Reports />}} />
    </Routes>
  );
}}
{extra}"""


def _routes(imports: str = "import Reports from './pages/Reports';", extra: str = "") -> str:
    return ROUTES.format(imports=imports, extra=extra)


def test_route_fix_is_unsafe_and_left_out_of_a_safe_run(tmp_path: Path) -> None:
    (tmp_path / "App.tsx").write_text(_routes(), encoding="utf-8")
    (fix,) = _fixes(tmp_path, "static-route-import")
    assert fix is not None and fix.codemod == lazy_route.CODEMOD_ID
    assert fix.applicability is Applicability.UNSAFE
    assert [r for r in plan(analyze([tmp_path], root=tmp_path, use_cache=False)) if r.changed] == []


def test_a_file_without_a_react_import_gets_one() -> None:
    fixed = _rewrite(lazy_route, _routes())
    assert fixed.startswith("import { lazy, Suspense } from 'react';\nimport { Route, Routes }")
    assert "const Reports = lazy(() => import('./pages/Reports'));" in fixed
    assert "    <Suspense fallback={null}>\n      <Routes>\n        <Route" in fixed


def test_an_enclosing_suspense_is_kept_and_its_import_reused() -> None:
    source = _routes("import { Suspense as Boundary } from 'react';\nimport Reports from './pages/Reports';")
    source = source.replace("<Routes>\n", "<Boundary fallback={<p />}>\n<Routes>\n").replace(
        "</Routes>\n", "</Routes>\n</Boundary>\n"
    )
    fixed = _rewrite(lazy_route, source)
    assert "import { Suspense as Boundary, lazy } from 'react';" in fixed
    assert fixed.count("Boundary fallback") == 1 and "Suspense fallback" not in fixed


def test_a_v5_switch_is_wrapped() -> None:
    source = (
        "import React from 'react';\nimport { Route, Switch } from 'react-router-dom';\n"
        "import Reports from './views/Reports';\n\n"
        "export const App = () => <Switch><Route path=\"/r\" component={Reports} /></Switch>;\n"
    )
    fixed = _rewrite(lazy_route, source, "javascript")
    assert "const Reports = React.lazy(() => import('./views/Reports'));" in fixed
    route = '<Route path="/r" component={Reports} />'
    assert f"<React.Suspense fallback={{null}}><Switch>{route}</Switch></React.Suspense>" in fixed


@pytest.mark.parametrize(
    ("imports", "extra", "why"),
    [
        ("import Reports from './pages/Reports';", "Reports.preload?.();\n", "used other than as a route"),
        ("import Reports from './pages/Reports';", "track(Reports);\n", "used other than as a route"),
        ("import Reports from './pages/Reports';", "export const preview = <Reports />;\n", "used other than"),
        ("import type Reports from './pages/Reports';", "", "type-only"),
        ("import Reports, { columns } from './pages/Reports';", "export { columns };\n", "also binds `columns`"),
        ("import * as Reports from './pages/Reports';", "", "namespace"),
    ],
)
def test_route_declines(imports: str, extra: str, why: str) -> None:
    source = _routes(imports, extra)
    if "namespace" in why:
        source = source.replace("<Reports />", "<Reports.Page />")
    with pytest.raises(NoFix, match=why):
        lazy_route.compute_edits(source.encode(), "tsx")


def test_a_data_router_component_key_is_declined() -> None:
    source = (
        "import { createBrowserRouter } from 'react-router-dom';\nimport Reports from './pages/Reports';\n"
        "export const router = createBrowserRouter([{ path: '/r', Component: Reports }]);\n"
    )
    with pytest.raises(NoFix, match="used other than as a route's element"):
        lazy_route.compute_edits(source.encode(), "tsx")


def test_index_pages_and_other_directories_stay_static() -> None:
    source = _routes("import Home from './pages/Home';\nimport Reports from './components/Reports';")
    source = source.replace('<Route path="/reports"', '<Route index element={<Home />} />\n      <Route path="/r"')
    assert lazy_route.compute_edits(source.encode(), "tsx") == []


def test_a_mixed_import_has_no_fix(tmp_path: Path) -> None:
    (tmp_path / "App.tsx").write_text(
        _routes("import Reports, { columns } from './pages/Reports';", "export { columns };\n"), encoding="utf-8"
    )
    assert _fixes(tmp_path, "static-route-import") == [None]


@pytest.mark.skipif(NODE is None and not REQUIRE_NODE, reason="node is not installed")
def test_lazy_declarations_load_what_the_imports_bound(tmp_path: Path) -> None:
    """Run the fixture's lazy declarations in Node (with `lazy` returning its loader) and check each loads, as
    its default export, the very component the static import bound."""
    before = (PAIRS / "lazy-route" / "AppRoutes.tsx").read_text(encoding="utf-8")
    after = (PAIRS / "lazy-route" / "AppRoutes.fixed.tsx").read_text(encoding="utf-8")
    declarations = re.findall(r"^const (\w+) = lazy\(.*$", after, re.M)
    assert declarations == ["Dashboard", "Settings"]
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "Dashboard.mjs").write_text("export default function Dashboard() {}\n")
    (pages / "Settings.mjs").write_text("export function Settings() {}\nexport default function Other() {}\n")
    with_extension = lambda line: re.sub(r"'(\./pages/\w+)'", r"'\1.mjs'", line)  # noqa: E731 - Node ESM wants it
    page_import = re.compile(rf"import .*\b({'|'.join(declarations)})\b")
    imports = [with_extension(line) for line in before.splitlines() if page_import.match(line)]
    lazies = [with_extension(line) for line in after.splitlines() if line.startswith("const ") and "lazy(" in line]
    checks = ", ".join(f"(await after.{name}()).default === {name}" for name in declarations)
    (tmp_path / "driver.mjs").write_text(
        "\n".join(imports)
        + "\nconst lazy = (load) => load;\nconst after = {};\n{\n"
        + "\n".join(lazies)
        + f"\nObject.assign(after, {{ {', '.join(declarations)} }});\n}}\nconsole.log(JSON.stringify([{checks}]));\n"
    )
    assert _node(tmp_path / "driver.mjs") == [True, True]


# ---- stable-props --------------------------------------------------------------------------------------------

LIST = """import {{ memo, useRef, useState }} from 'react';
import {{ track }} from './analytics';

const LIMIT = 10;
const Row = memo(function Row(props: {{ onSelect: () => void; style?: object }}) {{
  return <li onClick={{props.onSelect}} />;
}});

export function List({{ items, onPick }}: {{ items: string[]; onPick: (id: string) => void }}) {{
  const [selected, setSelected] = useState('');
  const seen = useRef(0);
{body}
}}
"""


def _list(body: str) -> str:
    return LIST.format(body=body)


def test_constants_only_are_a_safe_fix_applied_in_a_safe_run(tmp_path: Path) -> None:
    body = "  return <Row onSelect={onPick as never} style={{ margin: -1 }} />;"
    (tmp_path / "List.tsx").write_text(_list(body), encoding="utf-8")
    (fix,) = _fixes(tmp_path, "unstable-props-to-memo-component")
    assert fix is not None and fix.codemod == stable_props.CODEMOD_ID and fix.applicability is Applicability.SAFE
    (rewrite,) = plan(analyze([tmp_path], root=tmp_path, use_cache=False))
    assert rewrite.error is None
    fixed = rewrite.after.decode()
    assert "const STYLE: ComponentProps<typeof Row>['style'] = { margin: -1 };\n\nexport function List" in fixed
    assert fixed.startswith("import { memo, useRef, useState, type ComponentProps } from 'react';")


def test_callback_deps_list_component_names_but_not_setters_refs_modules_or_imports() -> None:
    body = (
        "  const label = selected || 'none';\n"
        "  return <Row onSelect={() => { seen.current += LIMIT; setSelected(label); onPick(items[0]); track(label); }} />;"
    )
    fixed = _rewrite(stable_props, _list(body))
    assert "  const handleSelect = useCallback(() => {" in fixed
    assert "}, [label, onPick, items]);\n  return <Row onSelect={handleSelect} />;" in fixed
    assert "import { memo, useRef, useState, useCallback } from 'react';" in fixed


def test_the_hook_goes_above_an_early_return() -> None:
    body = "  if (!items.length) return null;\n  return <Row onSelect={() => onPick(selected)} />;"
    fixed = _rewrite(stable_props, _list(body))
    assert "  const handleSelect = useCallback(() => onPick(selected), [onPick, selected]);\n  if (!items" in fixed


def test_new_names_do_not_clash() -> None:
    body = "  const handleSelect = 1;\n  return <Row onSelect={() => onPick(String(handleSelect))} style={[1]} />;"
    fixed = _rewrite(stable_props, _list(body).replace("const LIMIT = 10;", "const LIMIT = 10;\nconst STYLE = 2;"))
    assert "const STYLE2: ComponentProps<typeof Row>['style'] = [1];" in fixed
    assert "const handleSelect2 = useCallback(" in fixed


def test_equal_literals_share_one_constant() -> None:
    row = '<Row key="{}" onSelect={{onPick as never}} style={{{{ a: 1 }}}} />'
    body = f"  return <>{{[{row.format('a')}, {row.format('b')}]}}</>;"
    fixed = _rewrite(stable_props, _list(body))
    assert fixed.count("const STYLE") == 1 and fixed.count("style={STYLE}") == 2


def test_javascript_constants_have_no_type_and_are_shared_across_props() -> None:
    source = (
        "import { memo } from 'react';\nconst Row = memo((p) => <li style={p.style} title={p.margins.join()} />);\n"
        "export function List() {\n  return <Row style={[0, 4]} margins={[0, 4]} />;\n}\n"
    )
    fixed = _rewrite(stable_props, source, "javascript")
    assert "\nconst STYLE = [0, 4];\n\nexport function List() {\n  return <Row style={STYLE} margins={STYLE} />;" in fixed
    assert fixed.startswith("import { memo } from 'react';")


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("  return <ul>{items.map((id) => <Row key={id} onSelect={() => onPick(id)} />)}</ul>;", "nested callback"),
        ("  return selected ? <Row onSelect={() => onPick(selected)} /> : null;", "conditionally"),
        ("  return <Row onSelect={onPick as never} style={{ color: selected }} />;", "reads values"),
        (
            "  if (!items.length) return null;\n  const first = items[0];\n  return <Row onSelect={() => onPick(first)} />;",
            "`first`, which is not declared",
        ),
        ("  return <Row onSelect={(e) => onPick(e)} />;", "annotate it"),
    ],
)
def test_stable_props_declines(body: str, why: str) -> None:
    with pytest.raises(NoFix, match=why):
        stable_props.compute_edits(_list(body).encode(), "tsx")


def test_an_element_is_rewritten_whole_or_not_at_all(tmp_path: Path) -> None:
    body = "  const theme = { dark: true };\n  return <Row onSelect={onPick as never} style={theme} extra={[1, 2]} />;"
    source = _list(body).replace("style?: object", "style?: object; extra?: number[]")
    (tmp_path / "List.tsx").write_text(source, encoding="utf-8")
    assert _fixes(tmp_path, "unstable-props-to-memo-component") == [None]  # `theme` is bound in the body
    with pytest.raises(NoFix, match="`style` on line 13 is not an inline literal"):
        stable_props.compute_edits(source.encode(), "tsx")  # and `extra`, which it could hoist, stays too


def test_untyped_parameters_are_fine_in_javascript() -> None:
    source = _list("  return <Row onSelect={(e) => onPick(e)} />;")
    source = source.replace(": { items: string[]; onPick: (id: string) => void }", "")
    source = source.replace("(props: { onSelect: () => void; style?: object })", "(props)")
    assert "useCallback((e) => onPick(e), [onPick])" in _rewrite(stable_props, source, "javascript")


def test_a_class_component_is_declined() -> None:
    source = (
        "import React, { memo } from 'react';\nconst Row = memo((p) => <li onClick={p.onSelect} />);\n"
        "export class List extends React.Component {\n  render() {\n"
        "    return <Row onSelect={() => this.forceUpdate()} />;\n  }\n}\n"
    )
    with pytest.raises(NoFix, match="class component"):
        stable_props.compute_edits(source.encode(), "javascript")


def test_a_memo_component_of_another_file_has_no_fix(tmp_path: Path) -> None:
    (tmp_path / "Row.tsx").write_text(
        "import { memo } from 'react';\nexport const Row = memo((p: { style: object }) => <li style={p.style} />);\n",
        encoding="utf-8",
    )
    (tmp_path / "List.tsx").write_text(
        "import { Row } from './Row';\nexport function List() {\n  return <Row style={{ margin: 0 }} />;\n}\n",
        encoding="utf-8",
    )
    assert _fixes(tmp_path, "unstable-props-to-memo-component") == [None]


@pytest.mark.skipif(NODE is None and not REQUIRE_NODE, reason="node is not installed")
@pytest.mark.parametrize("name", ["TodoList.tsx", "SalesChart.jsx"])
def test_hoisted_constants_hold_the_values_written_inline(tmp_path: Path, name: str) -> None:
    """Evaluate in Node each inline literal of the fixture and the module constant that replaced it; their
    JSON must be equal (props are paired in document order: the rewrite changes values, not attributes)."""
    before = (PAIRS / "stable-props" / name).read_bytes()
    after = (PAIRS / "stable-props" / name.replace(".", ".fixed.")).read_bytes()
    constants = dict(re.findall(rb"^const ([A-Z][A-Z0-9_]*)(?::[^=]*)? = (.*);$", after, re.M))
    assert constants
    pairs = [
        (old, new) for old, new in zip(_prop_values(before), _prop_values(after), strict=True)
        if new.encode() in constants
    ]
    assert sorted(new for _, new in pairs) == sorted(c.decode() for c in constants)
    declarations = b"\n".join(b"const %s = %s;" % item for item in constants.items()).decode()
    checks = ", ".join(f"JSON.stringify({old}) === JSON.stringify({new})" for old, new in pairs)
    (tmp_path / "driver.mjs").write_text(f"{declarations}\nconsole.log(JSON.stringify([{checks}]));\n")
    assert _node(tmp_path / "driver.mjs") == [True] * len(pairs)


def _prop_values(source: bytes) -> list[str]:
    root = grammar("tsx").parser.parse(source).root_node
    values = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "jsx_attribute" and node.named_children[-1].type == "jsx_expression":
            values.append(node.named_children[-1].text.decode()[1:-1])
        stack.extend(reversed(node.children))
    return values


def test_a_data_router_index_page_stays_static() -> None:
    source = (
        "import { createBrowserRouter } from 'react-router-dom';\nimport Home from './pages/Home';\n"
        "import Reports from './pages/Reports';\n\n"
        "export const router = createBrowserRouter([\n  { path: '/', element: <Home /> },\n"
        "  { path: '/reports', element: <Reports /> },\n]);\n"
    )
    fixed = lazy_route.compute_edits(source.encode(), "tsx")
    text = apply_edits(source.encode(), fixed)[0].decode()
    assert "import Home from './pages/Home';" in text
    assert "const Reports = lazy(() => import('./pages/Reports'));" in text
