"""Opt-in import-time measurement: ``python -X importtime -c "import X"`` in a subprocess per library.

This runs the user's installed libraries (never their own code), so it happens only when asked for with
``--measure-imports``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterable

# "import time:       412 |      15871 | torch"  (microseconds: self | cumulative | module)
_LINE = re.compile(r"^import time:\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(\S.*?)\s*$")


def measure_import_ms(modules: Iterable[str], python: str | None = None, timeout: float = 120) -> dict[str, int]:
    """Cumulative import time in milliseconds of each module that imports cleanly; others are left out."""
    measured: dict[str, int] = {}
    for module in sorted(set(modules)):
        try:
            done = subprocess.run(
                [python or sys.executable, "-X", "importtime", "-c", f"import {module}"],
                capture_output=True, text=True, timeout=timeout, check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode != 0:
            continue
        for line in done.stderr.splitlines():
            match = _LINE.match(line)
            if match and match.group(3).strip() == module:
                measured[module] = round(int(match.group(2)) / 1000)
    return measured
