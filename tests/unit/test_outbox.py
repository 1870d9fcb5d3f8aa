"""The delivery next-state rule (newswatch.outbox): sent, retry with doubling backoff, failed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newswatch.outbox import DeliveryStep, next_delivery, retry_delay

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_a_successful_attempt_is_sent_now() -> None:
    step = next_delivery(2, ok=True, now=NOW, max_attempts=3, backoff_seconds=60)
    assert step == DeliveryStep("sent", 3, NOW)


@pytest.mark.parametrize(("before", "wait"), [(0, 60), (1, 120), (2, 240), (3, 480)])
def test_a_failed_attempt_waits_twice_as_long_each_time(before: int, wait: int) -> None:
    step = next_delivery(before, ok=False, now=NOW, max_attempts=10, backoff_seconds=60)
    assert step == DeliveryStep("pending", before + 1, NOW + timedelta(seconds=wait))


def test_the_attempt_that_reaches_the_limit_fails_for_good() -> None:
    assert next_delivery(2, ok=False, now=NOW, max_attempts=3, backoff_seconds=60) == (
        DeliveryStep("failed", 3, NOW)
    )
    # a success on the last attempt still counts as sent
    assert next_delivery(2, ok=True, now=NOW, max_attempts=3, backoff_seconds=60).state == "sent"


def test_one_attempt_allowed_fails_at_once() -> None:
    assert next_delivery(0, ok=False, now=NOW, max_attempts=1, backoff_seconds=60).state == "failed"


def test_retry_delay_never_shrinks_below_the_base() -> None:
    assert retry_delay(0, 30) == retry_delay(1, 30) == timedelta(seconds=30)
    assert retry_delay(4, 30) == timedelta(seconds=240)
