"""Comparing two tools' clones: perfrewrite's clusters of copies with jscpd's pairs of fragments, by lines."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple


class Fragment(NamedTuple):
    path: str
    first: int
    last: int


Cluster = list[Fragment]
Pair = tuple[Fragment, Fragment]


@dataclass(frozen=True)
class Overlap:
    their_pairs: int
    their_found: int  # their pairs that one of our clusters holds
    our_found: int  # our clusters that hold one of their pairs
    their_clusters: int  # their pairs grouped the way we group copies


def jscpd_pairs(report: dict, tree: Path) -> list[Pair]:
    """The fragments of every clone in a jscpd JSON report, with paths relative to ``tree``."""
    pairs = []
    for clone in report["duplicates"]:
        ends = []
        for side in ("firstFile", "secondFile"):
            place = clone[side]
            path = Path(place["name"])
            if path.is_absolute():
                path = path.relative_to(tree)
            ends.append(Fragment(path.as_posix(), place["startLoc"]["line"], place["endLoc"]["line"]))
        pairs.append((ends[0], ends[1]))
    return pairs


def covers(copy: Fragment, fragment: Fragment) -> bool:
    """The copy covers at least half of the fragment's lines (or the fragment half of the copy's)."""
    if copy.path != fragment.path:
        return False
    shared = min(copy.last, fragment.last) - max(copy.first, fragment.first) + 1
    return shared * 2 >= min(copy.last - copy.first + 1, fragment.last - fragment.first + 1)


def _holds(cluster: Cluster, pair: Pair) -> bool:
    """Two different copies of the cluster cover the pair's two fragments."""
    first = [i for i, copy in enumerate(cluster) if covers(copy, pair[0])]
    second = [j for j, copy in enumerate(cluster) if covers(copy, pair[1])]
    return any(i != j for i in first for j in second)


def _by_path(clusters: list[Cluster]) -> dict[str, list[int]]:
    index: dict[str, list[int]] = defaultdict(list)
    for number, cluster in enumerate(clusters):
        for path in {copy.path for copy in cluster}:
            index[path].append(number)
    return index


def matched(ours: list[Cluster], theirs: list[Pair]) -> tuple[set[int], set[int]]:
    """(our clusters holding some pair, their pairs some cluster holds), by index."""
    index = _by_path(ours)
    our_hits: set[int] = set()
    their_hits: set[int] = set()
    for number, pair in enumerate(theirs):
        for candidate in index.get(pair[0].path, ()):
            if _holds(ours[candidate], pair):
                our_hits.add(candidate)
                their_hits.add(number)
    return our_hits, their_hits


def group_pairs(pairs: list[Pair]) -> list[Cluster]:
    """Pairs joined into clusters where their fragments cover each other, as perfrewrite groups copies."""
    # imported here: the timed runs of benchmarks/duplicates.py import this module too, and must not pay for it
    from networkx.utils import UnionFind

    fragments = [fragment for pair in pairs for fragment in pair]
    sets = UnionFind(range(len(fragments)))
    for number in range(len(pairs)):
        sets.union(2 * number, 2 * number + 1)
    by_path: dict[str, list[int]] = defaultdict(list)
    for number, fragment in enumerate(fragments):
        by_path[fragment.path].append(number)
    for numbers in by_path.values():
        numbers.sort(key=lambda n: fragments[n].first)
        for i, left in enumerate(numbers):
            for right in numbers[i + 1 :]:
                if fragments[right].first > fragments[left].last:
                    break
                if covers(fragments[left], fragments[right]) and covers(fragments[right], fragments[left]):
                    sets.union(left, right)
    return [[fragments[number] for number in sorted(group)] for group in sets.to_sets()]


def compare(ours: list[Cluster], theirs: list[Pair]) -> Overlap:
    our_hits, their_hits = matched(ours, theirs)
    return Overlap(len(theirs), len(their_hits), len(our_hits), len(group_pairs(theirs)))


def one_sided(ours: list[Cluster], theirs: list[Pair]) -> tuple[list[Cluster], list[Pair]]:
    """Our clusters no pair of theirs is in, and their pairs no cluster of ours holds, in report order."""
    our_hits, their_hits = matched(ours, theirs)
    return (
        [cluster for number, cluster in enumerate(ours) if number not in our_hits],
        [pair for number, pair in enumerate(theirs) if number not in their_hits],
    )
