"""`repeated-pure-computation`: which arguments count as constant, and when repeats are reported."""

from __future__ import annotations

import pytest

from analyzers.detectors.base import FileContext
from analyzers.detectors.repeated_pure_computation import RepeatedPureComputation, _invariant
from analyzers.javascript import parse as parse_js
from analyzers.python import parse as parse_py


def lines_py(source: str, ctx: FileContext | None = None) -> list[int]:
    module = parse_py("m.py", source.encode())
    return sorted(f.line for f in RepeatedPureComputation().check(module, ctx or FileContext()))


def lines_ts(source: str) -> list[int]:
    module = parse_js("m.ts", source.encode(), "typescript")
    return sorted(f.line for f in RepeatedPureComputation().check(module, FileContext()))


@pytest.mark.parametrize(
    ("arg", "expected"),
    [
        ('"a+"', True),
        ("r'^\\d+$'", True),
        ("re.IGNORECASE | re.MULTILINE", True),
        ("CONFIG_TEXT", True),
        ("settings.DEFAULTS", True),
        ("1e5", True),
        ("{ style: 'currency', currency: 'EUR' }", True),
        ("sort_keys=True", True),
        ("None", True),
        ("line", False),
        ("row.name", False),
        ('f"^{name}$"', False),
        ('f"plain"', True),
        ("`${id}-x`", False),
        ("open(PATH)", False),
        ("CONST + suffix", False),
        ("{ key: value }", False),
        ("flag ? x : 'y'", False),
        ("{ a: 1, b: LIMIT }", True),
    ],
)
def test_invariant_arguments(arg, expected):
    assert _invariant(arg) is expected


def test_constant_call_in_python_loop():
    source = "import re\ndef f(xs):\n    for x in xs:\n        re.compile('a+').match(x)\n        re.compile(x)\n"
    assert lines_py(source) == [4]


def test_cheap_and_unknown_calls_are_ignored():
    source = "import os\ndef f(xs):\n    for x in xs:\n        len('abc')\n        os.path.join('a', 'b')\n        parse('x')\n"
    assert lines_py(source) == []


def test_three_repeats_in_a_function_are_one_finding():
    source = "import json\ndef f(d):\n    a = json.dumps(d)\n    b = json.dumps(d)\n    c = json.dumps(d)\n"
    assert lines_py(source) == [3]


def test_two_repeats_or_other_arguments_are_not_reported():
    source = "import json\ndef f(d, e):\n    a = json.dumps(d)\n    b = json.dumps(d)\n    c = json.dumps(e)\n"
    assert lines_py(source) == []


def test_repeats_in_different_functions_do_not_add_up():
    source = "".join(f"def f{i}(d):\n    json.loads(d)\n    json.loads(d)\n" for i in range(2))
    assert lines_py(source) == []


def test_test_files_are_skipped():
    source = "import re\ndef f(xs):\n    for x in xs:\n        re.compile('a+')\n"
    assert lines_py(source, FileContext(is_test=True)) == []


def test_new_regexp_and_intl_in_typescript_loops():
    source = (
        "function f(xs: string[]) {\n"
        "  xs.forEach((x) => { new RegExp('a', 'g'); new RegExp(x); });\n"
        "  for (const x of xs) { new Intl.DateTimeFormat('en-US'); JSON.parse(x); }\n"
        "}\n"
    )
    assert lines_ts(source) == [2, 3]


def test_message_names_the_call_and_the_loop():
    module = parse_js("m.ts", b"function f(xs) {\n  for (const x of xs) JSON.parse(CONFIG);\n}\n", "typescript")
    [finding] = RepeatedPureComputation().check(module, FileContext())
    assert "`JSON.parse(CONFIG)`" in finding.message and "over `xs`" in finding.message


def test_repeats_of_a_local_are_not_reported():
    """The same text may name a different value in each branch (`const a = await f()` in each `if`)."""
    source = "import json\ndef f(d):\n    a = d()\n    json.dumps(a)\n    json.dumps(a)\n    json.dumps(a)\n"
    assert lines_py(source) == []


def test_parameters_count_only_for_repeats_not_in_loops():
    assert _invariant("options.body", frozenset({"options"}))
    assert not _invariant("options.body")


@pytest.mark.parametrize(
    ("call", "reported"),
    [
        ('json.dumps({"error": "missing q"})', False),  # a literal: microseconds however often
        ("json.dumps(['a', 1, None], indent=2)", False),
        ("json.dumps(DEFAULTS)", True),  # a named constant may be large
        ('json.dumps({"reply": DEFAULTS})', True),
        ("json.loads('{\"a\": 1}')", True),  # parsing builds a new mutable value each turn
    ],
)
def test_serialising_a_literal_in_a_loop_is_not_reported(call, reported):
    source = f"import json\nDEFAULTS = {{}}\ndef f(xs):\n    for x in xs:\n        send({call})\n"
    assert lines_py(source) == ([5] if reported else [])


def test_stringify_of_an_object_literal_repeated_in_a_function_is_not_reported():
    source = "function f() {\n" + "  send(JSON.stringify({ type: 'ping', n: 1 }));\n" * 3 + "}\n"
    assert lines_ts(source) == []


@pytest.mark.parametrize(
    ("message", "reported"),
    [
        ('f"expected {sorted(NAMES)}"', False),  # the value is turned into text right away
        ('f"expected {sorted(NAMES)!r:>40}"', False),
        ('f"expected {len(sorted(NAMES))}"', True),  # only its length is formatted: the sort is the work
        ("f\"expected {', '.join(sorted(NAMES))}\"", True),
        ('"expected " + str(sorted(NAMES))', True),
    ],
)
def test_a_call_interpolated_into_a_message_is_not_reported(message, reported):
    source = f"NAMES = {{'a': 1}}\ndef f(xs, errors):\n    for x in xs:\n        errors.append({message})\n"
    assert lines_py(source) == ([4] if reported else [])


def test_a_call_interpolated_into_a_template_literal_is_not_reported():
    source = "const L = {a: 1};\nfunction f(xs, out) {\n  for (const x of xs) {\n    out.push(`${x}: ${JSON.stringify(L)}`);\n    out.push(`${x}: ${JSON.stringify(L).length}`);\n  }\n}\n"
    assert lines_ts(source) == [5]
