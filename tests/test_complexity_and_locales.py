"""Cyclomatic complexity facts (checked against radon as an oracle), complexity-hotspot ranking and
eager-locale-import's idea of a locale dictionary."""

from __future__ import annotations

from pathlib import Path

import pytest
from radon.complexity import cc_visit

import js_helpers
import py_helpers
from analyzers.detectors.eager_locale_import import _dictionaries
from analyzers.facts import Import, ImportedName, Span
from analyzers.python import parse as parse_python
from optimizer.api import analyze
from optimizer.config import parse_config

REPO = Path(__file__).resolve().parent.parent
# real files with loops, comprehensions, try/except, boolean chains, nested defs and classes
ORACLE_FILES = (
    "analyzers/python.py",
    "analyzers/py_flow.py",
    "analyzers/js_sites.py",
    "optimizer/graph.py",
    "optimizer/config.py",
    "fixtures/complexity_hotspot/server/pricing.py",
)


def _radon_blocks(blocks):
    """(name, line, complexity) of every function radon reports, methods and closures included."""
    for block in blocks:
        if hasattr(block, "methods"):  # a class: its own number is an average, its methods are the functions
            yield from _radon_blocks(block.methods)
            continue
        yield block.name, block.lineno, block.complexity
        yield from _radon_blocks(block.closures)


@pytest.mark.parametrize("rel", ORACLE_FILES)
def test_python_complexity_agrees_with_radon(rel):
    source = (REPO / rel).read_bytes()
    module = parse_python(rel, source)
    ours = {(f.name, f.span.line): module.complexity[f.qualname] for f in module.functions if f.qualname in module.complexity}
    # asserts are not decisions here; radon counts them unless told not to
    theirs = {(name, line): count for name, line, count in _radon_blocks(cc_visit(source.decode(), no_assert=True))}
    assert theirs and ours == theirs


def test_python_decision_points():
    module = py_helpers.facts(
        """
        def f(xs, a, b):
            if a and b or not a:      # if + and + or
                pass
            elif b:                   # elif
                pass
            for x in xs:              # for + else
                pass
            else:
                pass
            try:                      # two handlers + else
                pass
            except KeyError:
                pass
            except ValueError:
                pass
            else:
                pass
            ys = [x for x in xs if x if a]   # for + two ifs
            match a:                  # two cases, the wildcard is free
                case 1: pass
                case 2: pass
                case _: pass
            g = lambda: 1 if a else 2 # the lambda's ternary counts here
            def inner():              # nested: counted on its own
                return a or b
            class Local:
                flag = a and b        # a class body counts for no function
            return ys

        def plain():
            return 1
        """
    )
    assert module.complexity == {"f": 1 + 3 + 1 + 2 + 3 + 3 + 2 + 1, "f.inner": 2, "plain": 1}


def test_js_decision_points_by_innermost_function():
    module = js_helpers.facts(
        """
        function f(a, b, xs) {
          if (a && b || c) {} else if (b) {}
          for (let i = 0; i < 3; i++) {}
          for (const x of xs) {}
          for (const k in a) {}
          while (a) {}
          do {} while (b);
          switch (a) { case 1: break; case 2: break; default: break; }
          try {} catch (e) {}
          const v = a ? b : (c ?? d);
          const w = a?.b?.c;
          xs.forEach((x) => { if (x) {} });
          return v;
        }
        class C { m() { return this.a || this.b; } }
        const top = a && b;
        """
    )
    assert module.complexity == {"f": 1 + 3 + 1 + 4 + 1 + 2 + 1 + 2, "<arrow@13:14>": 2, "C.m": 2}


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


_BRANCHY = "\n".join(f"  if (x === {i}) {{ n += {i}; }}" for i in range(5))


def test_hotspot_threshold_and_request_path_ranking(tmp_path):
    _write(
        tmp_path,
        {
            "server/package.json": '{"name": "server", "dependencies": {"express": "^4.18.0"}}',
            "server/app.ts": (
                "import express from 'express';\nconst app = express();\n"
                f"function handler(req: any, res: any) {{\n  let n = 0; const x = req.query.x;\n{_BRANCHY}\n"
                "  res.json(n);\n}\n"
                f"export function offline(x: number) {{\n  let n = 0;\n{_BRANCHY}\n  return n;\n}}\n"
                "export function small(x: number) { return x ? 1 : 0; }\n"
                "app.get('/n', handler);\n"
            ),
        },
    )
    config = parse_config({"rules": {"complexity-hotspot": {"threshold": 4}}})
    found = {
        f.message.split("`")[1]: f
        for f in analyze(tmp_path, config=config, use_cache=False).findings
        if f.rule == "complexity-hotspot"
    }
    assert set(found) == {"handler", "offline"}
    assert "cyclomatic complexity 6 (threshold 4)" in found["offline"].message
    assert "request path" in found["handler"].message
    assert found["handler"].weight == 2 * found["offline"].weight


def _import(source: str, *names: str, kind: str = "esm") -> Import:
    return Import(source, tuple(ImportedName(n, n) for n in names), kind, Span(1, 1, 1, 10))


@pytest.mark.parametrize(
    ("source", "names", "expected"),
    [
        ("./locales/en.json", ("default",), 1),
        ("../i18n/pt-BR", ("default",), 1),
        ("@/translations/zh-CN/common.json", ("default",), 1),
        ("./lang/zh_Hans.ts", ("default",), 1),
        ("moment/locale/de", (), 1),
        ("dayjs/locale/fr", (), 1),
        ("date-fns/locale", ("de", "fr", "enUS"), 3),
        ("./locales/index", ("default",), 0),
        ("./messages/api", ("api",), 0),
        ("./components/en", ("default",), 0),
        ("date-fns", ("format",), 0),
    ],
)
def test_what_counts_as_a_locale_dictionary(source, names, expected):
    assert _dictionaries(_import(source, *names)) == expected


def test_locale_threshold_option(tmp_path):
    _write(
        tmp_path,
        {
            "web/package.json": '{"name": "web", "dependencies": {"react": "^18.0.0"}}',
            "web/src/i18n.ts": "import en from './locales/en.json';\nimport de from './locales/de.json';\n"
            "export default { en, de };\n",
        },
    )

    def count(options: dict | None) -> int:
        config = parse_config({"rules": {"eager-locale-import": options}}) if options else None
        report = analyze(tmp_path, config=config, use_cache=False)
        return sum(f.rule == "eager-locale-import" for f in report.findings)

    assert count(None) == 0
    assert count({"min-imports": 2}) == 1
