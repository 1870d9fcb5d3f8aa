"""When to poll a feed next: as often as it really publishes, never more often than its
server asks, and rarely while it keeps failing. Pure: `now` is passed in.

Rules:
- **After a success** the interval is the median gap between the feed's recent items
  (publication dates), clamped to the configured bounds (`poll_min_seconds`,
  `poll_max_seconds`). A feed with too few dated items keeps its previous interval (or
  the minimum). The server's own hints are a floor: Cache-Control `max-age` / `Expires`,
  RSS `<ttl>` (minutes), `sy:updatePeriod` / `sy:updateFrequency`, all capped at the
  maximum so that a wrong hint cannot silence a feed for days.
- **After a failure** the wait doubles with each consecutive failure, from the minimum up
  to `FAILURE_MAX` (a day); `Retry-After` (429/503) is honoured as a floor. A feed that
  failed `UNHEALTHY_AFTER` times in a row is **unhealthy**: it is still polled, at that
  slow pace, and shown as such by `newswatch feeds` and the run summary.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

FAILURE_MAX = 24 * 3600
UNHEALTHY_AFTER = 5
_SY_PERIODS = {
    "hourly": 3600,
    "daily": 86400,
    "weekly": 604800,
    "monthly": 2592000,
    "yearly": 31536000,
}


@dataclass(frozen=True)
class PollHints:
    """What the server and the feed said about how often to come back (seconds)."""

    max_age: int | None = None
    ttl: int | None = None
    update_period: int | None = None
    retry_after: int | None = None

    def floor(self) -> int:
        return max((h for h in (self.max_age, self.ttl, self.update_period) if h), default=0)


@dataclass(frozen=True)
class Schedule:
    interval: int  # seconds until the next poll
    next_poll: datetime
    healthy: bool


def hints_from(headers: dict[str, str], *, ttl_minutes: str | None = None,
               sy_period: str | None = None, sy_frequency: str | None = None,
               now: datetime) -> PollHints:  # fmt: skip
    """Read the hints of a response's headers (lower-case names) and the feed's elements."""
    max_age = None
    for part in headers.get("cache-control", "").split(","):
        name, _, value = part.strip().partition("=")
        if name.lower() == "max-age" and value.strip().isdigit():
            max_age = int(value.strip())
        if name.lower() in ("no-cache", "no-store"):
            max_age = 0
    if max_age is None and headers.get("expires"):
        try:
            expires = parsedate_to_datetime(headers["expires"])
            if expires.tzinfo is not None:
                max_age = max(0, int((expires - now).total_seconds()))
        except (TypeError, ValueError, IndexError):
            pass
    ttl = int(ttl_minutes) * 60 if ttl_minutes and ttl_minutes.strip().isdigit() else None
    update = None
    if sy_period and sy_period.strip().lower() in _SY_PERIODS:
        freq = int(sy_frequency) if sy_frequency and sy_frequency.strip().isdigit() else 1
        update = _SY_PERIODS[sy_period.strip().lower()] // max(1, freq)
    return PollHints(max_age=max_age, ttl=ttl, update_period=update,
                     retry_after=retry_after_seconds(headers.get("retry-after"), now))  # fmt: skip


def retry_after_seconds(value: str | None, now: datetime) -> int | None:
    """Retry-After as seconds: a number of seconds, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0, int((when - now).total_seconds()))


def publishing_interval(published: Sequence[datetime]) -> int | None:
    """Median gap between consecutive item dates (seconds), or None with fewer than 3."""
    dates = sorted({d for d in published if d is not None})
    if len(dates) < 3:
        return None
    gaps = [(b - a).total_seconds() for a, b in zip(dates, dates[1:], strict=False)]
    return int(statistics.median(gaps))


def after_success(*, now: datetime, published: Sequence[datetime], previous: int | None,
                  hints: PollHints, min_seconds: int, max_seconds: int) -> Schedule:  # fmt: skip
    interval = publishing_interval(published) or previous or min_seconds
    interval = min(max(interval, min_seconds), max_seconds)
    interval = max(interval, min(hints.floor(), max_seconds))
    return Schedule(interval, now + timedelta(seconds=interval), healthy=True)


def after_failure(*, now: datetime, failures: int, hints: PollHints, min_seconds: int) -> Schedule:
    """`failures` counts this one (1 after the first failure)."""
    wait = min(FAILURE_MAX, min_seconds * 2 ** max(0, failures - 1))
    if hints.retry_after:
        wait = max(wait, min(hints.retry_after, FAILURE_MAX))
    return Schedule(wait, now + timedelta(seconds=wait), healthy=failures < UNHEALTHY_AFTER)
