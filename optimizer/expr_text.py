"""Reading the short expression texts that call facts carry (arguments, decorators): top-level splits, string
literals, templates and object entries, for JS/TS and Python alike.

These are argument snippets of at most a few hundred characters, not files: a snippet cut short by the facts'
truncation reads as far as it is balanced and otherwise as unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = set(_OPEN.values())
_QUOTES = "'\"`"
_STRING_PREFIX = re.compile(r"[rRbBuU]{0,2}(?=['\"])")
_F_PREFIX = re.compile(r"(?:[rR]?[fF]|[fF][rR])(?=['\"])")
_KWARG = re.compile(r"([A-Za-z_]\w*)\s*=(?!=)")
_ENTRY_KEY = re.compile(r"""(?:([A-Za-z_$][\w$]*)|'([^']*)'|"([^"]*)")\s*:""")
_SHORTHAND = re.compile(r"[A-Za-z_$][\w$]*")
_CAST = re.compile(r"\s+(?:as|satisfies)\s+[\w$.<>\[\]| ]+$")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0"}


@dataclass(frozen=True, slots=True)
class Hole:
    """A computed part of a string: ``${id}`` in a template, ``{id}`` in an f-string, ``id`` in ``'/a/' + id``."""

    expr: str


Part = str | Hole


def split_top(text: str, separator: str = ",") -> list[str]:
    """Split ``text`` on ``separator`` outside brackets, strings and templates; pieces are stripped and empty
    ones dropped (a trailing comma)."""
    pieces, start, depth, i = [], 0, 0, 0
    while i < len(text):
        char = text[i]
        if char in _QUOTES:
            i = _string_end(text, i)
            continue
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
        elif depth == 0 and text.startswith(separator, i) and not _is_arrow_or_compare(text, i, separator):
            pieces.append(text[start:i])
            start = i + len(separator)
        i += 1
    pieces.append(text[start:])
    return [p.strip() for p in pieces if p.strip()]


def unwrap(text: str) -> str:
    """Drop what does not change a value: outer parentheses, ``await``, TS ``as``/``satisfies`` casts and ``!``."""
    text = text.strip()
    while True:
        before = text
        if text.startswith("(") and matching_bracket(text, 0) == len(text) - 1:
            text = text[1:-1].strip()
        text = _CAST.sub("", text).removesuffix("!").strip()
        if text.startswith("await "):
            text = text[6:].strip()
        if text == before:
            return text


def string_value(text: str) -> str | None:
    """The value of a plain string literal (``'a'``, ``"a"``, a template with no ``${}``), else None."""
    parts = string_parts(text)
    if parts is None or any(isinstance(p, Hole) for p in parts):
        return None
    return "".join(parts)  # type: ignore[arg-type]


def string_parts(text: str) -> tuple[Part, ...] | None:
    """The parts of one string literal, template or f-string; None when ``text`` is not exactly one."""
    text = unwrap(text)
    f_prefix = _F_PREFIX.match(text)
    prefix = f_prefix or _STRING_PREFIX.match(text)
    body = text[prefix.end() :] if prefix else text
    if not body or body[0] not in _QUOTES or _string_end(body, 0) != len(body):
        return None
    quote = body[0]
    inner = body[3:-3] if body.startswith(quote * 3) and len(body) >= 6 else body[1:-1]
    if quote == "`":
        return _holes(inner, "${", "}")
    if f_prefix:
        return _holes(inner.replace("{{", "\x01").replace("}}", "\x02"), "{", "}", python=True)
    return (_unescape(inner),)


def concat_parts(text: str) -> tuple[Part, ...]:
    """``'/a/' + id + `/b/${x}` `` -> ``('/a/', Hole('id'), '/b/', Hole('x'))``; any operand that is no
    literal becomes one hole, and so does any text that is no concatenation."""
    operands = split_top(unwrap(text), "+")
    if len(operands) > 1 and any(string_parts(o) is not None for o in operands):
        parts: list[Part] = []
        for operand in operands:
            parts.extend(string_parts(operand) or (Hole(unwrap(operand)),))
        return tuple(parts)
    return string_parts(text) or (Hole(unwrap(text)),)


def positional(args: tuple[str, ...] | list[str]) -> list[str]:
    """The positional arguments of a Python call (keyword and ``*``/``**`` arguments left out)."""
    return [a for a in args if not _KWARG.match(a) and not a.startswith("*")]


