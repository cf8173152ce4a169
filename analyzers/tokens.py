"""Normalised token streams for clone detection, built by each front-end at parse time and cached with the facts.

A stream is one byte per token. Identifiers share one kind and so do literals of a type, so renamed copies
(Type-2 clones) read the same; keywords, operators and punctuation keep their own kinds. The front-ends leave
out comments, imports and type-only declarations (a ``BREAK`` marks where they were, so no match runs across
them), and fold large data-only literals (translation tables, config and route tables) into a ``DATA_OPEN``
``DATA_CLOSE`` pair: the code around a table still matches, the table itself never counts as duplicated code.

The fingerprints are winnowed hashes of ``KGRAM``-token windows (Schleimer, Wilkerson and Aiken, 2003), taken
only where a window starts with an identifier: of every ``WINDOW`` consecutive such hashes the smallest is
kept. Two streams that share a run holding ``WINDOW`` identifier-led windows are sure to share a fingerprint,
and two fingerprints when it holds twice as many, about ten identifiers, which any copy of 50 tokens has.
Identifiers are a quarter of all tokens, so anchoring the windows on them makes fingerprinting four times
cheaper than hashing every position, for about one fingerprint in ten tokens either way.
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Sequence

from analyzers.facts import Tokens

# kinds shared by every language; each front-end numbers its keywords and punctuation from FIRST_FREE on
BREAK, IDENT, NUMBER, STRING, BOOLEAN, DATA_OPEN, DATA_CLOSE, OTHER = range(8)
FIRST_FREE = 8

KGRAM = 12
WINDOW = 4
# no copy shorter than this is looked for
SHORTEST_CLONE = 2 * KGRAM
# a data-only literal is a table when it has this many tokens and entries; smaller ones (``{ where: { id } }``,
# a query's ``{ where, select }``) are part of the code and stay as they are
DATA_MIN_TOKENS = 20
DATA_MIN_ENTRIES = 3

_BREAK_BYTE = bytes([BREAK])
_BREAK_PAIR = _BREAK_BYTE * 2
_POSITION_BITS = 32
_POSITION_MASK = (1 << _POSITION_BITS) - 1


def build_tokens(
    kinds: Sequence[int],
    lines: Sequence[int],
    source: bytes,
    *,
    data_kinds: bytes,
    literals: Sequence[tuple[int, int, int]] = (),
    skipped: Sequence[tuple[int, int]] = (),
) -> Tokens:
    """The cached stream of one module.

    ``kinds``/``lines``: one entry per token in source order. ``literals``: token ranges ``[start, end)`` of
    object/array/dict literals, folded when every token in them is one of ``data_kinds`` (nested ranges are
    allowed; the outermost table wins) with their number of entries. ``skipped``: token ranges to drop, each
    replaced by a ``BREAK``.
    """
    raw = bytes(kinds)
    cuts: list[tuple[int, int, int]] = [(start, end, BREAK) for start, end in skipped if end > start]
    for start, end, entries in literals:
        if (
            end - start >= DATA_MIN_TOKENS
            and entries >= DATA_MIN_ENTRIES
            # a table holds values; flags and variables (a query's ``select``/``where``) make it code
            and raw.count(STRING, start, end) + raw.count(NUMBER, start, end) >= entries
            and not raw[start:end].translate(None, data_kinds)
        ):
            cuts.append((start, end, DATA_OPEN))
    cuts.sort(key=lambda cut: (cut[0], -cut[1]))
    out_kinds = bytearray()
    out_lines: list[int] = []
    done = 0
    for start, end, marker in cuts:
        if start < done:  # inside a range already cut
            continue
        out_kinds += raw[done:start]
        out_lines += lines[done:start]
        if marker == BREAK:
            out_kinds.append(BREAK)
            out_lines.append(lines[start])
        else:
            out_kinds += bytes((DATA_OPEN, DATA_CLOSE))
            out_lines += (lines[start], lines[end - 1])
        done = end
    out_kinds += raw[done:]
    out_lines += lines[done:]
    _merge_breaks(out_kinds, out_lines)
    stream = bytes(out_kinds)
    hashes, offsets = winnow(stream)
    last = out_lines[-1] if out_lines else 0
    return Tokens(
        kinds=stream,
        lines=array("H" if last < 1 << 16 else "I", out_lines),
        hashes=array("I", hashes),
        offsets=array("I", offsets),
        line_hashes=line_hashes(source),
    )


def _merge_breaks(kinds: bytearray, lines: list[int]) -> None:
    """One BREAK where several declarations in a row were left out."""
    at = kinds.find(_BREAK_PAIR)
    while at >= 0:
        del kinds[at + 1]
        del lines[at + 1]
        at = kinds.find(_BREAK_PAIR, at)


def winnow(kinds: bytes) -> tuple[list[int], list[int]]:
    """Winnowed fingerprints of ``kinds`` as (hashes, token offsets): identifier-led windows, none across a BREAK."""
    hashes: list[int] = []
    offsets: list[int] = []
    start = 0
    crc32 = zlib.crc32
    for segment in kinds.split(_BREAK_BYTE):
        anchors = _anchors(segment)
        if anchors:
            # hash and position in one int: ``min`` then picks the smallest hash, the leftmost on ties
            values = [crc32(segment[i : i + KGRAM]) << _POSITION_BITS | (start + i) for i in anchors]
            for value in dict.fromkeys(_window_minima(values)):
                hashes.append(value >> _POSITION_BITS)
                offsets.append(value & _POSITION_MASK)
        start += len(segment) + 1
    return hashes, offsets


def _anchors(segment: bytes) -> list[int]:
    """Offsets of the identifiers that start a whole window of the segment."""
    found, last = [], len(segment) - KGRAM
    at = segment.find(IDENT, 0, last + 1)
    while at >= 0:
        found.append(at)
        at = segment.find(IDENT, at + 1, last + 1)
    return found


def _window_minima(values: list[int]) -> list[int]:
    """The minimum of every ``WINDOW`` consecutive values (a power of two): the minima of windows of 2, 4,
    ... each from two of the half size, one ``map`` per doubling, so the loop runs in C."""
    if len(values) <= WINDOW:
        return [min(values)]
    minima, width = values, 1
    while width < WINDOW:
        minima = list(map(min, minima, minima[width:]))
        width *= 2
    return minima


def line_hashes(source: bytes) -> array:
    """CRC-32 of every source line without its indentation, to tell exact copies from renamed ones."""
    return array("I", map(zlib.crc32, map(bytes.strip, source.split(b"\n"))))
