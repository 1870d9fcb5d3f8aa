"""leases for concurrent runs, delivery modes, feed politeness and health

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 06:40:00
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_FEED: list[sa.Column[Any]] = [
    sa.Column("name", sa.String(length=512), nullable=True),
    sa.Column("body_hash", sa.String(length=64), nullable=True),
    sa.Column("last_status", sa.Integer(), nullable=True),
    sa.Column("poll_interval", sa.Integer(), nullable=True),
    sa.Column("next_poll", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_new_entry", sa.DateTime(timezone=True), nullable=True),
]
_FEED_NAMES = ["name", "body_hash", "last_status", "poll_interval", "next_poll", "last_new_entry"]


def _lease() -> list[sa.Column[Any]]:
    return [
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
    ]


def upgrade() -> None:
    for column in _FEED:
        op.add_column("feed_state", column)
    for table in ("entries", "deliveries"):
        for column in _lease():
            op.add_column(table, column)
    op.add_column(
        "deliveries",
        sa.Column("mode", sa.String(length=16), nullable=False, server_default="instant"),
    )


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("mode")
        batch.drop_column("claimed_by")
        batch.drop_column("claimed_until")
    with op.batch_alter_table("entries") as batch:
        batch.drop_column("claimed_by")
        batch.drop_column("claimed_until")
    with op.batch_alter_table("feed_state") as batch:
        for name in _FEED_NAMES:
            batch.drop_column(name)
