"""The store's engine: one per URL and process, SQLite pragmas, migrations, and the locks.

The schema is created and upgraded by Alembic (`open` runs `upgrade head`). Two locks
live in the database, not in the process, so they hold across workers: the migration
lock (runs starting together on a new database migrate it once) and the decision lock
(dedup and story decisions are made one run at a time). Neither is waited for forever:
after `LOCK_TIMEOUT_SECONDS` a `LockTimeoutError` names the lock.

Failures that go away by themselves become `StoreUnavailableError` (a TransientError,
so the caller retries): any OperationalError or InterfaceError on PostgreSQL (server
down or restarting, connection dropped, deadlock or serialization failure), and on
SQLite "database is locked"/"busy" or a disk I/O error. Other errors (a missing table,
bad SQL) are bugs and pass unchanged. Messages carry the URL with its password masked.
"""

from __future__ import annotations

import fcntl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, Self

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, Table, create_engine, event, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import InterfaceError, OperationalError

from newswatch.errors import ConfigError, LockTimeoutError, StoreUnavailableError

_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()
# pg_advisory_lock key of the decision lock (any fixed 64-bit number; this spells 'nwdecide')
DECISION_LOCK_KEY = 0x6E77646563696465
# ... and of the migration lock ('nwmigrat')
MIGRATE_LOCK_KEY = 0x6E776D6967726174
# How long a run waits for a lock another run holds. Deciding one batch takes seconds and
# migrating a store less than a minute: five minutes of waiting means the holder is stuck
# (or the store overloaded), and the run is better retried later than left hanging.
LOCK_TIMEOUT_SECONDS = 300.0
_SQLITE_TRANSIENT = ("database is locked", "database is busy", "disk i/o error")


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite store URL (None for another engine or an in-memory SQLite)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split("///", 1)[1] if "///" in url else ""
    return Path(path).expanduser() if path and path != ":memory:" else None


