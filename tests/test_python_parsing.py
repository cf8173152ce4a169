"""Python front-end: bad and unusual input (encodings, BOM, CRLF, null bytes, syntax errors, deep nesting)."""

from __future__ import annotations

import codecs
import warnings

from analyzers.facts import Suppression
from analyzers.python import parse
from py_helpers import call, facts


def test_lines_and_suppressions():
    module = facts("x = 1\ny = f()  # perfrewrite: ignore[n-plus-one-query]\n\n")
    assert module.lines == 3
    assert module.language == "python" and module.path == "mod.py"
    assert module.suppressions == {2: Suppression(("n-plus-one-query",), own_line=False)}


def test_syntax_error_is_reported_not_raised():
    result = parse("bad.py", b"x = 1\ndef f(:\n    pass\n")
    assert result.lines == 3
    assert len(result.errors) == 1
    assert result.errors[0].startswith("syntax error at line 2, column 7: ")
    assert result.calls == [] and result.functions == []


def test_invalid_utf8_is_reported():
    result = parse("latin.py", b"x = 1\nname = '\xe9t\xe9'\n")
    assert result.errors == ["cannot decode source at line 2: invalid continuation byte (utf-8)"]
    assert result.lines == 2


def test_parser_warnings_are_not_printed():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = parse("escapes.py", b"pattern = '\\d+'\n")
    assert result.errors == []
    assert caught == []


def test_unknown_encoding_is_reported():
    result = parse("odd.py", b"# -*- coding: no-such-codec -*-\nx = 1\n")
    assert result.errors and result.errors[0].startswith("cannot decode source")


def test_null_bytes_are_reported():
    result = parse("nul.py", b"x = 1\ny = '\x00'\n")
    assert result.errors == ["syntax error at line 2, column 6: source code cannot contain null bytes"]


def test_bom_offsets_index_the_file_bytes():
    source = codecs.BOM_UTF8 + b"# -*- coding: utf-8 -*-\nx = f(1)\n"
    result = parse("bom.py", source)
    assert result.errors == []
    span = result.calls[0].span
    assert source[span.start_byte : span.end_byte] == b"f(1)"
    first_line = parse("bom1.py", codecs.BOM_UTF8 + b"g(2)\n").calls[0].span
    assert (first_line.column, first_line.start_byte, first_line.end_byte) == (1, 3, 7)


def test_declared_latin1_is_decoded_and_columns_are_utf8_bytes():
    source = b"# -*- coding: latin-1 -*-\ns = '\xe9'; h(s)\ncursor.execute('SELECT name FROM caf\xe9 WHERE id = 1')\n"
    result = parse("latin1.py", source)
    assert result.errors == []
    # "s = 'é'; " is 10 bytes in UTF-8, so h( starts at column 11
    assert call(result, "h").span.column == 11
    assert result.sql[0].text == "SELECT name FROM café WHERE id = 1"
    assert call(result, "cursor.execute").args == ("'SELECT name FROM café WHERE id = 1'",)


def test_crlf_line_ends():
    source = b"x = 1\r\ny = f(2)\r\nz = g(3)\n"
    result = parse("crlf.py", source)
    assert result.lines == 3
    for found in result.calls:
        assert source[found.span.start_byte : found.span.end_byte] in (b"f(2)", b"g(3)")


def test_long_operator_chains_and_deep_nesting():
    chain = parse("chain.py", ("x = " + " + ".join(["f(a)"] * 2000) + "\n").encode())
    assert chain.errors == [] and len(chain.calls) == 2000
    deep = parse("deep.py", ("x = " + " + ".join(["a"] * 20000) + "\n").encode())
    assert deep.errors == ["source too deeply nested to analyse"]
