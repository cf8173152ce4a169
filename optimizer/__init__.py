"""perfrewrite: find and fix performance bottlenecks across full-stack repositories."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["analyze", "Report", "Finding", "__version__"]


def __getattr__(name: str):
    # Lazy so that `perfrewrite --version` and `import optimizer` stay cheap.
    if name in ("analyze", "Report"):
        from optimizer import api

        return getattr(api, name)
    if name == "Finding":
        from optimizer.findings import Finding

        return Finding
    raise AttributeError(name)
