"""The JS/JSX/TS/TSX front-end: syntax errors, odd syntax, bad input and module-level facts."""

from __future__ import annotations

import pickle

import pytest

from analyzers.facts import ModuleFacts
from analyzers.javascript import parse
from js_helpers import by_callee, facts
from optimizer.suppress import scan_suppressions


# --- errors, odd syntax, module-level facts -------------------------------------------------------


def test_syntax_error_is_reported_once_and_facts_are_kept():
    m = facts(
        """
        import { a } from 'a';
        function ok() { a(); }
        function broken( {
          b();
        """
    )
    assert len(m.errors) == 1 and m.errors[0].startswith("syntax error at line ")
    assert [i.source for i in m.imports] == ["a"]
    assert "a" in [c.callee for c in m.calls]


@pytest.mark.parametrize(
    ("language", "source"),
    [
        ("typescript", "enum Color { Red = 'r' }\nnamespace NS { export const x = 1; }\n"),
        ("typescript", "abstract class Base<T> { abstract run(): T; protected constructor() {} }\n"),
        ("typescript", "const cfg = { a: 1 } as const satisfies Record<string, number>;\n"),
        ("typescript", "class P { #secret = 1; get s() { return this.#secret; } }\n"),
        ("typescript", "declare module 'x' { export function f(): void; }\nlet v = a?.b ?? c!;\n"),
        ("typescript", "function over(a: string): void;\nfunction over(a: any) {}\n"),
        ("tsx", "export default function Page<T extends object>() { return <><Item<T> /></>; }\n"),
        ("javascript", "async function* g() { for await (const x of y) yield x; }\nlabel: for (;;) break label;\n"),
        ("javascript", "class A { static #n = 0; static { A.#n++; } }\nconst re = /a\\/b/g;\n"),
    ],
)
def test_odd_but_valid_syntax_parses_without_errors(language, source):
    m = parse("m", source.encode(), language)
    assert m.errors == []


def test_garbage_input_never_raises():
    for language in ("javascript", "typescript", "tsx"):
        for source in (b"", b"\x00\xff\xfe", b"}}}{{{", b"<div", b"const = = ;", "caf\u00e9 = `".encode()):
            assert isinstance(parse("m", source, language), ModuleFacts)


def test_source_that_is_not_utf8_still_yields_facts():
    source = b"const label = '\xff\xfe caf\xe9';\npool.query('SELECT * FROM users WHERE id = 1');\n"
    m = parse("m.js", source, "javascript")
    assert [s.text for s in m.sql] == ["SELECT * FROM users WHERE id = 1"]
    assert [c.callee for c in m.calls] == ["pool.query"]


def test_mjs_is_javascript_with_esm():
    m = facts("import { x } from './x.mjs';\nexport const y = async () => await x();\n", "javascript", "m.mjs")
    assert m.language == "javascript" and m.imports[0].source == "./x.mjs"
    assert m.exports[0].name == "y" and m.functions[0].exported


def test_lines_suppressions_columns_in_bytes_and_pickling():
    source = "const s = 'caf\u00e9'; f();\n// perfrewrite: ignore[n-plus-one-query]\ng();\n"
    m = parse("m.js", source.encode(), "javascript")
    assert m.lines == 3
    assert m.suppressions == scan_suppressions(source.encode()) and list(m.suppressions) == [2]
    f_call = by_callee(m, "f")
    # 'caf\u00e9' is 5 characters but 6 bytes: columns count bytes
    assert (f_call.span.column, f_call.span.start_byte) == (20, 19)
    assert pickle.loads(pickle.dumps(m)) == m


def test_unknown_language_is_rejected():
    with pytest.raises(ValueError):
        parse("m.py", b"x = 1", "python")
