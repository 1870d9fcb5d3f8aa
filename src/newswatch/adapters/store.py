"""The store: SQLAlchemy 2 on SQLite (embedded default) or PostgreSQL (psycopg 3).

The schema is created and upgraded by Alembic (`Store.open` runs `upgrade head`).
Everything one article decides (its row, its LSH bands, its story, its alert and one
pending delivery per target) is written in ONE transaction: an alert exists exactly
when its article was accepted, and a crash loses neither.
"""

from __future__ import annotations

import fcntl
import json
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Engine,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import SQLAlchemyError as _SQLAlchemyError

from newswatch.adapters import schema as t
from newswatch.dedup import Candidate
from newswatch.errors import ConfigError, TransientError
from newswatch.models import (
    Alert,
    Article,
    DedupDecision,
    Entry,
    FeedState,
    Fingerprint,
    Match,
    Reason,
    RunSummary,
)

SQLAlchemyError = _SQLAlchemyError
_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()
# pg_advisory_lock key of the decision lock (any fixed 64-bit number; this spells 'nwdecide')
_DECISION_LOCK_KEY = 0x6E77646563696465
# ... and of the migration lock ('nwmigrat')
_MIGRATE_LOCK_KEY = 0x6E776D6967726174


def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands datetimes back naive; everything in newswatch is aware UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse_iso(value: str | None) -> datetime | None:
    return _utc(datetime.fromisoformat(value)) if value else None


def entry_to_json(entry: Entry) -> str:
    data = asdict(entry)
    data["published"] = _iso(entry.published)
    return json.dumps(data, ensure_ascii=False)


def entry_from_json(text: str) -> Entry:
    data = json.loads(text)
    data["published"] = _parse_iso(data.get("published"))
    return Entry(**data)


def reasons_to_list(reasons: Sequence[Reason]) -> list[dict[str, Any]]:
    return [asdict(r) for r in reasons]


def reasons_from_list(items: Iterable[dict[str, Any]]) -> tuple[Reason, ...]:
    return tuple(Reason(**item) for item in items)


def alert_to_json(alert: Alert) -> str:
    data = asdict(alert)
    data["published"] = _iso(alert.published)
    data["created"] = _iso(alert.created)
    return json.dumps(data, ensure_ascii=False)


def alert_from_json(text: str) -> Alert:
    data = json.loads(text)
    data["published"] = _parse_iso(data.get("published"))
    data["created"] = _parse_iso(data["created"])
    data["reasons"] = reasons_from_list(data.get("reasons", ()))
    return Alert(**data)


def _pack(minhash: Sequence[int]) -> bytes:
    return np.asarray(minhash, dtype=np.uint64).tobytes()


def _unpack(blob: bytes) -> tuple[int, ...]:
    return tuple(int(v) for v in np.frombuffer(blob, dtype=np.uint64))


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite store URL (None for another engine or an in-memory SQLite)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split("///", 1)[1] if "///" in url else ""
    return Path(path).expanduser() if path and path != ":memory:" else None


