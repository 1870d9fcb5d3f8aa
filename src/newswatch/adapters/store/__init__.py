"""The store: SQLAlchemy 2 on SQLite (embedded default) or PostgreSQL (psycopg 3).

One `Store` holds all persistent state; its parts live by reason to change:

| module      | what it keeps                                                        |
|-------------|----------------------------------------------------------------------|
| `engine`    | the engine per URL, SQLite pragmas, migrations, the database locks    |
| `feeds`     | feed state; entries claimed once and leased per run                   |
| `articles`  | the one transaction per decided article; the dedup index over it      |
| `topics`    | an article in each topic; stories by topic; a story's other outlets  |
| `outbox`    | deliveries: claim, defer, mark, requeue; recent alerts                |
| `runs`      | run history, pruning, counts                                          |
| `robots`    | robots.txt per host, shared by runs in other processes                |
| `codec`     | how domain objects become columns (JSON payloads, packed MinHash)     |
"""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from newswatch.adapters.store.articles import ArticleStore, StoreIndex
from newswatch.adapters.store.codec import (
    alert_from_json,
    alert_to_json,
    entry_from_json,
    entry_to_json,
    reasons_from_list,
    reasons_to_list,
)
from newswatch.adapters.store.codec import pack_minhash as _pack
from newswatch.adapters.store.codec import unpack_minhash as _unpack
from newswatch.adapters.store.engine import sqlite_file
from newswatch.adapters.store.feeds import FeedStore
from newswatch.adapters.store.outbox import Outbox
from newswatch.adapters.store.robots import RobotsStore
from newswatch.adapters.store.runs import RunLog
from newswatch.adapters.store.topics import TopicStore

__all__ = [
    "SQLAlchemyError",
    "Store",
    "StoreIndex",
    "_pack",
    "_unpack",
    "alert_from_json",
    "alert_to_json",
    "entry_from_json",
    "entry_to_json",
    "reasons_from_list",
    "reasons_to_list",
    "sqlite_file",
]


class Store(FeedStore, ArticleStore, TopicStore, Outbox, RunLog, RobotsStore):
    """All persistent state. Open one per task or command; it is cheap.

    `Store.open(url)` connects and migrates; `Store.shared(url)` reuses the process's
    engine for `url`. Each base class is one part of the store (see the table above)."""