def keyword(args: tuple[str, ...] | list[str], name: str) -> str | None:
    """The text of keyword argument ``name=...`` of a Python call."""
    for arg in args:
        found = _KWARG.match(arg)
        if found and found.group(1) == name:
            return arg[found.end() :].strip()
    return None


@dataclass(frozen=True, slots=True)
class ObjectLiteral:
    """The top-level entries of a JS object literal: key -> value text (``{ method }`` maps ``method`` to
    ``method``), and the expressions spread into it (``...init``)."""

    entries: dict[str, str]
    spreads: tuple[str, ...]


def object_literal(text: str) -> ObjectLiteral | None:
    """The entries of ``{...}``; of one cut short by truncation, the entries before the cut one."""
    text = unwrap(text)
    close = matching_bracket(text, 0) if text.startswith("{") else -2
    if close == -2 or (close >= 0 and close != len(text) - 1):
        return None
    inner = split_top(text[1:close]) if close >= 0 else split_top(text[1:])[:-1]
    entries: dict[str, str] = {}
    spreads: list[str] = []
    for entry in inner:
        if entry.startswith("..."):
            spreads.append(entry[3:].strip())
            continue
        key = _ENTRY_KEY.match(entry)
        if key:
            entries[next(g for g in key.groups() if g is not None)] = entry[key.end() :].strip()
        elif _SHORTHAND.fullmatch(entry):
            entries[entry] = entry
    return ObjectLiteral(entries, tuple(spreads))


def call_parts(text: str) -> tuple[str, list[str]] | None:
    """``wrap(a, b)`` -> ``("wrap", ["a", "b"])`` for a call whose callee is a name or member path. A call cut
    short by truncation keeps the arguments that began: the last one is then the start of a long argument."""
    text = unwrap(text)
    found = re.match(r"(?:new\s+)?([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\s*(?:<[^()]*>)?\(", text)
    if not found:
        return None
    close = matching_bracket(text, found.end() - 1)
    if close >= 0 and close != len(text) - 1:
        return None  # ``f(a).g`` or ``f(a) + 1``: not one call
    return found.group(1), split_top(text[found.end() : close if close >= 0 else len(text)])


def _holes(inner: str, open_: str, close: str, python: bool = False) -> tuple[Part, ...]:
    parts: list[Part] = []
    i = 0
    while True:
        start = inner.find(open_, i)
        if start < 0:
            break
        end = matching_bracket(inner, start + len(open_) - 1)
        if end < 0:
            return (*parts, _literal(inner[i:start], python), Hole(inner[start:]))  # cut short by truncation
        parts.append(_literal(inner[i:start], python))
        expr = inner[start + len(open_) : end]
        if python:
            expr = re.split(r"![rsa]|:(?![^\[]*\])", expr, maxsplit=1)[0]  # conversion and format spec
        parts.append(Hole(expr.strip()))
        i = end + len(close)
    parts.append(_literal(inner[i:], python))
    return tuple(p for p in parts if p != "")


def _literal(text: str, python: bool) -> str:
    if python:
        text = text.replace("\x01", "{").replace("\x02", "}")
    return _unescape(text)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text)


def _string_end(text: str, i: int) -> int:
    """Index just past the string or template that opens at ``i`` (``len(text)`` when unterminated)."""
    quote = text[i]
    if quote != "`" and text.startswith(quote * 3, i):
        end = text.find(quote * 3, i + 3)
        return len(text) if end < 0 else end + 3
    j = i + 1
    while j < len(text):
        char = text[j]
        if char == "\\":
            j += 2
            continue
        if char == quote:
            return j + 1
        if quote == "`" and text.startswith("${", j):
            close = matching_bracket(text, j + 1)
            if close < 0:
                return len(text)
            j = close
        j += 1
    return len(text)


def matching_bracket(text: str, i: int) -> int:
    """Index of the bracket that closes the one at ``i``, or -1."""
    depth = 0
    j = i
    while j < len(text):
        char = text[j]
        if char in _QUOTES:
            j = _string_end(text, j)
            continue
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return -1


def _is_arrow_or_compare(text: str, i: int, separator: str) -> bool:
    """``=>``, ``==`` and ``+=`` contain no separator of their own; ``a ++ b`` is rare enough to ignore."""
    if separator == "+":
        return text.startswith(("++", "+="), i) or (i > 0 and text[i - 1] == "+")
    return False
