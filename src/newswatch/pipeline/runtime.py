"""What every stage of a run shares: the store and the HTTP fetcher, opened from Settings.

The store's schema is prepared once per run (`prepare_store`), before stages run in
parallel; each stage then opens the process's shared engine (`open_store`) and the
shared HTTP client (`open_fetcher`): one connection pool per process, not one per task.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from newswatch.adapters.http import ROBOTS, AddressGuard, Fetcher, shared_client, shared_limiter
from newswatch.adapters.store import Store, sqlite_file
from newswatch.errors import ConfigError
from newswatch.models import RunSummary
from newswatch.pipeline.settings import Settings


def prepare_store(settings: Settings) -> None:
    """Create or upgrade the store's schema; once per run, before any stage opens it."""
    Store.open(settings.resolved_db_url(), migrate=True).close()


def open_store(settings: Settings) -> Store:
    """The store, schema already prepared (stages run in parallel: none of them migrates)."""
    return Store.shared(settings.resolved_db_url())


def open_fetcher(settings: Settings) -> Fetcher:
    """A Fetcher on the process's shared HTTP client (one connection pool for the run)."""
    return Fetcher(
        shared_client(settings.timeout_seconds),
        timeout_seconds=settings.timeout_seconds,
        max_body_bytes=settings.max_body_bytes,
        user_agent=settings.user_agent,
        guard=AddressGuard(settings.allowed_hosts.split(",")),
        limiter=shared_limiter(settings.per_host_concurrency, settings.per_host_delay_seconds),
        robots=ROBOTS if settings.respect_robots else None,
    )


def pending_delivery_count(settings: Settings) -> int:
    with open_store(settings) as store:
        return store.delivery_counts().get("pending", 0)


def prune(settings: Settings, *, now: datetime) -> int:
    """Drop articles past the retention age (never inside the dedup window)."""
    days = max(settings.retention_days, settings.dedup_window_days, settings.story_window_days)
    with open_store(settings) as store:
        return store.prune(before=now - timedelta(days=days))


def save_run(settings: Settings, summary: RunSummary, data: dict[str, object]) -> None:
    run_id = hashlib.sha256(summary.started.isoformat().encode()).hexdigest()[:16]
    with open_store(settings) as store:
        store.save_run(run_id, summary, json.dumps(data, ensure_ascii=False))


@contextmanager
def open_existing_store(settings: Settings) -> Iterator[Store | None]:
    """The store for a command that only reads it: None when a SQLite store was never
    created (nothing is created by looking), a ConfigError when its folder does not exist."""
    url = settings.resolved_db_url()
    path = sqlite_file(url)
    if path is not None and not path.exists():
        if not path.parent.is_dir():
            raise ConfigError(
                f"no such folder for the SQLite store: {path.parent}", path="NEWSWATCH_DB_URL"
            )
        yield None
        return
    with Store.open(url) as store:
        yield store
