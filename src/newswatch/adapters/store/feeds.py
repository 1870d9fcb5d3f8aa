"""Feed state (validators, health, next poll) and entries: claimed once, leased per run.

An entry is `new` when first seen and `done` once its article is recorded (see
`articles`). A run leases the undecided entries it will decide; a killed run's lease
runs out and another run takes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from sqlalchemy import bindparam, select, update

from newswatch.adapters import schema as t
from newswatch.adapters.store.codec import entry_from_json, entry_to_json, utc
from newswatch.adapters.store.engine import StoreBase
from newswatch.models import Entry, FeedState

# Rows per INSERT when claiming entries: 5 bound values a row stays far below SQLite's
# limit on variables per statement (32,766), and one statement claims a whole feed.
_CLAIM_CHUNK = 500


# The columns `save_feed_state` writes, each the FeedState field of the same name; the
# UPDATE is built once, with them as parameters.
_STATE_FIELDS = (
    "etag",
    "last_modified",
    "last_polled",
    "last_success",
    "last_error",
    "consecutive_failures",
    "name",
    "body_hash",
    "last_status",
    "poll_interval",
    "next_poll",
)
_UPDATE_STATE = (
    update(t.feed_state)
    .where(t.feed_state.c.url == bindparam("state_url"))
    .values({name: bindparam(name) for name in _STATE_FIELDS})
)


class FeedStore(StoreBase):
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
        """Insert or replace a feed's state."""
        values = {name: getattr(state, name) for name in _STATE_FIELDS}
        with self.engine.begin() as conn:
            # Most saves are of a feed already known: a plain UPDATE (an upsert statement
            # costs about three times its CPU), one statement built once with the values
            # as parameters. A new feed is inserted, or updated if another run inserted
            # it just now, in one upsert (no savepoint).
            done = conn.execute(_UPDATE_STATE, {"state_url": state.url, **values})
            if done.rowcount == 0:
                statement = self._insert(t.feed_state).values(url=state.url, **values)
                conn.execute(
                    statement.on_conflict_do_update(
                        index_elements=[t.feed_state.c.url],
                        set_={name: statement.excluded[name] for name in values},
                    )
                )

    def claim_entries(self, entries: Sequence[Entry], *, now: datetime) -> list[Entry]:
        """Record entries never seen before and return them, in their order; seen ones
        (and a repeat of an id within `entries`) are dropped.

        The primary key decides, so two runs at once cannot both claim an entry: one
        `INSERT ... ON CONFLICT DO NOTHING RETURNING` per chunk of entries (SQLite and
        PostgreSQL alike) says which rows this call inserted.
        """
        first: dict[str, Entry] = {}
        for entry in entries:
            first.setdefault(entry.entry_id, entry)
        if not first:
            return []
        rows = [
            {
                "entry_id": entry.entry_id,
                "feed_url": entry.feed_url,
                "state": "new",
                "payload": entry_to_json(entry),
                "first_seen": now,
            }
            for entry in first.values()
        ]
        claimed: set[str] = set()
        # one statement, built once per store, the rows as parameters: SQLAlchemy sends
        # them as multi-row INSERTs ("insertmanyvalues") and gathers what RETURNING says
        with self.engine.begin() as conn:
            for start in range(0, len(rows), _CLAIM_CHUNK):
                claimed.update(
                    conn.execute(self._claim, rows[start : start + _CLAIM_CHUNK]).scalars()
                )
        return [entry for entry_id, entry in first.items() if entry_id in claimed]

    @cached_property
    def _claim(self) -> Any:
        """The claim's INSERT, in this store's dialect."""
        return (
            self._insert(t.entries)
            .on_conflict_do_nothing(index_elements=[t.entries.c.entry_id])
            .returning(t.entries.c.entry_id)
        )

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
        if self.is_postgres:
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


def _feed_state(row: Any) -> FeedState:
    return FeedState(
        url=row.url,
        etag=row.etag,
        last_modified=row.last_modified,
        last_polled=utc(row.last_polled),
        last_success=utc(row.last_success),
        last_error=row.last_error,
        consecutive_failures=row.consecutive_failures or 0,
        name=row.name,
        body_hash=row.body_hash,
        last_status=row.last_status,
        poll_interval=row.poll_interval,
        next_poll=utc(row.next_poll),
    )
