"""The outbox: one delivery row per (alert, target), claimed by a sender, marked by the outcome.

A delivery is `pending` until Apprise reports success (`sent`) or attempts run out
(`failed`); what happens after an attempt is `newswatch.outbox.next_delivery`'s rule.
Senders claim rows for a lease, so runs at once never send one delivery twice, and a
sender killed mid-send repeats at most what it had in flight.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, tuple_, update

from newswatch.adapters import schema as t
from newswatch.adapters.store.codec import alert_from_json, iso, utc
from newswatch.adapters.store.engine import StoreBase
from newswatch.models import Alert
from newswatch.outbox import next_delivery


class Outbox(StoreBase):
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
        if self.is_postgres:
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
        """Record one send's outcome (by `newswatch.outbox.next_delivery`); returns the new state."""
        with self.engine.begin() as conn:
            row = conn.execute(
                select(t.deliveries.c.attempts).where(
                    t.deliveries.c.alert_id == alert_id, t.deliveries.c.target_key == target_key
                )
            ).first()
            step = next_delivery(
                row.attempts if row else 0,
                ok=ok,
                now=now,
                max_attempts=max_attempts,
                backoff_seconds=backoff_seconds,
            )
            conn.execute(
                update(t.deliveries)
                .where(t.deliveries.c.alert_id == alert_id, t.deliveries.c.target_key == target_key)
                .values(
                    state=step.state,
                    attempts=step.attempts,
                    last_error=None if ok else detail,
                    next_attempt=step.next_attempt,
                    sent_at=now if ok else None,
                    claimed_by=None,
                    claimed_until=None,
                )
            )
        return step.state

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

    def recent_alerts(
        self, *, limit: int = 20, topic: str | None = None
    ) -> list[tuple[Alert, list[dict[str, Any]]]]:
        """Newest alerts (of one topic, if given) with the state of each of their deliveries."""
        pick = select(t.alerts.c.alert_id, t.alerts.c.payload)
        if topic is not None:
            pick = pick.where(t.alerts.c.topic == topic)
        with self.engine.connect() as conn:
            rows = conn.execute(
                pick.order_by(t.alerts.c.created.desc(), t.alerts.c.alert_id).limit(limit)
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
                                "sent_at": iso(utc(d.sent_at)),
                            }
                            for d in dels
                        ],
                    )
                )
        return out