class StoreBase:
    """An engine and what every part of the store shares: opening, migrating, locking."""

    def __init__(self, engine: Engine, *, owns_engine: bool = True) -> None:
        self.engine = engine
        self._owns_engine = owns_engine

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def _insert(self, table: Table) -> Any:
        """The dialect's INSERT for `table` (it has ON CONFLICT: DO NOTHING, DO UPDATE)."""
        return (pg_insert if self.is_postgres else sqlite_insert)(table)

    @classmethod
    def shared(cls, url: str) -> Self:
        """A store over the process's one engine for `url` (its connection pool is shared by
        every task of a run: opening an engine per feed cost more than polling the feed).
        The schema must already be prepared; `close()` leaves the engine open."""
        with _ENGINES_LOCK:
            engine = _ENGINES.get(url)
            if engine is None:
                engine = cls.open(url, migrate=False).engine
                _ENGINES[url] = engine
        return cls(engine, owns_engine=False)

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Self:
        """Connect to `url` (a SQLAlchemy URL) and bring the schema up to date."""
        # A server's connection can die between two checkouts (pre-ping finds it); a SQLite
        # file's cannot, and a ping per checkout (one per recorded article) is wasted there.
        kwargs: dict[str, Any] = {"pool_pre_ping": True}
        if url.startswith("sqlite"):
            if (path := sqlite_file(url)) is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
            kwargs = {"connect_args": {"timeout": 30}, "pool_pre_ping": False}
        try:
            engine = create_engine(url, future=True, **kwargs)
        except Exception as exc:  # noqa: BLE001 - SQLAlchemy raises several kinds here
            raise ConfigError(f"cannot use database URL: {exc}") from exc
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "handle_error", _raise_transient)
        store = cls(engine)
        if migrate:
            store.migrate()
        return store

    def migrate(self, *, lock_timeout_seconds: float = LOCK_TIMEOUT_SECONDS) -> None:
        """Run Alembic `upgrade head` on this database."""
        cfg = Config()
        cfg.set_main_option(
            "script_location", str(resources.files("newswatch.adapters") / "migrations")
        )
        # Runs starting together on a new database would each create the schema: one
        # migrates at a time (a transaction-level advisory lock on PostgreSQL, a file
        # lock beside a SQLite file); the others then find it at head.
        try:
            with (
                self._file_lock("migrate", lock_timeout_seconds),
                self.engine.begin() as conn,
            ):
                if self.is_postgres:
                    self._wait_for(
                        lambda: _try_advisory(conn, "pg_try_advisory_xact_lock", MIGRATE_LOCK_KEY),
                        "migration",
                        lock_timeout_seconds,
                    )
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except (OperationalError, InterfaceError) as exc:  # what the error hook let through
            raise StoreUnavailableError(
                f"cannot migrate the store: {exc.orig}", url=masked_url(self.engine)
            ) from exc

    def close(self) -> None:
        if self._owns_engine:
            self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def decision_lock(self, *, timeout_seconds: float = LOCK_TIMEOUT_SECONDS) -> Iterator[None]:
        """Hold the store's one decision lock: dedup and story decisions are made one run at a time.

        Two runs deciding at once could each see the other's story as absent and alert
        twice. The lock lives in the database, not in the process: a PostgreSQL advisory
        lock (released if the holder dies), or on SQLite an OS file lock beside the
        database file (the same machine is the only place SQLite can be shared). Raises
        `LockTimeoutError` when another run still holds it after `timeout_seconds`.
        """
        if self.is_postgres:
            with self.engine.connect() as conn:
                self._wait_for(
                    lambda: _try_advisory(conn, "pg_try_advisory_lock", DECISION_LOCK_KEY),
                    "decision",
                    timeout_seconds,
                )
                conn.commit()
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": DECISION_LOCK_KEY})
                    conn.commit()
            return
        with self._file_lock("decide", timeout_seconds):
            yield

    @contextmanager
    def _file_lock(self, name: str, timeout_seconds: float) -> Iterator[None]:
        """An OS lock on a file beside a SQLite database (nothing for other engines)."""
        path = self.engine.url.database
        if self.engine.dialect.name != "sqlite" or not path or path == ":memory:":
            yield
            return
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        lock = "migration" if name == "migrate" else "decision"
        with open(f"{path}.{name}.lock", "a+b") as handle:
            self._wait_for(lambda: _try_flock(handle.fileno()), lock, timeout_seconds)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _wait_for(self, try_take: Callable[[], bool], lock: str, timeout_seconds: float) -> None:
        """Call `try_take` until it succeeds, pausing 50 ms doubling up to 1 s between tries;
        `LockTimeoutError` once `timeout_seconds` have passed."""
        deadline = time.monotonic() + timeout_seconds
        pause = 0.05
        while not try_take():
            left = deadline - time.monotonic()
            if left <= 0:
                raise LockTimeoutError(lock, timeout_seconds, url=masked_url(self.engine))
            time.sleep(min(pause, left))
            pause = min(pause * 2, 1.0)


def masked_url(engine: Engine) -> str:
    """The engine's URL as it may be shown: password replaced by ***."""
    return engine.url.render_as_string(hide_password=True)


def _try_advisory(conn: Connection, function: str, key: int) -> bool:
    return bool(conn.execute(text(f"SELECT {function}(:k)"), {"k": key}).scalar_one())


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _raise_transient(ctx: ExceptionContext) -> None:
    """SQLAlchemy's error hook: failures that go away by themselves become transient (see
    the module rules). Pre-ping failures are left to the pool, which reconnects."""
    error = ctx.sqlalchemy_exception
    if ctx.is_pre_ping or not isinstance(error, OperationalError | InterfaceError):
        return
    engine = ctx.engine
    dialect = engine.dialect.name if engine is not None else ctx.dialect.name
    detail = str(error.orig).strip()
    if dialect == "sqlite" and not any(s in detail.lower() for s in _SQLITE_TRANSIENT):
        return
    url = masked_url(engine) if engine is not None else None
    password = engine.url.password if engine is not None else None
    if password:
        detail = detail.replace(str(password), "***")
    one_line = "; ".join(line.strip() for line in detail.splitlines() if line.strip())
    message = f"database not available: {one_line or type(error.orig).__name__}"
    raise StoreUnavailableError(message, url=url) from error


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets a reader (the CLI's `alerts`) work while a run writes; busy_timeout makes
    # a second writer wait instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # WAL with synchronous=NORMAL cannot corrupt the database; a power cut may lose the
    # last transactions, which the next run redoes (entries are only marked done with
    # their article).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
