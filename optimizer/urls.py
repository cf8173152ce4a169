"""URL path patterns: route paths as frameworks declare them, client URLs as code builds them, and the
segment-by-segment match between the two.

A pattern is a tuple of segments: a literal, ``*`` for one parameter segment, ``**`` (last) for the rest of the
path; a client segment that mixes text and a computed part is a glob such as ``report*.csv``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from optimizer.expr_text import Hole, Part

WILD = "*"
REST = "**"
_HOLE = "\x00"
_EXPRESS_PARAM = re.compile(r":\w+(?:\([^)]*\))?\??|\([^)]*\)")
_BRACED_PARAM = re.compile(r"\{[^}]*\}")
_NEXT_REST = re.compile(r"\[\[?\.\.\.[^\]]+\]\]?")
_NEXT_PARAM = re.compile(r"\[[^\]]+\]")
_SCHEME = re.compile(r"^[A-Za-z][\w+.-]*://|^//")
# Hosts a service reaches inside one deployment: loopback and compose service names have no dot.
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "0.0.0.0", "host.docker.internal", "[::1]"}


@dataclass(frozen=True, slots=True)
class UrlPattern:
    """A client URL's path. ``anchored`` is False when an unknown base (``${API_URL}``) comes first: the
    segments are then a suffix of the real path."""

    segments: tuple[str, ...]
    anchored: bool = True

    def __str__(self) -> str:
        return ("" if self.anchored else "…") + "/" + "/".join(self.segments)


def route_segments(path: str) -> tuple[str, ...]:
    """Segments of a declared route path in any of Express (``:id``, ``*``), FastAPI/Starlette (``{id}``,
    ``{p:path}``) or Next.js (``[id]``, ``[...slug]``) syntax."""
    segments = []
    for segment in _split(path):
        if segment in ("*", "(.*)") or _NEXT_REST.fullmatch(segment) or re.fullmatch(r"\{[^}:]+:path\}", segment):
            segments.append(REST)
        elif _EXPRESS_PARAM.search(segment) or _BRACED_PARAM.search(segment) or _NEXT_PARAM.search(segment):
            segments.append(WILD)
        elif "*" in segment:
            segments.append(WILD)
        else:
            segments.append(segment)
    return tuple(segments)


def join_paths(*paths: str) -> str:
    """``join_paths('/api/', '/projects', '/')`` -> ``/api/projects``; the root is ``/``."""
    joined = "/".join(p.strip("/") for p in paths if p.strip("/"))
    return "/" + joined


def client_pattern(parts: tuple[Part, ...]) -> UrlPattern | None:
    """The path a client URL built from ``parts`` requests, or None when it is unknown or leaves the deployment
    (a public host with a dot in its name)."""
    text = "".join(_HOLE if isinstance(p, Hole) else p for p in parts)
    anchored = True
    scheme = _SCHEME.match(text)
    if scheme:
        rest = text[scheme.end() :]
        host, slash, path = rest.partition("/")
        host_name = host.rsplit("@", 1)[-1].split(":", 1)[0]
        if _HOLE not in host and host_name not in _LOCAL_HOSTS and "." in host_name:
            return None
        text = slash + path
    elif text.startswith(_HOLE):
        # An unknown base such as ``${API_URL}`` or a wrapper's ``baseURL``; a ``:port`` after it is still host.
        anchored = False
        text = re.sub(r"^\x00+(?::\d+)?", "", text)
    text = re.split(r"[?#]", text, maxsplit=1)[0]
    segments = tuple(_client_segment(s) for s in _split(text))
    if not any(_has_literal(s) for s in segments) and (segments or not anchored):
        return None  # ``fetch(url)``: nothing to match on
    return UrlPattern(segments, anchored)


def match_score(url: UrlPattern, route: tuple[str, ...], route_anchored: bool = True) -> int | None:
    """How well ``url`` fits ``route``, or None when it cannot be a request to it.

    A literal equal to a literal scores 2, a computed segment against a parameter 1, and a literal against a
    parameter (or the reverse) 0, so ``/projects/${id}`` prefers ``/projects/:id`` to ``/projects/recent``.
    When either side's start is unknown the two are aligned at the end, and at least one literal must agree.
    """
    rest = bool(route) and route[-1] == REST
    fixed = route[:-1] if rest else route
    client = url.segments
    if url.anchored and route_anchored:
        if len(client) < len(fixed) or (len(client) > len(fixed) and not rest):
            return None
        pairs = zip(client, fixed)
    else:
        if rest:
            return None  # a catch-all with an unknown prefix would match anything
        if (url.anchored and len(client) < len(fixed)) or (route_anchored and len(fixed) < len(client)):
            return None
        size = min(len(client), len(fixed))
        if size == 0:
            return None
        pairs = zip(client[len(client) - size :], fixed[len(fixed) - size :])
    score = literals = 0
    for mine, theirs in pairs:
        step = _segment_score(mine, theirs)
        if step is None:
            return None
        score += step
        literals += step == 2
    if not literals and not (url.anchored and route_anchored):
        return None
    return score


def _segment_score(client: str, route: str) -> int | None:
    if route in (WILD, REST):
        return 1 if client == WILD else 0
    if client == WILD:
        return 0
    if WILD in client:
        return 0 if _glob(client).fullmatch(route) else None
    return 2 if client == route else None


def _client_segment(segment: str) -> str:
    if _HOLE not in segment:
        return segment
    if segment.strip(_HOLE) == "":
        return WILD
    return re.sub(r"\x00+", WILD, segment)


def _has_literal(segment: str) -> bool:
    return segment != WILD


@lru_cache(maxsize=1024)
def _glob(segment: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(piece) for piece in segment.split(WILD)))


def _split(path: str) -> list[str]:
    return [s for s in path.split("/") if s]
