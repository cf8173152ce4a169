"""Shared test set-up: an isolated facts cache per test session."""

from __future__ import annotations

import pytest
from npm_helpers import REQUIRE_NODE


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("PERFREWRITE_CACHE_DIR", str(tmp_path_factory.mktemp("perfrewrite-cache")))
    yield
    mp.undo()


@pytest.fixture(scope="session")
def node_modules():
    """The pinned Node packages of tests/npm_helpers.py (TypeScript, React, lodash, @types), installed once
    and cached across runs; the test is skipped, with the reason, when npm cannot install them."""
    from npm_helpers import install_node_packages

    try:
        return install_node_packages()
    except RuntimeError as exc:
        (pytest.fail if REQUIRE_NODE else pytest.skip)(f"Node packages unavailable: {exc}")
