"""article_bands without rowid on SQLite (the band table is most of the store)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 07:00:00

A band row is (band, article_id) and is only ever looked up by band. On SQLite a
rowid table stores it twice (the table and its primary-key index); WITHOUT ROWID
keeps it once, clustered by band. PostgreSQL is unchanged.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _rebuild(rowid: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    suffix = "" if rowid else " WITHOUT ROWID"
    op.execute(
        "CREATE TABLE article_bands_new (band BIGINT NOT NULL, article_id VARCHAR(64) NOT NULL, "
        f"PRIMARY KEY (band, article_id)){suffix}"
    )
    op.execute(
        "INSERT INTO article_bands_new (band, article_id) SELECT band, article_id FROM article_bands"
    )
    op.execute("DROP TABLE article_bands")
    op.execute("ALTER TABLE article_bands_new RENAME TO article_bands")


def upgrade() -> None:
    _rebuild(rowid=False)


def downgrade() -> None:
    _rebuild(rowid=True)
