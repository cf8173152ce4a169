"""Clone detection over normalised token streams: the search (``_clone_search``) finds maximal matches, nearby
matches of one pair of places join across small gaps (near-miss clones), both ends are trimmed to whole
statements, and places that match each other form clusters."""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from analyzers.detectors._clone_search import Match, Runs, Stream, matches, run_at, runs_of

_CHAINS_TRIED = 4  # recent chains of a pair of places a match may extend
_MIN_SIMILARITY = 0.75  # matched tokens over the longer copy, for copies joined across gaps
_NESTED_OVERLAP = 0.5  # regions of one file that overlap by this share of the longer one are one copy


@dataclass(frozen=True)
class Syntax:
    """Token kinds the clone boundaries are trimmed at: a copy never starts with a bracket it did not open."""

    openers: frozenset[int]
    closers: frozenset[int]
    separators: frozenset[int]


@dataclass(frozen=True)
class Limits:
    min_tokens: int
    min_lines: int
    max_gap_lines: int
    max_gap_tokens: int


@dataclass(frozen=True)
class Copy:
    stream: int
    start: int  # first token
    end: int  # one past the last token
    first_line: int
    last_line: int

    @property
    def lines(self) -> int:
        return self.last_line - self.first_line + 1


@dataclass(frozen=True)
class Cluster:
    copies: tuple[Copy, ...]  # in stream order, then by position
    tokens: int  # matched tokens of the smallest pair
    near_miss: bool  # some copies match only across gaps


@dataclass
class _Chain:
    """A run of matches between two places ``b`` (earlier) and ``a``, possibly with gaps."""

    b_stream: int
    b_start: int
    b_end: int
    a_stream: int
    a_start: int
    a_end: int
    matched: int
    gapped: bool = False
    first_length: int = 0  # length of the first and last match, the parts trimming may touch
    last_length: int = 0


def find_clones(streams: Sequence[Stream], syntax: Syntax, limits: Limits) -> list[Cluster]:
    # The search allocates many small tuples and makes no reference cycles: a cyclic collection while it runs
    # would only walk every object of the project's facts again, several times over.
    collecting = gc.isenabled()
    gc.disable()
    try:
        runs = [runs_of(stream) for stream in streams]
        found = matches(streams, runs, reach=limits.max_gap_tokens)
        chains = _chains(found, streams, runs, limits)
        pairs = [chain for chain in chains if _keep(chain, streams, syntax, limits)]
        return _clusters(pairs, streams)
    finally:
        if collecting:
            gc.enable()


def _chains(found: list[Match], streams: Sequence[Stream], runs: list[Runs], limits: Limits) -> list[_Chain]:
    """Join the matches of each pair of places that follow each other with small gaps in both copies."""
    by_pair: dict[tuple[int, int], list[Match]] = defaultdict(list)
    for match in found:
        by_pair[(match[0], match[2])].append(match)
    chains: list[_Chain] = []
    for (b_stream, a_stream), pair_matches in by_pair.items():
        pair_matches.sort(key=lambda m: (m[1], m[3]))
        b_side = (streams[b_stream].lines, runs[b_stream])
        a_side = (streams[a_stream].lines, runs[a_stream])
        open_chains: list[_Chain] = []
        for _, b_start, _, a_start, length in pair_matches:
            for chain in reversed(open_chains[-_CHAINS_TRIED:]):
                if _join(chain, b_start, a_start, length, b_side, a_side, limits):
                    break
            else:
                chain = _Chain(b_stream, b_start, b_start + length, a_stream, a_start, a_start + length, length)
                chain.first_length = chain.last_length = length
                open_chains.append(chain)
        chains.extend(open_chains)
    return chains


_Side = tuple[Sequence[int], Runs]  # a stream's token lines and runs


def _join(
    chain: _Chain, b_start: int, a_start: int, length: int, b_side: _Side, a_side: _Side, limits: Limits
) -> bool:
    """Extend ``chain`` with the match when it follows after a small gap; a match inside the chain is absorbed.

    A gap never spans a BREAK or a masked range, and two places in one file never grow into each other.
    """
    overlap = max(chain.b_end - b_start, chain.a_end - a_start, 0)
    if overlap >= length:
        return b_start >= chain.b_start and a_start >= chain.a_start
    # the part of the match past the chain's end in both copies
    b_start, a_start, length = b_start + overlap, a_start + overlap, length - overlap
    b_gap, a_gap = b_start - chain.b_end, a_start - chain.a_end
    if max(b_gap, a_gap) > limits.max_gap_tokens:
        return False
    if chain.b_stream == chain.a_stream and b_start + length > chain.a_start:
        return False
    for (lines, runs), gap_start, gap_end in ((b_side, chain.b_end, b_start), (a_side, chain.a_end, a_start)):
        if _gap_lines(lines, gap_start, gap_end) > limits.max_gap_lines:
            return False
        if run_at(runs, gap_start - 1) != run_at(runs, gap_end):
            return False
    chain.b_end, chain.a_end = b_start + length, a_start + length
    chain.matched += length
    chain.last_length = length
    chain.gapped = chain.gapped or bool(b_gap or a_gap)
    return True


def _gap_lines(lines: Sequence[int], start: int, end: int) -> int:
    """Lines holding the unmatched tokens ``start:end``; 0 when there are none."""
    return lines[end - 1] - lines[start] + 1 if end > start else 0


