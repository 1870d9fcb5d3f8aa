"""Articles: the one transaction per decided article, and the dedup index over them.

Everything one article decides (its row, its LSH bands, its story, its alert and one
pending delivery per target) is written in ONE transaction: an alert exists exactly
when its article was accepted, and a crash loses neither. The entry is marked `done`
in the same transaction, so a killed run's undecided entries are decided again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection

from newswatch.adapters import schema as t
from newswatch.adapters.store.codec import (
    alert_to_json,
    pack_minhash,
    reasons_to_list,
    terms_from_json,
    unpack_minhash,
)
from newswatch.adapters.store.engine import StoreBase
from newswatch.adapters.store.topics import write_topic
from newswatch.decision import Decided, TopicDecided
from newswatch.dedup import Candidate, has_bands
from newswatch.models import DEFAULT_TOPIC, Alert, Article, DedupDecision, Fingerprint, Match

# The statements every decided article runs, built once: building one (and keying it
# for the compiled cache) cost about as much as running it on SQLite.
_a = t.articles.c
_RECORDED = select(_a.article_id).where(_a.article_id == bindparam("b_article_id"))
_BRIEF = select(_a.story_id, _a.title, _a.source).where(_a.article_id == bindparam("b_article_id"))
_DONE = (
    update(t.entries)
    .where(t.entries.c.entry_id == bindparam("b_entry_id"))
    .values(state="done", claimed_by=None, claimed_until=None)
)


class ArticleStore(StoreBase):
    def dedup_index(self, *, now: datetime, dedup_days: int, story_days: int) -> StoreIndex:
        return StoreIndex(
            self,
            since=now - timedelta(days=dedup_days),
            story_since=now - timedelta(days=story_days),
        )

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
        topic: str = DEFAULT_TOPIC,
    ) -> None:
        """`record_decided` for an article decided against one topic."""
        decided = Decided(match, fp, decision, (TopicDecided(topic, match, decision),))
        self.record_decided(
            article, decided, [(alert, targets)] if alert is not None else [], now=now
        )

    def record_decided(
        self,
        article: Article,
        decided: Decided,
        alerts: Sequence[tuple[Alert, Sequence[tuple[str, str] | tuple[str, str, str]]]],
        *,
        now: datetime,
    ) -> None:
        """Commit an article, its bands, its topics and stories, its alerts and their
        pending deliveries together.

        `alerts` pairs each alert (one per topic it starts a story in) with its targets:
        (key, display) or (key, display, mode) with mode `instant` (the default) or
        `digest`; one pending delivery row per target.
        Re-recording an article already recorded (a retried batch) changes nothing.
        """
        fp = decided.fingerprint
        with self.engine.begin() as conn:
            exists = conn.execute(_RECORDED, {"b_article_id": article.article_id}).first()
            if exists is None:
                _insert_article(conn, article, fp, decided.match, decided.decision, now)
                for topic in decided.topics:
                    write_topic(conn, article, fp, topic, now)
                for alert, targets in alerts:
                    _insert_alert(conn, alert, targets, now)
            conn.execute(_DONE, {"b_entry_id": article.article_id})

    def article_brief(self, article_id: str) -> tuple[str | None, str, str] | None:
        """(story_id, title, source) of a recorded article, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(_BRIEF, {"b_article_id": article_id}).first()
        return (row.story_id, row.title, row.source) if row else None


def _insert_article(
    conn: Connection,
    article: Article,
    fp: Fingerprint,
    match: Match,
    decision: DedupDecision,
    now: datetime,
) -> None:
    # A bare insert with its row as parameters: compiled once per process, where
    # `.values(...)` builds and keys a new statement for every article.
    conn.execute(
        insert(t.articles),
        dict(
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
            minhash=pack_minhash(fp.minhash),
            shingles=fp.shingles,
            score=match.score,
            is_match=match.is_match,
            reasons=json.dumps(reasons_to_list(match.reasons), ensure_ascii=False),
            duplicate_of=decision.duplicate_of,
            duplicate_kind=decision.kind,
            story_id=decision.story_id or None,
            created=now,
        ),
    )
    if has_bands(fp, decision):
        conn.execute(
            insert(t.article_bands),
            [{"band": b, "article_id": article.article_id} for b in fp.bands],
        )


def _insert_alert(
    conn: Connection,
    alert: Alert,
    targets: Sequence[tuple[str, str] | tuple[str, str, str]],
    now: datetime,
) -> None:
    conn.execute(
        insert(t.alerts),
        dict(
            alert_id=alert.alert_id,
            article_id=alert.article_id,
            story_id=alert.story_id,
            topic=alert.topic,
            payload=alert_to_json(alert),
            created=now,
        ),
    )
    for target in targets:
        conn.execute(
            insert(t.deliveries),
            dict(
                alert_id=alert.alert_id,
                target_key=target[0],
                target_display=target[1],
                mode=target[2] if len(target) > 2 else "instant",
                state="pending",
                attempts=0,
                next_attempt=now,
            ),
        )


class StoreIndex:
    """The DedupIndex over the store, limited to the dedup and story windows.

    Its statements are built once (a decision runs four lookups, and building a
    statement cost about as much as running it), and it reads through one connection.
    """

    def __init__(self, store: StoreBase, *, since: datetime, story_since: datetime) -> None:
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
            .where(
                t.stories.c.updated >= bindparam("since"), t.stories.c.topic == bindparam("topic")
            )
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
            yield Candidate(r.article_id, unpack_minhash(r.minhash), r.shingles)

    def recent_stories(self, topic: str = DEFAULT_TOPIC) -> Iterator[tuple[str, frozenset[str]]]:
        with self._read() as conn:
            rows = conn.execute(self._stories, {"since": self.story_since, "topic": topic}).all()
        for r in rows:
            yield r.story_id, terms_from_json(r.terms)
