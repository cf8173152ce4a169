"""What a loop carries from one turn to the next, shared by the JS and Python flow passes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LoopSummary:
    assignments: tuple[tuple[frozenset[str], frozenset[str]], ...]  # (names set, names read to set them)
    condition: frozenset[str]  # names the loop condition reads
    stops: bool  # no condition of its own, or the body can return, break or yield

    def carries(self, bound: Iterable[str], reads: frozenset[str] | set[str]) -> bool:
        """Whether names set from an awaited value (or names set from those, ``cursor = page.next``) reach the
        loop's condition or ``reads``, the names the awaited expression itself reads on the next turn."""
        if self.stops:
            return True
        derived = set(bound)
        grew = bool(derived)
        while grew:  # to a fixpoint
            grew = False
            for written, read in self.assignments:
                if read & derived and not written <= derived:
                    derived |= written
                    grew = True
        return bool(derived & (self.condition | reads))
