"""What happens to a delivery after a send attempt: the outbox's one state rule.

A delivery is `pending` until a send succeeds (`sent`) or its attempts run out
(`failed`); states only move forward, except that a user's `alerts retry` makes a
failed delivery pending again. After a failed attempt n (1-based) the next one waits
`backoff_seconds * 2 ** (n - 1)`: 1x, 2x, 4x, ... the base, so a target that is down
for a while is not hammered, and one that blinked is retried soon. The attempt that
reaches `max_attempts` fails the delivery for good (it is reported, never dropped).

Pure: the caller passes `now`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

DeliveryState = Literal["pending", "sent", "failed"]


@dataclass(frozen=True)
class DeliveryStep:
    """A delivery's state after one attempt, its attempt count, and when it is next due."""

    state: DeliveryState
    attempts: int
    next_attempt: datetime


def retry_delay(attempts: int, backoff_seconds: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt (1-based): doubling each time."""
    return timedelta(seconds=backoff_seconds * 2 ** max(0, attempts - 1))


def next_delivery(
    attempts_before: int, *, ok: bool, now: datetime, max_attempts: int, backoff_seconds: int
) -> DeliveryStep:
    """The delivery's next state after an attempt that succeeded (`ok`) or failed."""
    attempts = attempts_before + 1
    if ok:
        return DeliveryStep("sent", attempts, now)
    if attempts >= max_attempts:
        return DeliveryStep("failed", attempts, now)
    return DeliveryStep("pending", attempts, now + retry_delay(attempts, backoff_seconds))
