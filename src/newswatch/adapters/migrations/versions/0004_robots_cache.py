"""robots.txt per host, kept between runs

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 00:05:00

Runs in separate processes (process pools, several workers, the next schedule) read a
host's robots.txt from here instead of fetching it again each run. `body` NULL means
"allow all" (no robots.txt, or a 4xx); `fetched_at` is epoch seconds.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "robots",
        sa.Column("host", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("fetched_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("host"),
    )


def downgrade() -> None:
    op.drop_table("robots")
