"""The store's engine: one per URL and process, SQLite pragmas, migrations, and the locks.

The schema is created and upgraded by Alembic (`open` runs `upgrade head`). Two locks
live in the database, not in the process, so they hold across workers: the migration
lock (runs starting together on a new database migrate it once) and the decision lock
(dedup and story decisions are made one run at a time).
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, Self

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError

from newswatch.errors import ConfigError, TransientError

_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()
# pg_advisory_lock key of the decision lock (any fixed 64-bit number; this spells 'nwdecide')
DECISION_LOCK_KEY = 0x6E77646563696465
# ... and of the migration lock ('nwmigrat')
MIGRATE_LOCK_KEY = 0x6E776D6967726174


class StoreBase:
    """An engine and what every part of the store shares: opening, migrating, locking."""

    def __init__(self, engine: Engine, *, owns_engine: bool = True) -> None:
        self.engine = engine
        self._owns_engine = owns_engine

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

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
        kwargs: dict[str, Any] = {}
        if url.startswith("sqlite"):
            path = url.split("///", 1)[1] if "///" in url else ""
            if path and path != ":memory:":
                Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": 30}
        try:
            engine = create_engine(url, future=True, pool_pre_ping=True, **kwargs)
        except Exception as exc:  # noqa: BLE001 - SQLAlchemy raises several kinds here
            raise ConfigError(f"cannot use database URL: {exc}") from exc
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        store = cls(engine)
        if migrate:
            store.migrate()
        return store

    def migrate(self) -> None:
        """Run Alembic `upgrade head` on this database."""
        cfg = Config()
        cfg.set_main_option(
            "script_location", str(resources.files("newswatch.adapters") / "migrations")
        )
        try:
            # Runs starting together on a new database would each create the schema: one
            # migrates at a time (a transaction-level advisory lock on PostgreSQL, a file
            # lock beside a SQLite file); the others then find it at head.
            with self._file_lock("migrate"), self.engine.begin() as conn:
                if self.is_postgres:
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATE_LOCK_KEY})
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except OperationalError as exc:
            raise TransientError(f"database not reachable: {exc.orig}") from exc

    def close(self) -> None:
        if self._owns_engine:
            self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def decision_lock(self) -> Iterator[None]:
        """Hold the store's one decision lock: dedup and story decisions are made one run at a time.

        Two runs deciding at once could each see the other's story as absent and alert
        twice. The lock lives in the database, not in the process: a PostgreSQL advisory
        lock (released if the holder dies), or on SQLite an OS file lock beside the
        database file (the same machine is the only place SQLite can be shared).
        """
        if self.is_postgres:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": DECISION_LOCK_KEY})
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": DECISION_LOCK_KEY})
                    conn.commit()
            return
        with self._file_lock("decide"):
            yield

    @contextmanager
    def _file_lock(self, name: str) -> Iterator[None]:
        """An OS lock on a file beside a SQLite database (nothing for other engines)."""
        path = self.engine.url.database
        if self.engine.dialect.name != "sqlite" or not path or path == ":memory:":
            yield
            return
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        with open(f"{path}.{name}.lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


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
