"""Fixtures shared by every test folder: store URLs on real SQLite and real PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# No test may send traffic beyond loopback: Prefect's telemetry and analytics stay off
# however pytest is started (the Makefile sets these too).
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# The SSRF guard refuses loopback for article links and redirects: the test servers run on
# 127.0.0.1, which the tests allow explicitly (and only that address: refusal tests use
# other 127.0.0.0/8 addresses).
os.environ.setdefault("NEWSWATCH_ALLOWED_HOSTS", "127.0.0.1")
# Politeness towards the tests' own local servers would only slow the suite down; the
# limiter's own test sets its delay explicitly.
os.environ.setdefault("NEWSWATCH_PER_HOST_DELAY_SECONDS", "0")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def _postgres_admin_url() -> str | None:
    url = os.environ.get("NEWSWATCH_TEST_POSTGRES_URL")
    if not url and os.environ.get("CI"):
        pytest.fail("CI must provide NEWSWATCH_TEST_POSTGRES_URL (.ci/run starts PostgreSQL)")
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    admin = _postgres_admin_url()
    if not admin:
        pytest.skip("no PostgreSQL: set NEWSWATCH_TEST_POSTGRES_URL (make test in CI does)")
    from sqlalchemy import create_engine, text

    name = "nw_" + uuid.uuid4().hex[:12]
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.rsplit("/", 1)[0] + "/" + name
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The store URL on each real engine: a temp SQLite file, and a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("postgres_url")
