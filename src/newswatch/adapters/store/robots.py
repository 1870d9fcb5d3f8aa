"""robots.txt per host, shared by every run and worker on the store (the HTTP adapter's
`RobotsCache`): a host's file is fetched once per freshness period, not once per process.

The store keeps what was fetched and when; whether it is still fresh, and what a 5xx or
a timeout means, is the HTTP adapter's rule.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from newswatch.adapters import schema as t
from newswatch.adapters.store.engine import StoreBase


class RobotsStore(StoreBase):
    def robots_get(self, host: str) -> tuple[str | None, float] | None:
        """(body, fetched_at epoch seconds) of a host's robots.txt, or None if never fetched.

        A None body means "allow all" (the host has no robots.txt)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.robots.c.body, t.robots.c.fetched_at).where(t.robots.c.host == host)
            ).first()
        return None if row is None else (row.body, float(row.fetched_at))

    def robots_put(self, host: str, body: str | None, fetched_at: float) -> None:
        """Keep a host's robots.txt (None: allow all), replacing what was kept before."""
        insert = pg_insert if self.is_postgres else sqlite_insert
        statement = insert(t.robots).values(host=host, body=body, fetched_at=fetched_at)
        statement = statement.on_conflict_do_update(
            index_elements=[t.robots.c.host],
            set_={"body": statement.excluded.body, "fetched_at": statement.excluded.fetched_at},
        )
        with self.engine.begin() as conn:
            conn.execute(statement)
