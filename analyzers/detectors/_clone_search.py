"""The search half of the clone detector: shared fingerprints seed matches between two places, and matches
grow to their maximal extent within the runs of tokens a clone may use.

Memory stays proportional to the fingerprints (about one token in ten): no pair of files is compared unless
they share a fingerprint, and a fingerprint that occurs very often is compared with only a few of its
earlier occurrences.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from analyzers.tokens import BREAK, KGRAM

# earlier occurrences of a fingerprint each new occurrence is compared with, and occurrences kept per fingerprint
_COMPARED = 4
_KEPT = 64
# past this many occurrences a fingerprint is compared with the last two only
_COMMON = 16
_ONE_BY_ONE = 4  # tokens compared singly before growing a match by slices

Runs = tuple[list[int], list[int]]  # starts and ends of the token runs of one stream
Match = tuple[int, int, int, int, int]  # b stream, b start, a stream, a start, length


@dataclass(frozen=True)
class Stream:
    """One file as the search sees it; ``masked`` token ranges take part in no clone."""

    kinds: bytes
    lines: Sequence[int]
    hashes: Sequence[int]
    offsets: Sequence[int]
    masked: tuple[tuple[int, int], ...] = ()


def runs_of(stream: Stream) -> Runs:
    """Starts and ends of the token runs a match may use: between BREAKs, outside masked ranges."""
    kinds = stream.kinds
    cuts = [(at, at + 1) for at in _positions(kinds, BREAK)]
    cuts.extend(stream.masked)
    cuts.sort()
    starts, ends, done = [], [], 0
    for start, end in cuts:
        if start > done:
            starts.append(done)
            ends.append(start)
        done = max(done, end)
    if done < len(kinds):
        starts.append(done)
        ends.append(len(kinds))
    return starts, ends


def _positions(data: bytes, value: int) -> list[int]:
    found, at = [], data.find(value)
    while at >= 0:
        found.append(at)
        at = data.find(value, at + 1)
    return found


def matches(streams: Sequence[Stream], runs: list[Runs], reach: int) -> list[Match]:
    """Maximal matches ``(b_stream, b_start, a_stream, a_start, length)``, the ``b`` place earlier.

    Each stream ``a`` is compared with what came before it through the fingerprints they share. A diagonal
    (the two places at a fixed distance) with two shared fingerprints or more is grown; one with a single
    fingerprint only within ``reach`` tokens of such a match, as a part of a near-miss copy. A run with
    ``2 * WINDOW`` identifier-led windows shares two fingerprints, and a single shared window is mostly a
    common idiom, so this skips most of the work without losing copies.
    """
    index: dict[int, list[tuple[int, int]]] = {}
    found: list[Match] = []
    for a_stream, stream in enumerate(streams):
        seeds = _seeds(a_stream, stream, runs[a_stream], index)
        strong: dict[int, list[tuple[int, int, int]]] = defaultdict(list)  # b stream -> (a start, a end, diagonal)
        weak: list[tuple[tuple[int, int], int]] = []
        for key, offsets in seeds.items():
            if len(offsets) == 1:
                weak.append((key, offsets[0]))
                continue
            for match in _grow_diagonal(key, a_stream, offsets, streams, runs):
                found.append(match)
                strong[key[0]].append((match[3], match[3] + match[4], key[1]))
        spans = {b_stream: sorted(found_spans) for b_stream, found_spans in strong.items()}
        for key, a_at in weak:
            near = spans.get(key[0])
            if near is not None and _near(near, a_at, key[1], reach):
                found.extend(_grow_diagonal(key, a_stream, [a_at], streams, runs))
    return found


def _seeds(
    a_stream: int, stream: Stream, runs: Runs, index: dict[int, list[tuple[int, int]]]
) -> dict[tuple[int, int], list[int]]:
    """The fingerprints ``stream`` shares with earlier places, by (b stream, diagonal ``a - b``) -> offsets
    in ``a``, ascending; adds the stream's own fingerprints to ``index``."""
    seeds: dict[tuple[int, int], list[int]] = defaultdict(list)
    starts, ends = runs
    masked = bool(stream.masked)  # windows never span a BREAK, only a masked range needs looking up
    for fingerprint, a_at in zip(stream.hashes, stream.offsets):
        if masked:
            seg = bisect_right(starts, a_at) - 1
            if seg < 0 or a_at + KGRAM > ends[seg]:
                continue
        earlier = index.get(fingerprint)
        if earlier is None:
            index[fingerprint] = [(a_stream, a_at)]
            continue
        # a window found in many places is an idiom more often than a copy: fewer comparisons, still linking
        # every new place to the ones before
        for b_stream, b_at in earlier[-_COMPARED:] if len(earlier) < _COMMON else earlier[-2:]:
            seeds[(b_stream, a_at - b_at)].append(a_at)
        if len(earlier) < _KEPT:
            earlier.append((a_stream, a_at))
    return seeds


