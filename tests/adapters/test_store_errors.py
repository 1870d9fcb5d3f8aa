"""The store's failures that go away by themselves are transient, on real SQLite and PostgreSQL:
a lock held too long, an unreachable server, a dropped connection, SQLite's "database is locked"."""

from __future__ import annotations

import socket
import sqlite3
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, text

from newswatch.adapters.store import Store
from newswatch.errors import LockTimeoutError, StoreUnavailableError, TransientError
from newswatch.models import FeedState

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_a_held_decision_lock_times_out_as_a_transient_error(db_url: str) -> None:
    with Store.open(db_url) as holder, Store.open(db_url, migrate=False) as waiter:
        with holder.decision_lock():
            started = time.monotonic()
            with (
                pytest.raises(LockTimeoutError) as caught,
                waiter.decision_lock(timeout_seconds=0.3),
            ):
                pass
            waited = time.monotonic() - started
        assert isinstance(caught.value, TransientError)
        assert caught.value.lock == "decision" and "decision lock" in str(caught.value)
        assert 0.3 <= waited < 5
        # once released, the waiter takes it
        with waiter.decision_lock(timeout_seconds=5):
            pass


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_postgresql_is_transient_and_never_shows_its_password() -> None:
    url = f"postgresql+psycopg://newswatch:s3cret-pw@127.0.0.1:{_closed_port()}/news"
    with pytest.raises(StoreUnavailableError) as caught:
        Store.open(url)
    message = str(caught.value)
    assert isinstance(caught.value, TransientError)
    assert "s3cret-pw" not in message
    assert "newswatch:***@127.0.0.1" in message
    assert "\n" not in message


@pytest.mark.postgres
def test_a_connection_dropped_mid_transaction_is_transient(postgres_url: str) -> None:
    # The server ends the session (as a restart does) while the store holds its connection.
    with Store.open(postgres_url) as store, store.engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with Store.open(postgres_url, migrate=False) as admin, admin.engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        with pytest.raises(StoreUnavailableError):
            conn.execute(text("SELECT 1"))


def test_sqlite_database_is_locked_is_transient(tmp_path: Any) -> None:
    path = tmp_path / "store.db"
    with Store.open(f"sqlite:///{path}") as store:
        # no busy wait in this test: the store's own 30 s busy timeout is the product's choice
        event.listen(
            store.engine, "connect", lambda dbapi, _r: dbapi.execute("PRAGMA busy_timeout=0")
        )
        store.engine.dispose()
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StoreUnavailableError) as caught:
                store.save_feed_state(FeedState(url="http://127.0.0.1/feed", last_polled=NOW))
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert "database is locked" in str(caught.value)


def test_other_database_errors_are_not_made_transient(tmp_path: Any) -> None:
    # A missing table is a bug, not a blip: retrying would not help.
    with Store.open(f"sqlite:///{tmp_path / 'store.db'}") as store, store.engine.connect() as conn:
        with pytest.raises(Exception) as caught:
            conn.execute(text("SELECT * FROM no_such_table"))
        assert not isinstance(caught.value, TransientError)