class Store:
    """All persistent state. Open one per task or command; it is cheap."""

    def __init__(self, engine: Engine, *, owns_engine: bool = True) -> None:
        self.engine = engine
        self._owns_engine = owns_engine

    @classmethod
    def shared(cls, url: str) -> Store:
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
    def open(cls, url: str, *, migrate: bool = True) -> Store:
        """Connect to `url` (a SQLAlchemy URL) and bring the schema up to date."""
        kwargs: dict[str, Any] = {}
        if url.startswith("sqlite"):
            if (path := sqlite_file(url)) is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
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
                if self.engine.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATE_LOCK_KEY})
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except OperationalError as exc:
            raise TransientError(f"database not reachable: {exc.orig}") from exc

    def close(self) -> None:
        if self._owns_engine:
            self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- feeds ---------------------------------------------------------------

    def feed_state(self, url: str) -> FeedState | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.feed_state).where(t.feed_state.c.url == url)).first()
        return None if row is None else _feed_state(row)

    def feed_states(self) -> list[FeedState]:
        """Every feed's state, in one query."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.feed_state).order_by(t.feed_state.c.url)).all()
        return [_feed_state(r) for r in rows]

    def save_feed_state(self, state: FeedState) -> None:
        values = {
            "etag": state.etag,
            "last_modified": state.last_modified,
            "last_polled": state.last_polled,
            "last_success": state.last_success,
            "last_error": state.last_error,
            "consecutive_failures": state.consecutive_failures,
            "name": state.name,
            "body_hash": state.body_hash,
            "last_status": state.last_status,
            "poll_interval": state.poll_interval,
            "next_poll": state.next_poll,
        }
        with self.engine.begin() as conn:
            done = conn.execute(
                update(t.feed_state).where(t.feed_state.c.url == state.url).values(**values)
            )
            if done.rowcount == 0:
                try:
                    with conn.begin_nested():
                        conn.execute(insert(t.feed_state).values(url=state.url, **values))
                except IntegrityError:
                    conn.execute(
                        update(t.feed_state).where(t.feed_state.c.url == state.url).values(**values)
                    )

    # -- entries -------------------------------------------------------------

    def claim_entries(self, entries: Sequence[Entry], *, now: datetime) -> list[Entry]:
        """Record entries never seen before and return them; seen ones are dropped.

        The primary key decides, so two runs at once cannot both claim an entry.
        """
        fresh: list[Entry] = []
        with self.engine.begin() as conn:
            for entry in entries:
                try:
                    with conn.begin_nested():
                        conn.execute(
                            insert(t.entries).values(
                                entry_id=entry.entry_id,
                                feed_url=entry.feed_url,
                                state="new",
                                payload=entry_to_json(entry),
                                first_seen=now,
                            )
                        )
                except IntegrityError:
                    continue
                fresh.append(entry)
        return fresh

    def unfinished_entries(self, *, limit: int = 10_000) -> list[Entry]:
        """Entries claimed but not yet decided (this run's, or a crashed run's)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.entries.c.payload)
                .where(t.entries.c.state == "new")
                .order_by(t.entries.c.first_seen, t.entries.c.entry_id)
                .limit(limit)
            ).all()
        return [entry_from_json(r.payload) for r in rows]

    def lease_entries(
        self, run_id: str, *, now: datetime, lease: timedelta, limit: int = 10_000
    ) -> list[Entry]:
        """Take undecided entries for one run: those nobody holds, or whose lease ran out.

        Several runs at once (two workers, or a run overlapping the next schedule) get
        disjoint sets: PostgreSQL locks the rows it takes (`FOR UPDATE SKIP LOCKED`), so a
        second run skips them instead of waiting; SQLite lets one writer in at a time. An
        entry a killed run held becomes free when its lease ends.
        """
        free = (t.entries.c.claimed_until.is_(None)) | (t.entries.c.claimed_until < now)
        pick = (
            select(t.entries.c.entry_id)
            .where(t.entries.c.state == "new", free)
            .order_by(t.entries.c.first_seen, t.entries.c.entry_id)
            .limit(limit)
        )
        if self.engine.dialect.name == "postgresql":
            pick = pick.with_for_update(skip_locked=True)
        with self.engine.begin() as conn:
            # one statement: SQLite runs it under its write lock, PostgreSQL under row locks
            conn.execute(
                update(t.entries)
                .where(t.entries.c.entry_id.in_(pick.scalar_subquery()))
                .values(claimed_by=run_id, claimed_until=now + lease)
            )
            rows = conn.execute(
                select(t.entries.c.payload)
                .where(t.entries.c.claimed_by == run_id, t.entries.c.state == "new")
                .order_by(t.entries.c.first_seen, t.entries.c.entry_id)
            ).all()
        return [entry_from_json(r.payload) for r in rows]

    @contextmanager
    def decision_lock(self) -> Iterator[None]:
        """Hold the store's one decision lock: dedup and story decisions are made one run at a time.

        Two runs deciding at once could each see the other's story as absent and alert
        twice. The lock lives in the database, not in the process: a PostgreSQL advisory
        lock (released if the holder dies), or on SQLite an OS file lock beside the
        database file (the same machine is the only place SQLite can be shared).
        """
        if self.engine.dialect.name == "postgresql":
            with self.engine.connect() as conn:
                conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _DECISION_LOCK_KEY})
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _DECISION_LOCK_KEY})
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

    # -- dedup index -----------------------------------------------------------

    def dedup_index(self, *, now: datetime, dedup_days: int, story_days: int) -> StoreIndex:
        return StoreIndex(
            self,
            since=now - timedelta(days=dedup_days),
            story_since=now - timedelta(days=story_days),
        )

    # -- the one transaction per article ------------------------------------

    def record_article(
        self,
        article: Article,
        fp: Fingerprint,
        match: Match,
        decision: DedupDecision,
        *,
        alert: Alert | None,
        targets: Sequence[tuple[str, str] | tuple[str, str, str]],
        now: datetime,
    ) -> None:
        """Commit an article, its bands, its story, its alert and pending deliveries together.

        `targets` are (key, display) or (key, display, mode) with mode `instant` (the
        default) or `digest`; one pending delivery row per target.
        Re-recording an article already recorded (a retried batch) changes nothing.
        """
        with self.engine.begin() as conn:
            exists = conn.execute(
                select(t.articles.c.article_id).where(t.articles.c.article_id == article.article_id)
            ).first()
            if exists is None:
                self._insert_article(conn, article, fp, match, decision, now)
                if decision.new_story and match.is_match:
                    conn.execute(
                        insert(t.stories).values(
                            story_id=decision.story_id,
                            first_article_id=article.article_id,
                            title=article.title,
                            terms=json.dumps(list(fp.story_terms)),
                            article_count=1,
                            created=now,
                            updated=now,
                        )
                    )
                elif match.is_match and decision.story_id:
                    # A story's terms grow with the articles that join it (as in `backtest`'s
                    # MemoryIndex), so a later write-up can join through any of them.
                    row = conn.execute(
                        select(t.stories.c.terms).where(t.stories.c.story_id == decision.story_id)
                    ).first()
                    terms = set(json.loads(row.terms)) if row else set()
                    if not decision.is_duplicate:
                        terms.update(fp.story_terms)
                    conn.execute(
                        update(t.stories)
                        .where(t.stories.c.story_id == decision.story_id)
                        .values(
                            article_count=t.stories.c.article_count + 1,
                            updated=now,
                            terms=json.dumps(sorted(terms)),
                        )
                    )
                if alert is not None:
                    conn.execute(
                        insert(t.alerts).values(
                            alert_id=alert.alert_id,
                            article_id=alert.article_id,
                            story_id=alert.story_id,
                            payload=alert_to_json(alert),
                            created=now,
                        )
                    )
                    for target in targets:
                        conn.execute(
                            insert(t.deliveries).values(
                                alert_id=alert.alert_id,
                                target_key=target[0],
                                target_display=target[1],
                                mode=target[2] if len(target) > 2 else "instant",
                                state="pending",
                                attempts=0,
                                next_attempt=now,
                            )
                        )
            conn.execute(
                update(t.entries)
                .where(t.entries.c.entry_id == article.article_id)
                .values(state="done", claimed_by=None, claimed_until=None)
            )

    def _insert_article(
        self,
        conn: Connection,
        article: Article,
        fp: Fingerprint,
        match: Match,
        decision: DedupDecision,
        now: datetime,
    ) -> None:
        conn.execute(
            insert(t.articles).values(
                article_id=article.article_id,
                feed_name=article.feed_name,
                url=article.url,
                canonical_url=fp.canonical_url,
                title=article.title,
                source=article.source,
                lang=article.lang,
                published=article.published,
                extraction=article.extraction,
                extraction_note=article.extraction_note,
                text=article.text,
                text_hash=fp.text_hash,
                minhash=_pack(fp.minhash),
                shingles=fp.shingles,
                score=match.score,
                is_match=match.is_match,
                reasons=json.dumps(reasons_to_list(match.reasons), ensure_ascii=False),
                duplicate_of=decision.duplicate_of,
                duplicate_kind=decision.kind,
                story_id=decision.story_id or None,
                created=now,
            )
        )
        if not decision.is_duplicate and fp.shingles > 0:
            conn.execute(
                insert(t.article_bands),
                [{"band": b, "article_id": article.article_id} for b in fp.bands],
            )

    def article_brief(self, article_id: str) -> tuple[str | None, str, str] | None:
        """(story_id, title, source) of a recorded article, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.articles.c.story_id, t.articles.c.title, t.articles.c.source).where(
                    t.articles.c.article_id == article_id
                )
            ).first()
        return (row.story_id, row.title, row.source) if row else None

    def also_reported(self, story_id: str, article_id: str) -> list[str]:
        """The outlets of a story's other articles (not `article_id`), first seen first, once each."""
        a = t.articles.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(a.source)
                .where(a.story_id == story_id, a.article_id != article_id)
                .order_by(a.created, a.article_id)
            ).all()
            own = conn.execute(
                select(a.source).where(a.article_id == article_id)
            ).scalar_one_or_none()
        return [s for s in dict.fromkeys(r.source for r in rows) if s != own]

    # -- outbox ----------------------------------------------------------------

    def due_deliveries(self, *, now: datetime) -> list[tuple[Alert, str, str, int]]:
        """Pending deliveries whose time has come: (alert, target_key, display, attempts)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    t.alerts.c.payload,
                    t.deliveries.c.target_key,
                    t.deliveries.c.target_display,
                    t.deliveries.c.attempts,
                )
                .join(t.alerts, t.alerts.c.alert_id == t.deliveries.c.alert_id)
                .where(t.deliveries.c.state == "pending", t.deliveries.c.next_attempt <= now)
                .order_by(t.alerts.c.created, t.alerts.c.alert_id)
            ).all()
        return [
            (alert_from_json(r.payload), r.target_key, r.target_display, r.attempts) for r in rows
        ]

    def claim_deliveries(
        self,
        sender: str,
        *,
        now: datetime,
        lease: timedelta,
        mode: str = "instant",
        targets: Sequence[str] | None = None,
        alert_ids: Sequence[str] | None = None,
    ) -> list[tuple[Alert, str, str, int]]:
        """Take the due pending deliveries of `mode` for one sender, as `due_deliveries` lists them.

        `targets` and `alert_ids` narrow the claim (`newswatch alerts retry ID` claims one).

        Claimed rows belong to this sender until `lease` ends: several runs at once never
        send the same delivery (PostgreSQL skips rows another sender holds, SQLite lets one
        writer in at a time). A sender killed mid-send leaves its claims to expire; the
        next run sends them again, so at most what was in flight is repeated.
        """
        d = t.deliveries.c
        free = d.claimed_until.is_(None) | (d.claimed_until < now)
        pick = select(d.alert_id, d.target_key).where(
            d.state == "pending", d.next_attempt <= now, d.mode == mode, free
        )
        if targets is not None:
            pick = pick.where(d.target_key.in_(list(targets)))
        if alert_ids is not None:
            pick = pick.where(d.alert_id.in_(list(alert_ids)))
        if self.engine.dialect.name == "postgresql":
            pick = pick.with_for_update(skip_locked=True)
        with self.engine.begin() as conn:
            conn.execute(
                update(t.deliveries)
                .where(tuple_(d.alert_id, d.target_key).in_(pick))
                .values(claimed_by=sender, claimed_until=now + lease)
            )
            rows = conn.execute(
                select(t.alerts.c.payload, d.target_key, d.target_display, d.attempts)
                .join(t.alerts, t.alerts.c.alert_id == d.alert_id)
                .where(d.claimed_by == sender, d.state == "pending", d.mode == mode)
                .order_by(t.alerts.c.created, t.alerts.c.alert_id, d.target_key)
            ).all()
        return [
            (alert_from_json(r.payload), r.target_key, r.target_display, r.attempts) for r in rows
        ]

    def defer_deliveries(
        self,
        sender: str,
        pairs: Sequence[tuple[str, str]],
        *,
        until: datetime | None = None,
        mode: str | None = None,
    ) -> None:
        """Hand claimed deliveries back unsent, to wait (`until`) or go another way (`mode`).

        Not an attempt: quiet hours and rate caps postpone, they do not fail."""
        values: dict[str, Any] = {"claimed_by": None, "claimed_until": None}
        if until is not None:
            values["next_attempt"] = until
        if mode is not None:
            values["mode"] = mode
        d = t.deliveries.c
        with self.engine.begin() as conn:
            for alert_id, key in pairs:
                conn.execute(
                    update(t.deliveries)
                    .where(d.alert_id == alert_id, d.target_key == key, d.claimed_by == sender)
                    .values(**values)
                )

    def messages_sent_since(self, target_key: str, since: datetime) -> int:
        """Instant messages sent to a target since `since` (one per batch a run sent)."""
        d = t.deliveries.c
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count(func.distinct(d.sent_at))).where(
                        d.target_key == target_key,
                        d.state == "sent",
                        d.mode == "instant",
                        d.sent_at >= since,
                    )
                ).scalar_one()
            )

    def mark_delivery(
        self,
        alert_id: str,
        target_key: str,
        *,
        ok: bool,
        detail: str,
        now: datetime,
        max_attempts: int,
        backoff_seconds: int,
    ) -> str:
        """Record one send's outcome; returns the delivery's new state."""
        with self.engine.begin() as conn:
            row = conn.execute(
                select(t.deliveries.c.attempts).where(
                    t.deliveries.c.alert_id == alert_id, t.deliveries.c.target_key == target_key
                )
            ).first()
            attempts = (row.attempts if row else 0) + 1
            if ok:
                state, next_attempt = "sent", now
            elif attempts >= max_attempts:
                state, next_attempt = "failed", now
            else:
                state = "pending"
                next_attempt = now + timedelta(seconds=backoff_seconds * 2 ** (attempts - 1))
            conn.execute(
                update(t.deliveries)
                .where(t.deliveries.c.alert_id == alert_id, t.deliveries.c.target_key == target_key)
                .values(
                    state=state,
                    attempts=attempts,
                    last_error=None if ok else detail,
                    next_attempt=next_attempt,
                    sent_at=now if ok else None,
                    claimed_by=None,
                    claimed_until=None,
                )
            )
        return state

    def has_alert(self, alert_id: str) -> bool:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.alerts.c.alert_id).where(t.alerts.c.alert_id == alert_id)
            ).first()
        return row is not None

    def requeue_alert(self, alert_id: str, *, now: datetime) -> int:
        """Make every delivery of one alert due again (a user's retry); returns how many.

        Deliveries already sent are left alone unless `alert_id` has no other: a retry
        resends what failed or waits, never duplicates what arrived."""
        with self.engine.begin() as conn:
            done = conn.execute(
                update(t.deliveries)
                .where(t.deliveries.c.alert_id == alert_id, t.deliveries.c.state != "sent")
                .values(
                    state="pending",
                    attempts=0,
                    next_attempt=now,
                    mode="instant",
                    claimed_by=None,
                    claimed_until=None,
                )
            )
            return int(done.rowcount or 0)

    def delivery_counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.deliveries.c.state, func.count()).group_by(t.deliveries.c.state)
            ).all()
        return {r[0]: r[1] for r in rows}

    def recent_alerts(self, *, limit: int = 20) -> list[tuple[Alert, list[dict[str, Any]]]]:
        """Newest alerts with the state of each of their deliveries."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.alerts.c.alert_id, t.alerts.c.payload)
                .order_by(t.alerts.c.created.desc(), t.alerts.c.alert_id)
                .limit(limit)
            ).all()
            out = []
            for row in rows:
                dels = conn.execute(
                    select(t.deliveries).where(t.deliveries.c.alert_id == row.alert_id)
                ).all()
                out.append(
                    (
                        alert_from_json(row.payload),
                        [
                            {
                                "target": d.target_display,
                                "state": d.state,
                                "attempts": d.attempts,
                                "last_error": d.last_error,
                                "sent_at": _iso(_utc(d.sent_at)),
                            }
                            for d in dels
                        ],
                    )
                )
        return out

    # -- runs ------------------------------------------------------------------

    def save_run(self, run_id: str, summary: RunSummary, summary_json: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(t.runs).values(
                    run_id=run_id,
                    started=summary.started,
                    finished=summary.finished,
                    summary=summary_json,
                )
            )

    def prune(self, *, before: datetime) -> int:
        """Delete articles created before `before` with their LSH bands; returns how many.

        Stories, alerts and deliveries stay (an alert keeps its own title, URL and
        reasons). Entries stay as ids only, so a feed that still lists an old item
        never brings it back as new.
        """
        old = select(t.articles.c.article_id).where(t.articles.c.created < before)
        with self.engine.begin() as conn:
            conn.execute(t.article_bands.delete().where(t.article_bands.c.article_id.in_(old)))
            pruned = conn.execute(t.articles.delete().where(t.articles.c.created < before))
            conn.execute(
                update(t.entries)
                .where(t.entries.c.state == "done", t.entries.c.first_seen < before)
                .values(payload="{}")
            )
        return int(pruned.rowcount or 0)

    def count(self, table: str) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count()).select_from(t.metadata.tables[table])
                ).scalar_one()
            )