def _keep(chain: _Chain, streams: Sequence[Stream], syntax: Syntax, limits: Limits) -> bool:
    """Trim the chain to whole brackets at both ends, then check it is big and similar enough."""
    if chain.matched < limits.min_tokens:
        return False
    kinds = streams[chain.a_stream].kinds
    head = _head_trim(kinds[chain.a_start : chain.a_start + chain.first_length], syntax)
    tail = _tail_trim(kinds[chain.a_end - chain.last_length : chain.a_end], syntax)
    if head + tail >= chain.matched:
        return False
    chain.b_start += head
    chain.a_start += head
    chain.b_end -= tail
    chain.a_end -= tail
    chain.matched -= head + tail
    longer = max(chain.b_end - chain.b_start, chain.a_end - chain.a_start)
    if chain.matched < limits.min_tokens or chain.matched < _MIN_SIMILARITY * longer:
        return False
    b_lines, a_lines = streams[chain.b_stream].lines, streams[chain.a_stream].lines
    lines = min(b_lines[chain.b_end - 1] - b_lines[chain.b_start], a_lines[chain.a_end - 1] - a_lines[chain.a_start])
    return lines + 1 >= limits.min_lines


def _head_trim(kinds: bytes, syntax: Syntax) -> int:
    """Tokens to drop at the start: the ends of statements that began before the copy (closers of brackets
    opened before it, within its first quarter), then separators."""
    depth = lowest = cut = 0
    openers, closers = syntax.openers, syntax.closers
    for at, kind in enumerate(kinds[: len(kinds) // 4]):
        if kind in openers:
            depth += 1
        elif kind in closers:
            depth -= 1
            if depth < lowest:
                lowest, cut = depth, at + 1
    while cut < len(kinds) and kinds[cut] in syntax.separators:
        cut += 1
    return cut


def _tail_trim(kinds: bytes, syntax: Syntax) -> int:
    """Tokens to drop at the end: openers and separators left dangling where the copies part."""
    cut = 0
    dangling = syntax.openers | syntax.separators
    while cut < len(kinds) and kinds[len(kinds) - 1 - cut] in dangling:
        cut += 1
    return cut


def _clusters(pairs: list[_Chain], streams: Sequence[Stream]) -> list[Cluster]:
    """Union the two places of every pair; places in one file that mostly overlap are the same copy."""
    regions: dict[int, list[tuple[int, int, int]]] = defaultdict(list)  # stream -> (start, end, region id)
    for number, chain in enumerate(pairs):
        regions[chain.b_stream].append((chain.b_start, chain.b_end, 2 * number))
        regions[chain.a_stream].append((chain.a_start, chain.a_end, 2 * number + 1))
    parent = list(range(2 * len(pairs)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(x: int, y: int) -> None:
        parent[find(x)] = find(y)

    for number in range(len(pairs)):
        union(2 * number, 2 * number + 1)
    copies: list[tuple[int, int, int, int]] = []  # (a region of the copy, stream, start, end)
    for stream, found in regions.items():
        for group in _overlap_groups(found):
            for region in group[1:]:
                union(region[2], group[0][2])
            # the places found by each pair differ a little at the ends: the copy is the middle-sized one, not
            # their union, which grows with every pair that overlaps the last
            start, end, _ = sorted(group, key=lambda r: r[1] - r[0])[len(group) // 2]
            copies.append((group[0][2], stream, start, end))
    members: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for region, stream, start, end in copies:
        members[find(region)].append((stream, start, end))
    smallest: dict[int, int] = {}
    gapped: dict[int, bool] = defaultdict(bool)
    for number, chain in enumerate(pairs):
        root = find(2 * number)
        smallest[root] = min(smallest.get(root, chain.matched), chain.matched)
        gapped[root] |= chain.gapped
    clusters = []
    for root, places in members.items():
        kept: list[Copy] = []
        for stream, start, end in sorted(places):
            # code that repeats with a short period matches itself shifted: keep copies that do not overlap
            if kept and kept[-1].stream == stream and start < kept[-1].end:
                continue
            lines = streams[stream].lines
            kept.append(Copy(stream, start, end, lines[start], lines[end - 1]))
        if len(kept) > 1:
            clusters.append(Cluster(tuple(kept), smallest[root], gapped[root]))
    return _drop_nested(clusters)


def _overlap_groups(found: list[tuple[int, int, int]]) -> list[list[tuple[int, int, int]]]:
    """Regions of one stream grouped when one overlaps another by at least half of the longer of the two."""
    groups: list[list[tuple[int, int, int]]] = []
    active: list[tuple[int, list[tuple[int, int, int]]]] = []  # (group end, group)
    for region in sorted(found):
        start, end, _ = region
        active = [(group_end, group) for group_end, group in active if group_end > start]
        for index, (group_end, group) in enumerate(active):
            head = group[0]
            overlap = min(end, head[1]) - max(start, head[0])
            if overlap >= _NESTED_OVERLAP * max(end - start, head[1] - head[0]):
                group.append(region)
                active[index] = (max(group_end, end), group)
                break
        else:
            group = [region]
            groups.append(group)
            active.append((end, group))
    return groups


def _drop_nested(clusters: list[Cluster]) -> list[Cluster]:
    """A cluster whose every copy lies inside copies of a bigger cluster says nothing new."""
    spans: dict[int, list[tuple[int, int, int]]] = defaultdict(list)  # stream -> (start, end, cluster)
    for number, cluster in enumerate(clusters):
        for copy in cluster.copies:
            spans[copy.stream].append((copy.start, copy.end, number))

    def inside_other(copy: Copy, number: int) -> bool:
        return any(
            other != number and start <= copy.start and copy.end <= end and (end - start) > (copy.end - copy.start)
            for start, end, other in spans[copy.stream]
        )

    return [
        cluster
        for number, cluster in enumerate(clusters)
        if not all(inside_other(copy, number) for copy in cluster.copies)
    ]
