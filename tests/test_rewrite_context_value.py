"""memoize-context-value beyond its fixture pair (checked in test_rewrite_codemods): member chains as dependencies
end to end, the forms of the React import, and the literals it declines."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analyzers.frontends import parse_source
from optimizer.api import analyze
from optimizer.findings import Applicability
from rewriters.edits import NoFix, apply_edits
from rewriters.engine import plan
from rewriters.javascript.memoize_context_value import (
    CODEMOD_ID,
    applicability,
    compute_edits,
)

RULE = "unstable-context-value"

MEMBER = """import * as React from 'react';

const ThemeContext = React.createContext(null);
const DEFAULT = 'light';

export function ThemeProvider(props) {
  return <ThemeContext.Provider value={{ theme: props.theme, fallback: DEFAULT }}>{props.children}</ThemeContext.Provider>;
}
"""
MEMBER_FIXED = MEMBER.replace(
    "value={{ theme: props.theme, fallback: DEFAULT }}",
    "value={React.useMemo(() => ({ theme: props.theme, fallback: DEFAULT }), [props.theme])}",
)


def _findings(root: Path):
    return [f for f in analyze([root], root=root, use_cache=False).findings if f.rule == RULE]


def _rewrite(source: str) -> str:
    return apply_edits(source.encode(), compute_edits(source.encode(), "tsx"))[0].decode()


def test_member_read_is_a_safe_fix_listing_the_chain(tmp_path: Path) -> None:
    """`props` is a new object on every render: listing it would recompute the value every time."""
    path = tmp_path / "Theme.jsx"
    path.write_text(MEMBER, encoding="utf-8")
    (finding,) = _findings(tmp_path)
    assert finding.fix is not None and finding.fix.codemod == CODEMOD_ID
    assert finding.fix.applicability is Applicability.SAFE

    (rewrite,) = plan(analyze([tmp_path], root=tmp_path, use_cache=False))
    assert rewrite.error is None
    assert rewrite.after.decode() == MEMBER_FIXED
    assert parse_source("Theme.jsx", "javascript", rewrite.after).errors == []
    path.write_bytes(rewrite.after)
    assert _findings(tmp_path) == []
    again = plan(analyze([tmp_path], root=tmp_path, use_cache=False), unsafe=True)
    assert [r for r in again if r.changed] == []


RERENDER_DRIVER = """
const React = require('react');
const { mount } = require('./fake_dom.js');
const { ThemeContext, ThemeProvider } = require('./Theme.jsx');
const seen = [];
function Probe() { seen.push(React.useContext(ThemeContext)); return null; }
const render = mount();
// the parent renders twice with equal props: a new props object each time, as React makes one per render
for (const pass of [1, 2]) render(React.createElement(ThemeProvider, { theme: 'dark' }, React.createElement(Probe)));
console.log(JSON.stringify({ renders: seen.length, same: seen[0] === seen[1], theme: seen[1].theme }));
"""


def test_the_provided_value_keeps_its_identity_across_renders_only_after_the_rewrite(
    node_modules: Path, tmp_path: Path
) -> None:
    """What the fix is for, run with react-dom: before it every render provides a new object (so every consumer
    renders again); after it the same one, because the dependency is `props.theme`, not `props`."""
    from npm_helpers import run_node

    results = {}
    for version, source in (("before", MEMBER), ("after", _rewrite(MEMBER))):
        folder = tmp_path / version
        folder.mkdir()
        (folder / "Theme.jsx").write_text(source.replace("const ThemeContext", "export const ThemeContext"))
        (folder / "driver.js").write_text(RERENDER_DRIVER)
        shutil.copy(Path(__file__).with_name("fake_dom.js"), folder / "fake_dom.js")
        results[version] = run_node(node_modules, folder / "driver.js")
    assert results["before"] == {"renders": 2, "same": False, "theme": "dark"}
    assert results["after"] == {"renders": 2, "same": True, "theme": "dark"}


def test_chains_are_listed_once_and_not_under_their_root() -> None:
    source = (
        "import { useMemo } from 'react';\nexport function P(props) {\n  const { a } = props;\n"
        "  return <AContext.Provider value={{ x: props.user.name, y: props?.team, z: props.user.name, a,\n"
        "    w: a.deep, t: window.title }} />;\n}\n"
    )
    assert "[props.user.name, props?.team, a])}" in _rewrite(source)


def test_plain_names_are_a_safe_fix(tmp_path: Path) -> None:
    (tmp_path / "A.tsx").write_text(
        "import { createContext } from 'react';\nconst C = createContext(null);\n"
        "export function A({ a }) {\n  return <C.Provider value={{ a, n: 1 }} />;\n}\n",
        encoding="utf-8",
    )
    (finding,) = _findings(tmp_path)
    assert finding.fix is not None and finding.fix.applicability is Applicability.SAFE


def test_existing_import_is_reused() -> None:
    source = (
        "import { useMemo as memo } from 'react';\n"
        "export function P({ a }) {\n  return <AContext.Provider value={{ a }} />;\n}\n"
    )
    assert _rewrite(source) == source.replace("value={{ a }}", "value={memo(() => ({ a }), [a])}")


def test_default_react_import_uses_member_call() -> None:
    source = "import React from 'react';\nexport function P({ a }) {\n  return <AContext value={{ a }} />;\n}\n"
    assert "value={React.useMemo(() => ({ a }), [a])}" in _rewrite(source)


def test_names_of_nested_functions_and_module_are_not_dependencies() -> None:
    source = (
        "import { useState } from 'react';\nconst b = 1;\n"
        "export function P() {\n  const [a] = useState(0);\n  function inner() { const c = 2; return c; }\n"
        "  return <AContext.Provider value={{ a, b, c, inner }} />;\n}\n"
    )
    assert "[a, inner])}" in _rewrite(source)
    assert "import { useState, useMemo } from 'react';" in _rewrite(source)


def test_string_properties_are_constants_and_add_no_dependency() -> None:
    source = (
        "import { useMemo } from 'react';\n"
        "export function P({ a }) {\n  return <VContext.Provider value={{ view: 'month', a }} />;\n}\n"
    )
    assert "value={useMemo(() => ({ view: 'month', a }), [a])}" in _rewrite(source)


def test_other_value_props_are_left_alone() -> None:
    source = "import { useState } from 'react';\nexport function P({ a }) {\n  return <Select value={{ a }} />;\n}\n"
    assert compute_edits(source.encode(), "tsx") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{ a }", Applicability.SAFE),
        ("{ a: props.a.b }", Applicability.SAFE),
        ("{ ...props }", None),
        ("{ a: f() }", None),
        ("{ [key]: a }", None),
        ("{ run() {} }", None),
        ("{ a: `x${b}` }", None),
        ("{ view: 'month', a, size: 2, title: `Month` }", Applicability.SAFE),  # constants read no name
        ("[a, b]", None),
    ],
)
def test_applicability(text: str, expected: Applicability | None) -> None:
    assert applicability(text, "tsx") is expected


def test_declines_without_a_react_import() -> None:
    source = "export function P({ a }) {\n  return <AContext.Provider value={{ a }} />;\n}\n"
    with pytest.raises(NoFix, match="React is not imported"):
        compute_edits(source.encode(), "tsx")


def test_name_bound_to_a_literal_has_no_fix(tmp_path: Path) -> None:
    (tmp_path / "B.tsx").write_text(
        "import { createContext } from 'react';\nconst C = createContext(null);\n"
        "export function B({ a }) {\n  const value = { a };\n  return <C.Provider value={value} />;\n}\n",
        encoding="utf-8",
    )
    (finding,) = _findings(tmp_path)
    assert finding.fix is None


def test_type_only_react_import_is_not_extended() -> None:
    source = (
        "import type { ReactNode } from 'react';\nimport { createContext } from 'react';\n"
        "const AContext = createContext(null);\n"
        "export function A({ a, children }: { a: string; children: ReactNode }) {\n"
        "  return <AContext.Provider value={{ a }}>{children}</AContext.Provider>;\n}\n"
    )
    fixed = _rewrite(source)
    assert "import type { ReactNode } from 'react';" in fixed
    assert "import { createContext, useMemo } from 'react';" in fixed


def test_a_safe_run_leaves_the_codemod_alone_when_the_file_also_has_an_unsafe_site(tmp_path: Path) -> None:
    long_value = "{ b: props.b, " + ", ".join(f"k{n}: props.v{n}" for n in range(40)) + " }"
    (tmp_path / "Two.jsx").write_text(
        "import { createContext } from 'react';\nconst AContext = createContext(null);\n"
        "const BContext = createContext(null);\n"
        "export function One({ a }) {\n  return <AContext.Provider value={{ a }} />;\n}\n"
        f"export function Other(props) {{\n  return <BContext.Provider value={{{long_value}}} />;\n}}\n",
        encoding="utf-8",
    )
    # a literal longer than the facts keep is checked by the codemod alone: an unsafe fix
    kinds = sorted(f.fix.applicability.value for f in _findings(tmp_path))
    assert kinds == ["safe", "unsafe"]
    safe_run = plan(analyze([tmp_path], root=tmp_path, use_cache=False))
    assert [r for r in safe_run if r.changed] == []  # the unsafe site must not be rewritten by a safe run
    (both,) = plan(analyze([tmp_path], root=tmp_path, use_cache=False), unsafe=True)
    assert both.error is None and both.after.count(b"useMemo(") == 2


# a hook must run on every render, once and in the same order: where the literal is not, it stays as written
@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("  return open && <AContext.Provider value={{ a }} />;\n", "conditionally"),
        ("  return open ? <AContext.Provider value={{ a }} /> : null;\n", "conditionally"),
        ("  if (!open) return null;\n  return <AContext.Provider value={{ a }} />;\n", "after a return on line 3"),
        ("  return items.map((item) => <AContext.Provider key={item} value={{ a }} />);\n", "nested callback"),
    ],
)
def test_declines_a_provider_not_rendered_on_every_render(body: str, reason: str) -> None:
    source = f"import {{ useMemo }} from 'react';\nexport function P({{ a, open, items }}) {{\n{body}}}\n"
    with pytest.raises(NoFix, match=reason):
        compute_edits(source.encode(), "tsx")


def test_declines_a_class_component() -> None:
    source = (
        "import React from 'react';\nexport class P extends React.Component {\n"
        "  render() {\n    return <AContext.Provider value={{ a: this.props.a }} />;\n  }\n}\n"
    )
    with pytest.raises(NoFix, match="class component"):
        compute_edits(source.encode(), "tsx")


def test_an_arrow_returning_jsx_and_a_return_after_the_hook_are_fine() -> None:
    arrow = "import { useMemo } from 'react';\nexport const P = ({ a }) => <AContext.Provider value={{ a }} />;\n"
    assert "value={useMemo(() => ({ a }), [a])}" in _rewrite(arrow)
    late = (
        "import { useMemo } from 'react';\nexport function P({ a, open }) {\n"
        "  const tree = <AContext.Provider value={{ a }} />;\n  if (!open) return null;\n  return tree;\n}\n"
    )
    assert "value={useMemo(() => ({ a }), [a])}" in _rewrite(late)
    # a component written as an object property (a mocked module's exports, say) may call hooks too
    member = (
        "import { useMemo } from 'react';\n"
        "export const ui = { Select: ({ a }) => <AContext.Provider value={{ a }} /> };\n"
    )
    assert "value={useMemo(() => ({ a }), [a])}" in _rewrite(member)
