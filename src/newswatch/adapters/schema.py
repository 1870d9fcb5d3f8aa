"""The store's tables (SQLAlchemy Core). Alembic migrations under `migrations/` create them.

States only move forward. An entry is `new` when first seen and becomes `done` once its
article row (with match, dedup decision and any alert) is committed in one transaction.
A delivery is `pending` until Apprise reports success (`sent`) or attempts run out
(`failed`).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

feed_state = Table(
    "feed_state",
    metadata,
    Column("url", String(2048), primary_key=True),
    Column("etag", String(1024)),
    Column("last_modified", String(256)),
    Column("last_polled", DateTime(timezone=True)),
    Column("last_success", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    # 0002: politeness and health
    Column("name", String(512)),
    Column("body_hash", String(64)),
    Column("last_status", Integer),
    Column("poll_interval", Integer),
    Column("next_poll", DateTime(timezone=True)),
    Column("last_new_entry", DateTime(timezone=True)),
)

entries = Table(
    "entries",
    metadata,
    Column("entry_id", String(64), primary_key=True),
    Column("feed_url", String(2048), nullable=False),
    Column("state", String(16), nullable=False),
    Column("payload", Text, nullable=False),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    # 0002: a run claims an entry for a while (a lease); another run skips it until then
    Column("claimed_by", String(64)),
    Column("claimed_until", DateTime(timezone=True)),
    Index("ix_entries_state", "state"),
)

articles = Table(
    "articles",
    metadata,
    Column("article_id", String(64), primary_key=True),
    Column("feed_name", String(512), nullable=False),
    Column("url", Text),
    Column("canonical_url", String(2048)),
    Column("title", Text, nullable=False),
    Column("source", String(512), nullable=False),
    Column("lang", String(16)),
    Column("published", DateTime(timezone=True)),
    Column("extraction", String(16), nullable=False),
    Column("extraction_note", Text),
    Column("text", Text, nullable=False),
    Column("text_hash", String(64), nullable=False),
    Column("minhash", LargeBinary, nullable=False),
    Column("shingles", Integer, nullable=False),
    Column("score", Float, nullable=False),
    Column("is_match", Boolean, nullable=False),
    Column("reasons", Text, nullable=False),
    Column("duplicate_of", String(64)),
    Column("duplicate_kind", String(16)),
    Column("story_id", String(80)),
    Column("created", DateTime(timezone=True), nullable=False),
    Index("ix_articles_canonical_url", "canonical_url"),
    Index("ix_articles_text_hash", "text_hash"),
    Index("ix_articles_created", "created"),
    Index("ix_articles_story", "story_id"),
)

article_bands = Table(
    "article_bands",
    metadata,
    Column("band", BigInteger, primary_key=True, autoincrement=False),
    Column("article_id", String(64), primary_key=True),
    sqlite_with_rowid=False,  # 0003: stored once, clustered by band
)

stories = Table(
    "stories",
    metadata,
    Column("story_id", String(80), primary_key=True),
    Column("first_article_id", String(64), nullable=False),
    Column("title", Text, nullable=False),
    Column("terms", Text, nullable=False),
    Column("article_count", Integer, nullable=False, default=1),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("updated", DateTime(timezone=True), nullable=False),
    # 0005: a story belongs to one topic
    Column("topic", String(64), nullable=False, server_default="default"),
    Index("ix_stories_updated", "updated"),
    Index("ix_stories_topic_updated", "topic", "updated"),
)

# 0005: an article in each topic it matched (or whose story it copies): score, reasons, story
article_topics = Table(
    "article_topics",
    metadata,
    Column("article_id", String(64), primary_key=True),
    Column("topic", String(64), primary_key=True),
    Column("score", Float, nullable=False),
    Column("is_match", Boolean, nullable=False),
    Column("reasons", Text, nullable=False),
    Column("story_id", String(80)),
    Index("ix_article_topics_story", "story_id"),
)

alerts = Table(
    "alerts",
    metadata,
    Column("alert_id", String(80), primary_key=True),
    Column("article_id", String(64), nullable=False),
    Column("story_id", String(80), nullable=False),
    Column("payload", Text, nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),
    # 0005: one alert per article and topic
    Column("topic", String(64), nullable=False, server_default="default"),
    UniqueConstraint("article_id", "topic", name="uq_alerts_article_topic"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("alert_id", String(80), primary_key=True),
    Column("target_key", String(64), primary_key=True),
    Column("target_display", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("next_attempt", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    # 0002: `instant` or `digest`; a sender claims a delivery for a while (a lease)
    Column("mode", String(16), nullable=False, default="instant", server_default="instant"),
    Column("claimed_by", String(64)),
    Column("claimed_until", DateTime(timezone=True)),
    Index("ix_deliveries_state", "state", "next_attempt"),
)

runs = Table(
    "runs",
    metadata,
    Column("run_id", String(64), primary_key=True),
    Column("started", DateTime(timezone=True), nullable=False),
    Column("finished", DateTime(timezone=True)),
    Column("summary", Text, nullable=False),
)

# 0004: robots.txt per host (NULL body: allow all), so runs in other processes reuse it
robots = Table(
    "robots",
    metadata,
    Column("host", String(300), primary_key=True),
    Column("body", Text),
    Column("fetched_at", Float, nullable=False),
)
