"""When a feed is polled next: its publishing rhythm, its server's hints, its failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newswatch import polling

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def test_the_interval_follows_how_often_the_feed_publishes_within_bounds() -> None:
    hourly = [NOW - timedelta(hours=h) for h in range(10)]
    plan = polling.after_success(
        now=NOW, published=hourly, previous=None, hints=polling.PollHints(),
        min_seconds=600, max_seconds=21600,
    )  # fmt: skip
    assert plan.interval == 3600 and plan.next_poll == NOW + timedelta(hours=1)
    weekly = [NOW - timedelta(days=7 * w) for w in range(5)]
    slow = polling.after_success(
        now=NOW, published=weekly, previous=None, hints=polling.PollHints(),
        min_seconds=600, max_seconds=21600,
    )  # fmt: skip
    assert slow.interval == 21600  # capped at the maximum
    busy = [NOW - timedelta(minutes=m) for m in range(0, 50, 1)]
    assert (
        polling.after_success(
            now=NOW, published=busy, previous=None, hints=polling.PollHints(),
            min_seconds=600, max_seconds=21600,
        ).interval
        == 600
    )  # fmt: skip


def test_server_hints_are_a_floor_capped_at_the_maximum() -> None:
    hints = polling.hints_from({"cache-control": "public, max-age=7200"}, ttl_minutes="30", now=NOW)
    assert hints.max_age == 7200 and hints.ttl == 1800
    hourly = [NOW - timedelta(hours=h) for h in range(10)]
    plan = polling.after_success(
        now=NOW, published=hourly, previous=None, hints=hints, min_seconds=600, max_seconds=21600
    )
    assert plan.interval == 7200
    sy = polling.hints_from({}, sy_period="daily", sy_frequency="2", now=NOW)
    assert sy.update_period == 43200
    huge = polling.PollHints(max_age=10 * 86400)
    assert (
        polling.after_success(
            now=NOW, published=hourly, previous=None, hints=huge, min_seconds=600,
            max_seconds=21600,
        ).interval
        == 21600
    )  # fmt: skip
    expires = polling.hints_from({"expires": "Thu, 01 Jan 2026 13:00:00 GMT"}, now=NOW)
    assert expires.max_age == 3600


def test_failures_back_off_and_make_a_feed_unhealthy() -> None:
    waits = [
        polling.after_failure(now=NOW, failures=n, hints=polling.PollHints(), min_seconds=600)
        for n in range(1, 10)
    ]
    assert [w.interval for w in waits[:4]] == [600, 1200, 2400, 4800]
    assert waits[-1].interval == polling.FAILURE_MAX
    assert [w.healthy for w in waits[:6]] == [True, True, True, True, False, False]
    retry = polling.PollHints(retry_after=polling.retry_after_seconds("3600", NOW))
    assert polling.after_failure(now=NOW, failures=1, hints=retry, min_seconds=600).interval == 3600
    dated = polling.retry_after_seconds("Thu, 01 Jan 2026 12:30:00 GMT", NOW)
    assert dated == 1800
