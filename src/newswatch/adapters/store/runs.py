"""Run history, pruning, and row counts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select, update

from newswatch.adapters import schema as t
from newswatch.adapters.store.engine import StoreBase
from newswatch.models import RunSummary


class RunLog(StoreBase):
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
            conn.execute(t.article_topics.delete().where(t.article_topics.c.article_id.in_(old)))
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
