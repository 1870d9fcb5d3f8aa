"""topics: stories and alerts belong to a topic; an article's match per topic

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 03:30:00

Several topics in one install: a story belongs to one topic, an alert to an article and
a topic (one alert per article and topic, where there was one per article), and
`article_topics` keeps an article's score, reasons and story in each topic. Everything
stored before belongs to the topic `default` (the one-topic install's name).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("topic", sa.String(length=64), nullable=False, server_default="default")
        )
        batch_op.create_index("ix_stories_topic_updated", ["topic", "updated"], unique=False)

    op.create_table(
        "article_topics",
        sa.Column("article_id", sa.String(length=64), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("is_match", sa.Boolean(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("story_id", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("article_id", "topic"),
    )
    op.create_index("ix_article_topics_story", "article_topics", ["story_id"], unique=False)
    op.execute(
        "INSERT INTO article_topics (article_id, topic, score, is_match, reasons, story_id) "
        "SELECT article_id, 'default', score, is_match, reasons, story_id FROM articles "
        "WHERE story_id IS NOT NULL AND (is_match OR duplicate_of IS NOT NULL)"
    )

    # alerts: unique per (article, topic) instead of per article. Rebuilt rather than
    # altered: SQLite's unique constraint of 0001 has no name to drop.
    op.create_table(
        "alerts_new",
        sa.Column("alert_id", sa.String(length=80), nullable=False),
        sa.Column("article_id", sa.String(length=64), nullable=False),
        sa.Column("story_id", sa.String(length=80), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False, server_default="default"),
        sa.PrimaryKeyConstraint("alert_id", name="pk_alerts"),
        sa.UniqueConstraint("article_id", "topic", name="uq_alerts_article_topic"),
    )
    op.execute(
        "INSERT INTO alerts_new (alert_id, article_id, story_id, payload, created, topic) "
        "SELECT alert_id, article_id, story_id, payload, created, 'default' FROM alerts"
    )
    op.drop_table("alerts")
    op.rename_table("alerts_new", "alerts")


def downgrade() -> None:
    op.create_table(
        "alerts_old",
        sa.Column("alert_id", sa.String(length=80), nullable=False),
        sa.Column("article_id", sa.String(length=64), nullable=False),
        sa.Column("story_id", sa.String(length=80), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("alert_id"),
        sa.UniqueConstraint("article_id"),
    )
    op.execute(
        "INSERT INTO alerts_old (alert_id, article_id, story_id, payload, created) "
        "SELECT alert_id, article_id, story_id, payload, created FROM alerts "
        "WHERE topic = 'default'"
    )
    op.drop_table("alerts")
    op.rename_table("alerts_old", "alerts")
    op.drop_index("ix_article_topics_story", table_name="article_topics")
    op.drop_table("article_topics")
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.drop_index("ix_stories_topic_updated")
        batch_op.drop_column("topic")
