"""Polling a feed politely, against a real local server: unchanged bodies, backoff on
failure, Retry-After, and feeds that are not due are not polled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from newswatch.adapters.store import Store
from newswatch.models import Feed
from newswatch.pipeline import poll, runtime
from newswatch.pipeline.settings import load_settings
from tests.support.httpserver import Answer, LocalHTTPServer, RecordedRequest

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def _rss(n: int) -> bytes:
    items = "".join(
        f"<item><title>Item {i}</title><link>http://127.0.0.1/a/{i}</link><guid>g{i}</guid>"
        f"<pubDate>Thu, 01 Jan 2026 {11 - i:02d}:00:00 GMT</pubDate></item>"
        for i in range(n)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><ttl>60</ttl>{items}</channel></rss>'.encode()


def test_an_unchanged_body_without_validators_is_not_parsed_again(tmp_path: Path) -> None:
    settings = load_settings(db_url=f"sqlite:///{tmp_path / 's.db'}")
    runtime.prepare_store(settings)
    with LocalHTTPServer() as server:
        server.add("/feed.xml", _rss(5), headers={"Content-Type": "application/rss+xml"})
        feed = Feed("wire", server.url("/feed.xml"))
        first = poll.poll_feed(feed, settings, now=NOW)
        assert first.report.status == "ok" and first.report.new_entries == 5
        # the hourly items and <ttl>60</ttl>: next poll in an hour
        assert first.report.next_poll == NOW + timedelta(hours=1)
        assert not poll.feed_is_due(feed, settings, now=NOW + timedelta(minutes=30))
        assert poll.feed_is_due(feed, settings, now=NOW + timedelta(hours=1))
        again = poll.poll_feed(feed, settings, now=NOW + timedelta(hours=1))
        assert again.report.status == "unchanged" and again.new_entries == ()


def test_a_failing_feed_backs_off_honours_retry_after_and_turns_unhealthy(tmp_path: Path) -> None:
    settings = load_settings(db_url=f"sqlite:///{tmp_path / 's.db'}", poll_min_seconds=600)
    runtime.prepare_store(settings)
    with LocalHTTPServer() as server:

        def busy(_request: RecordedRequest) -> Answer:
            return Answer(status=503, headers={"Retry-After": "7200"})

        server.error("/broken.xml", 500)
        server.handle("/busy.xml", busy)
        broken = Feed("broken", server.url("/broken.xml"))
        when = NOW
        waits = []
        for _ in range(5):
            result = poll.poll_feed(broken, settings, now=when)
            assert result.report.status == "error" and result.report.next_poll
            waits.append(result.report.next_poll - when)
            when = result.report.next_poll
        assert waits[:3] == [
            timedelta(seconds=600),
            timedelta(seconds=1200),
            timedelta(seconds=2400),
        ]
        assert not result.report.healthy
        busy_feed = Feed("busy", server.url("/busy.xml"))
        answer = poll.poll_feed(busy_feed, settings, now=NOW)
        assert answer.report.next_poll == NOW + timedelta(hours=2)
    with Store.open(settings.resolved_db_url()) as store:
        state = store.feed_state(broken.url)
        assert state is not None and state.consecutive_failures == 5 and not state.healthy
        assert state.name == "broken" and "500" in (state.last_error or "")
