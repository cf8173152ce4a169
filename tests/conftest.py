"""Shared test set-up: an isolated facts cache per test session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("PERFREWRITE_CACHE_DIR", str(tmp_path_factory.mktemp("perfrewrite-cache")))
    yield
    mp.undo()
