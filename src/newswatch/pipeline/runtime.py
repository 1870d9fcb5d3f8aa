"""What every stage of a run shares: the store and the HTTP fetcher, opened from Settings.

The store's schema is prepared once per run (`prepare_store`), before stages run in
parallel; each stage then opens the process's shared engine (`open_store`) and the
shared HTTP client (`open_fetcher`): one connection pool per process, not one per task.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from newswatch.adapters.http import (
    AddressGuard,
    Fetcher,
    PageMemo,
    RobotsRules,
    shared_client,
    shared_limiter,
)
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


class _StoredRobots:
    """The store as the robots.txt cache (`adapters.http.RobotsCache`): decisions outlive
    the process, so runs in other processes and workers do not fetch robots.txt again."""

    def __init__(self, url: str) -> None:
        self.url = url

    def get(self, host: str) -> tuple[str | None, float] | None:
        with Store.shared(self.url) as store:
            return store.robots_get(host)

    def put(self, host: str, body: str | None, fetched_at: float) -> None:
        with Store.shared(self.url) as store:
            store.robots_put(host, body, fetched_at)


_ROBOTS: dict[str, RobotsRules] = {}
_ROBOTS_LOCK = threading.Lock()


def robots_rules(settings: Settings) -> RobotsRules:
    """The process's robots.txt rules for this store (one per store URL, like the engine)."""
    url = settings.resolved_db_url()
    with _ROBOTS_LOCK:
        if url not in _ROBOTS:
            _ROBOTS[url] = RobotsRules(cache=_StoredRobots(url))
        return _ROBOTS[url]


def open_fetcher(settings: Settings, *, pages: PageMemo | None = None) -> Fetcher:
    """A Fetcher on the process's shared HTTP client (one connection pool for the run);
    with `pages`, an article page is fetched once however many entries link to it."""
    return Fetcher(
        shared_client(settings.timeout_seconds),
        timeout_seconds=settings.timeout_seconds,
        max_body_bytes=settings.max_body_bytes,
        user_agent=settings.user_agent,
        guard=AddressGuard(settings.allowed_hosts.split(",")),
        limiter=shared_limiter(settings.per_host_concurrency, settings.per_host_delay_seconds),
        robots=robots_rules(settings) if settings.respect_robots else None,
        pages=pages,
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
    created (nothing is created by looking), a ConfigError when the folder of a store
    URL given explicitly does not exist (a typo), None when the default one does not."""
    url = settings.resolved_db_url()
    path = sqlite_file(url)
    if path is not None and not path.exists():
        if not path.parent.is_dir() and settings.db_url is not None:
            raise ConfigError(
                f"no such folder for the SQLite store: {path.parent}", path="NEWSWATCH_DB_URL"
            )
        yield None
        return
    with Store.open(url) as store:
        yield store