def _grow_diagonal(
    key: tuple[int, int],
    a_stream: int,
    offsets: list[int],
    streams: Sequence[Stream],
    runs: list[Runs],
) -> Iterable[Match]:
    b_stream, diagonal = key
    b_kinds, a_kinds = streams[b_stream].kinds, streams[a_stream].kinds
    covered = -1
    for a_at in offsets:
        if a_at + KGRAM <= covered:
            continue  # inside the match grown from an earlier seed
        match = _grow(b_kinds, a_at - diagonal, runs[b_stream], a_kinds, a_at, runs[a_stream])
        if match is None:
            continue
        b_start, a_start, length = match
        if b_stream == a_stream and b_start + length > a_start:
            length = a_start - b_start  # a run that repeats itself: the copies must not overlap
            if length < KGRAM:
                continue
        covered = a_start + length
        yield b_stream, b_start, a_stream, a_start, length


def _near(spans: list[tuple[int, int, int]], at: int, diagonal: int, reach: int) -> bool:
    """Whether a match at ``at`` on ``diagonal`` could join one of the grown ``spans`` across a gap of at
    most ``reach`` tokens in each copy: close in position and in diagonal."""
    after = bisect_right(spans, (at, at, diagonal))
    for start, end, other in spans[max(after - 1, 0) : after + 1]:
        if start - reach <= at <= end + reach and abs(diagonal - other) <= reach:
            return True
    return False


def _grow(b: bytes, b_at: int, b_runs: Runs, a: bytes, a_at: int, a_runs: Runs) -> tuple[int, int, int] | None:
    """The maximal match through the seed, within the runs that hold it; None for a hash collision."""
    if b[b_at : b_at + KGRAM] != a[a_at : a_at + KGRAM]:
        return None
    b_lo, b_hi = run_at(b_runs, b_at)
    a_lo, a_hi = run_at(a_runs, a_at)
    back = _agree(b, b_at - 1, a, a_at - 1, min(b_at - b_lo, a_at - a_lo), -1)
    ahead = _agree(b, b_at + KGRAM, a, a_at + KGRAM, min(b_hi - b_at, a_hi - a_at) - KGRAM, 1)
    return b_at - back, a_at - back, back + KGRAM + ahead


def run_at(runs: Runs, at: int) -> tuple[int, int]:
    starts, ends = runs
    index = bisect_right(starts, at) - 1
    return starts[index], ends[index]


def _agree(b: bytes, b_at: int, a: bytes, a_at: int, limit: int, step: int) -> int:
    """How many tokens agree from ``b[b_at]`` and ``a[a_at]`` on, going forwards (``step`` 1) or backwards
    (-1), at most ``limit``.

    A seed that is not part of a copy stops within a few tokens, so those are compared one by one; a longer
    run gallops and then bisects over slice comparisons, a few C-level compares however long it is.
    """
    n = 0
    while n < limit and n < _ONE_BY_ONE and b[b_at + step * n] == a[a_at + step * n]:
        n += 1
    if n < _ONE_BY_ONE or n == limit:
        return n

    def same(count: int) -> bool:
        if step > 0:
            return b[b_at : b_at + count] == a[a_at : a_at + count]
        return b[b_at - count + 1 : b_at + 1] == a[a_at - count + 1 : a_at + 1]

    good, stride = n, 8
    while good < limit:
        trial = min(good + stride, limit)
        if not same(trial):
            break
        good, stride = trial, stride * 2
    else:
        return good
    bad = min(good + stride, limit)
    while bad - good > 1:
        middle = (good + bad) // 2
        if same(middle):
            good = middle
        else:
            bad = middle
    return good
