"""The stack of enclosing functions and loops during the front-end's single sweep over nodes in source order."""

from __future__ import annotations

from dataclasses import dataclass

from analyzers.js_functions import FunctionRecord


def _begin(entry: tuple[int, Frame]) -> int:
    return entry[0]


@dataclass(slots=True)
class Frame:
    end_byte: int
    function: FunctionRecord | None = None
    loop: int | None = None
    # A function whose body runs in its caller's flow (an array-method callback, an anonymous function
    # handed to a call): loops around it still count for what it contains.
    transparent: bool = False


class ScopeStack:
    """Frames whose byte range covers the current position, innermost last.

    ``function``, ``qualname`` and ``loops`` describe the current position; they are recomputed only when
    the stack changes, which is far rarer than the nodes asking for them.
    """

    def __init__(self) -> None:
        self.frames: list[Frame] = []
        # (begin byte, frame) for loops whose header runs once: they cover only what comes after it
        self.deferred: list[tuple[int, Frame]] = []
        self.function: FunctionRecord | None = None
        self.qualname: str | None = None
        self.loops: tuple[int, ...] = ()

    def advance(self, start_byte: int) -> None:
        """Drop the frames that end before a node starting at ``start_byte``; enter deferred ones it reached."""
        frames = self.frames
        changed = False
        while frames and frames[-1].end_byte <= start_byte:
            frames.pop()
            changed = True
        if self.deferred and self.deferred[0][0] <= start_byte:
            while self.deferred and self.deferred[0][0] <= start_byte:
                _, frame = self.deferred.pop(0)
                if frame.end_byte > start_byte:
                    frames.append(frame)
            changed = True
        if changed:
            self._refresh()

    def push(self, frame: Frame) -> None:
        self.frames.append(frame)
        self._refresh()

    def defer(self, frame: Frame, begin_byte: int) -> None:
        """Push ``frame`` once the sweep reaches ``begin_byte``: ``for (x of items())`` calls ``items()``
        once, so the loop frame starts at its body."""
        self.deferred.append((begin_byte, frame))
        self.deferred.sort(key=_begin)

    def _refresh(self) -> None:
        function = None
        for frame in reversed(self.frames):
            if frame.function is not None:
                function = frame.function
                break
        self.function = function
        self.qualname = function.qualname if function is not None else None
        # Enclosing loops, outermost first, up to the first function that is not transparent.
        loops: list[int] = []
        for frame in reversed(self.frames):
            if frame.loop is not None:
                loops.append(frame.loop)
            elif not frame.transparent:
                break
        loops.reverse()
        self.loops = tuple(loops)

    @property
    def innermost_loop(self) -> int | None:
        return self.loops[-1] if self.loops else None

    def mark_jsx(self) -> None:
        """Every enclosing function renders JSX (a component's body includes its nested callbacks)."""
        for frame in reversed(self.frames):
            record = frame.function
            if record is not None:
                if record.has_jsx:
                    return
                record.has_jsx = True

    @property
    def class_scope(self) -> str | None:
        """The class ``this`` refers to here: arrow functions keep the enclosing ``this``, others rebind it."""
        for frame in reversed(self.frames):
            record = frame.function
            if record is None:
                continue
            if record.kind == "class":
                return record.qualname
            if record.class_name is not None:
                return record.class_name
            if record.kind != "arrow":
                return None
        return None
