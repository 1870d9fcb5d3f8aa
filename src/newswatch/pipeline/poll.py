"""Stage 1, feed -> entries: poll one feed politely and claim the entries never seen.

One call per feed; safe to run in parallel. A feed's health and next poll are recorded
whatever happens (see `newswatch.polling`), and a failure is the feed's, not the run's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from newswatch import polling
from newswatch.adapters.feeds import parse_feed
from newswatch.adapters.store import Store
from newswatch.errors import NewswatchError
from newswatch.models import Entry, Feed, FeedReport, FeedState, FeedStatus
from newswatch.pipeline.runtime import open_fetcher, open_store
from newswatch.pipeline.settings import Settings


@dataclass(frozen=True)
class PollResult:
    report: FeedReport
    new_entries: tuple[Entry, ...]


def due_feeds(feeds: Sequence[Feed], settings: Settings, *, now: datetime) -> list[Feed]:
    """The feeds whose next poll (adaptive, see `polling`) has come, read in one query."""
    with open_store(settings) as store:
        next_poll = {s.url: s.next_poll for s in store.feed_states()}
    return [f for f in feeds if (when := next_poll.get(f.url)) is None or when <= now]


def feed_is_due(feed: Feed, settings: Settings, *, now: datetime) -> bool:
    return bool(due_feeds([feed], settings, now=now))


def poll_feed(feed: Feed, settings: Settings, *, now: datetime) -> PollResult:
    """Fetch one feed with a conditional GET, parse it, and claim the entries never seen.

    The feed's health and next poll are recorded whatever happens (see `polling`)."""
    bounds = {"min_seconds": settings.poll_min_seconds}
    with open_store(settings) as store:
        state = store.feed_state(feed.url) or FeedState(url=feed.url)
        try:
            with open_fetcher(settings) as fetcher:
                # the feed URL is the user's own; where it redirects to is checked
                result = fetcher.fetch(
                    feed.url, etag=state.etag, last_modified=state.last_modified, trusted=True
                )
        except NewswatchError as exc:
            retry = polling.retry_after_seconds(getattr(exc, "retry_after", None), now)
            return _poll_failed(
                store, state, feed, settings, now, str(exc), getattr(exc, "status", None), retry
            )
        headers = {k.lower(): v for k, v in result.headers.items()}
        body_hash = hashlib.sha256(result.body).hexdigest() if not result.not_modified else None
        if result.not_modified or body_hash == state.body_hash:
            # a 304, or a 200 with the very same body (stale validators): nothing new
            plan = polling.after_success(
                now=now,
                published=(),
                previous=state.poll_interval,
                hints=polling.hints_from(headers, now=now),
                max_seconds=settings.poll_max_seconds,
                **bounds,
            )
            store.save_feed_state(
                replace(
                    state,
                    name=feed.name,
                    etag=headers.get("etag") or state.etag,
                    last_modified=headers.get("last-modified") or state.last_modified,
                    last_polled=now,
                    last_success=now,
                    last_error=None,
                    consecutive_failures=0,
                    last_status=result.status,
                    poll_interval=plan.interval,
                    next_poll=plan.next_poll,
                )
            )
            status: FeedStatus = "not_modified" if result.not_modified else "unchanged"
            return PollResult(FeedReport(feed.name, feed.url, status, next_poll=plan.next_poll), ())

        parsed = parse_feed(
            result.body, result.headers, feed=feed, max_entries=settings.max_entries_per_feed
        )
        if not parsed.entries and parsed.problem:
            return _poll_failed(
                store, state, feed, settings, now, parsed.problem, result.status, None
            )

        entries = list(parsed.entries)[: settings.max_entries_per_feed]
        fresh = store.claim_entries(entries, now=now)
        plan = polling.after_success(
            now=now,
            published=[e.published for e in entries if e.published],
            previous=state.poll_interval,
            hints=polling.hints_from(
                headers,
                ttl_minutes=parsed.ttl,
                sy_period=parsed.sy_period,
                sy_frequency=parsed.sy_frequency,
                now=now,
            ),
            max_seconds=settings.poll_max_seconds,
            **bounds,
        )
        store.save_feed_state(
            FeedState(
                url=feed.url,
                etag=headers.get("etag"),
                last_modified=headers.get("last-modified"),
                last_polled=now,
                last_success=now,
                last_error=parsed.problem,
                consecutive_failures=0,
                name=feed.name,
                body_hash=body_hash,
                last_status=result.status,
                poll_interval=plan.interval,
                next_poll=plan.next_poll,
            )
        )
    report = FeedReport(
        feed.name,
        feed.url,
        "ok",
        entries=len(entries),
        new_entries=len(fresh),
        error=parsed.problem,
        next_poll=plan.next_poll,
    )
    return PollResult(report, tuple(fresh))


def _poll_failed(
    store: Store,
    state: FeedState,
    feed: Feed,
    settings: Settings,
    now: datetime,
    error: str,
    status: int | None,
    retry_after: int | None,
) -> PollResult:
    """Record a failed poll: one more failure in a row, and the backed-off next poll."""
    failures = state.consecutive_failures + 1
    plan = polling.after_failure(
        now=now,
        failures=failures,
        hints=polling.PollHints(retry_after=retry_after),
        min_seconds=settings.poll_min_seconds,
    )
    store.save_feed_state(
        replace(
            state,
            name=feed.name,
            last_polled=now,
            last_error=error,
            consecutive_failures=failures,
            last_status=status,
            next_poll=plan.next_poll,
        )
    )
    report = FeedReport(
        feed.name, feed.url, "error", error=error, next_poll=plan.next_poll, healthy=plan.healthy
    )
    return PollResult(report, ())


def pending_entries(settings: Settings, *, run_id: str, now: datetime) -> list[Entry]:
    """The undecided entries this run takes: its own new ones, and any a crash left behind.

    Each is leased to this run (`entry_lease_minutes`); a run at the same time takes others.
    """
    with open_store(settings) as store:
        entries = store.lease_entries(
            run_id, now=now, lease=timedelta(minutes=settings.entry_lease_minutes)
        )
    # Decide in publication order, so that an original precedes its re-posts even when
    # they arrive in the same run; entries without a date go last, in arrival order.
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(entries, key=lambda e: e.published or far)
