"""Work-arounds for TypeScript syntax that tree-sitter-typescript 0.23 cannot parse, applied only on retry.

Each repair keeps every byte offset and line break, so spans computed on the repaired text are the
spans of the original file.
"""

from __future__ import annotations

import re

_TEMPLATE_AFTER_TYPE_ARGS = re.compile(rb">\s*`")
# `&` that is neither `&&`, `&=`, nor an HTML entity (`&amp;`, `&#38;`)
_BARE_AMPERSAND = re.compile(rb"(?<!&)&(?![&=]|#?\w+;)")
_NAME_END = re.compile(rb"[A-Za-z0-9_$)\]]")
# `using` as a plain name (`const using = ...`, `if (!using)`); a `using x = ...` declaration is left as it is
_USING_AS_NAME = re.compile(rb"(?<![\w$.])using(?![\w$])(?!\s+[A-Za-z_$][\w$]*\s*=)")
_LOOKBACK = 600


def blank_tagged_template_type_arguments(source: bytes) -> bytes | None:
    """``sql<Row[]>`...``` / ``prisma.$queryRaw<T>`...``` -> the same with ``<...>`` blanked out.

    The grammar rejects type arguments on a tagged template; they carry nothing the analysis needs.
    Returns None when there is nothing to repair.
    """
    repaired = bytearray(source)
    changed = False
    for match in _TEMPLATE_AFTER_TYPE_ARGS.finditer(source):
        opening = _matching_angle(source, match.start())
        if opening is None or opening == 0 or not _NAME_END.match(source, opening - 1):
            continue
        for index in range(opening, match.start() + 1):
            if repaired[index] not in (0x0A, 0x0D):
                repaired[index] = 0x20
        changed = True
    return bytes(repaired) if changed else None


def blank_bare_ampersands(source: bytes) -> bytes | None:
    """``<Text>Drag & Drop</Text>`` and ``placeholder="a=1&b=2"``: valid JSX the grammar rejects, because it
    reads ``&`` in JSX text and attribute strings as the start of a character reference. A bitwise ``a & b``
    is blanked too, which is why the result is only used when it parses cleanly."""
    if b"&" not in source:
        return None
    repaired = _BARE_AMPERSAND.sub(b" ", source)
    return repaired if repaired != source else None


def rename_using_identifiers(source: bytes) -> bytes | None:
    """``const using = useMemo(...)``: valid, but the grammar takes the name for the TS 5.2 ``using`` declaration
    keyword and loses the rest of the file. Renamed to ``u$ing``, a name of the same length."""
    if b"using" not in source:
        return None
    repaired = _USING_AS_NAME.sub(b"u$ing", source)
    return repaired if repaired != source else None


def repair(source: bytes, language: str) -> bytes | None:
    """The source with every applicable work-around applied, or None when none applies."""
    repaired = source
    if language != "javascript":
        repaired = blank_tagged_template_type_arguments(repaired) or repaired
    if language in ("tsx", "javascript"):
        repaired = blank_bare_ampersands(repaired) or repaired
    repaired = rename_using_identifiers(repaired) or repaired
    return repaired if repaired is not source else None


def _matching_angle(source: bytes, closing: int) -> int | None:
    """Index of the ``<`` that the ``>`` at ``closing`` closes, skipping ``=>`` of function types."""
    depth = 0
    stop = max(0, closing - _LOOKBACK)
    for index in range(closing, stop - 1, -1):
        char = source[index]
        if char == 0x3E and not (index > 0 and source[index - 1] == 0x3D):  # '>' but not '=>'
            depth += 1
        elif char == 0x3C:  # '<'
            depth -= 1
            if depth == 0:
                return index
        elif char == 0x60:  # a backtick: we left the type arguments
            return None
    return None