class StoreIndex:
    """The DedupIndex over the store, limited to the dedup and story windows.

    Its statements are built once (a decision runs four lookups, and building a
    statement cost about as much as running it), and it reads through one connection.
    """

    def __init__(self, store: Store, *, since: datetime, story_since: datetime) -> None:
        self.store = store
        self.since = since
        self.story_since = story_since
        self._conn: Connection | None = None
        a = t.articles.c
        first = (
            select(a.article_id)
            .where(a.created >= bindparam("since"))
            .order_by(a.created, a.article_id)
            .limit(1)
        )
        self._by_url = first.where(a.canonical_url == bindparam("value"))
        self._by_hash = first.where(a.text_hash == bindparam("value"))
        self._near = (
            select(a.article_id, a.minhash, a.shingles)
            .where(
                a.article_id.in_(
                    select(t.article_bands.c.article_id).where(
                        t.article_bands.c.band.in_(bindparam("bands", expanding=True))
                    )
                ),
                a.created >= bindparam("since"),
            )
            .order_by(a.created, a.article_id)
        )
        self._stories = (
            select(t.stories.c.story_id, t.stories.c.terms)
            .where(t.stories.c.updated >= bindparam("since"))
            .order_by(t.stories.c.created, t.stories.c.story_id)
        )

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        # One connection for the index's life (a checkout per lookup cost more than the
        # lookup); each read ends its transaction, so the next sees what was just recorded.
        if self._conn is None or self._conn.closed:
            self._conn = self.store.engine.connect()
        try:
            yield self._conn
        finally:
            self._conn.rollback()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> StoreIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def find_by_url(self, canonical_url: str) -> str | None:
        with self._read() as conn:
            row = conn.execute(self._by_url, {"value": canonical_url, "since": self.since}).first()
        return row.article_id if row else None

    def find_by_text_hash(self, text_hash: str) -> str | None:
        with self._read() as conn:
            row = conn.execute(self._by_hash, {"value": text_hash, "since": self.since}).first()
        return row.article_id if row else None

    def near_candidates(self, bands: Sequence[int]) -> Iterator[Candidate]:
        with self._read() as conn:
            rows = conn.execute(self._near, {"bands": list(bands), "since": self.since}).all()
        for r in rows:
            yield Candidate(r.article_id, _unpack(r.minhash), r.shingles)

    def recent_stories(self) -> Iterator[tuple[str, frozenset[str]]]:
        with self._read() as conn:
            rows = conn.execute(self._stories, {"since": self.story_since}).all()
        for r in rows:
            yield r.story_id, frozenset(json.loads(r.terms))


def _feed_state(row: Any) -> FeedState:
    return FeedState(
        url=row.url,
        etag=row.etag,
        last_modified=row.last_modified,
        last_polled=_utc(row.last_polled),
        last_success=_utc(row.last_success),
        last_error=row.last_error,
        consecutive_failures=row.consecutive_failures or 0,
        name=row.name,
        body_hash=row.body_hash,
        last_status=row.last_status,
        poll_interval=row.poll_interval,
        next_poll=_utc(row.next_poll),
    )


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
