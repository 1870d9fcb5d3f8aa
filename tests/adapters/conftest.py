"""Fixtures for adapter tests: a real HTTP server on 127.0.0.1 (see tests/support/httpserver.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.httpserver import LocalHTTPServer


@pytest.fixture
def http_server() -> Iterator[LocalHTTPServer]:
    """A fresh local server for one test, with no routes; stopped afterwards."""
    with LocalHTTPServer() as server:
        yield server
