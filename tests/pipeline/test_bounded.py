"""Bounded work against hostile feeds, on real local servers: a feed that keeps growing,
a feed that redirects to a refused address, and entries that all link to one page."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newswatch.adapters.feeds import MAX_ENTRIES_PER_FEED, parse_feed
from newswatch.adapters.http import Fetcher, PageMemo, RobotsRules
from newswatch.adapters.store import Store
from newswatch.errors import PermanentError
from newswatch.models import Feed
from newswatch.pipeline import poll, runtime
from newswatch.pipeline.settings import load_settings
from tests.support.httpserver import Answer, LocalHTTPServer, RecordedRequest

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def _rss(n: int, *, link: str | None = None) -> bytes:
    items = "".join(
        f"<item><title>Item {i}</title><link>{link or f'http://127.0.0.1/a/{i}'}</link>"
        f"<guid>g{i}</guid><description>Text of item {i}.</description></item>"
        for i in range(n)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'
    ).encode()


def test_parse_reads_at_most_max_entries_and_says_so() -> None:
    feed = Feed("wire", "http://127.0.0.1/feed")
    parsed = parse_feed(_rss(7), {}, feed=feed, max_entries=3)
    assert [e.title for e in parsed.entries] == ["Item 0", "Item 1", "Item 2"]
    assert parsed.problem == (
        "feed has 7 items, more than the 3 read per poll: the rest were skipped"
    )
    assert parse_feed(_rss(3), {}, feed=feed, max_entries=3).problem is None


def _atom(n: int) -> bytes:
    entries = "".join(
        f'<entry><id>e{i}</id><title>T{i}</title><link href="http://127.0.0.1/{i}"/></entry>'
        for i in range(n)
    )
    return f'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>{entries}</feed>'.encode()


def _rdf(n: int) -> bytes:
    items = "".join(
        f'<item rdf:about="http://127.0.0.1/{i}"><title>T{i}</title>'
        f"<link>http://127.0.0.1/{i}</link></item>"
        for i in range(n)
    )
    return (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/"><channel rdf:about="x"><title>t</title></channel>'
        f"{items}</rdf:RDF>"
    ).encode()


def _json(n: int) -> bytes:
    items = [{"id": str(i), "url": f"http://127.0.0.1/{i}", "title": f"T{i}"} for i in range(n)]
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": items}).encode()


@pytest.mark.parametrize(
    ("make", "fmt"), [(_rss, "rss20"), (_atom, "atom10"), (_rdf, "rss10"), (_json, "json1.1")]
)
def test_every_format_keeps_the_first_entries_without_a_parse_problem(
    make: Callable[[int], bytes], fmt: str
) -> None:
    # Long bodies are cut before feedparser reads them (it costs about a millisecond an
    # item); the cut must still parse cleanly, the first items kept.
    headers = {"Content-Type": "application/feed+json"} if fmt.startswith("json") else {}
    parsed = parse_feed(make(50), headers, feed=Feed("x", "http://127.0.0.1/f"), max_entries=4)
    assert parsed.format == fmt
    assert [e.url.rsplit("/", 1)[1] for e in parsed.entries if e.url] == ["0", "1", "2", "3"]
    assert parsed.problem == (
        "feed has 50 items, more than the 4 read per poll: the rest were skipped"
    )


def test_a_feed_that_keeps_growing_costs_bounded_work_and_shows_as_its_error(
    tmp_path: Path,
) -> None:
    settings = load_settings(db_url=f"sqlite:///{tmp_path / 's.db'}", max_body_bytes=1_000_000)
    runtime.prepare_store(settings)
    sizes = iter([MAX_ENTRIES_PER_FEED + 500, 2 * MAX_ENTRIES_PER_FEED, 20_000])

    def growing(_request: RecordedRequest) -> Answer:
        return Answer(body=_rss(next(sizes)), headers={"Content-Type": "application/rss+xml"})

    with LocalHTTPServer() as server:
        server.handle("/feed.xml", growing)
        feed = Feed("grower", server.url("/feed.xml"))
        first = poll.poll_feed(feed, settings, now=NOW)
        assert first.report.status == "ok"
        assert first.report.entries <= settings.max_entries_per_feed
        assert len(first.new_entries) <= settings.max_entries_per_feed
        assert first.report.error and "1500 items, more than the" in first.report.error

        second = poll.poll_feed(feed, settings, now=NOW + timedelta(hours=1))
        assert len(second.new_entries) <= settings.max_entries_per_feed
        assert second.report.error and "2000 items" in second.report.error

        # at last it outgrows the size cap: cut off, recorded as the feed's failure
        third = poll.poll_feed(feed, settings, now=NOW + timedelta(hours=2))
        assert third.report.status == "error" and third.new_entries == ()
        assert "over the 1000000-byte cap" in (third.report.error or "")
    with Store.open(settings.resolved_db_url()) as store:
        state = store.feed_state(feed.url)
    assert state is not None and "cap" in (state.last_error or "")


def test_a_feed_redirecting_to_a_refused_address_fails_clearly_without_reaching_it(
    tmp_path: Path,
) -> None:
    settings = load_settings(db_url=f"sqlite:///{tmp_path / 's.db'}", allowed_hosts="127.0.0.1")
    runtime.prepare_store(settings)
    with LocalHTTPServer() as public, LocalHTTPServer("127.0.0.2") as internal:
        internal.add("/feed.xml", _rss(3))
        public.redirect("/feed", internal.url("/feed.xml"))
        feed = Feed("moved", public.url("/feed"))
        polled = poll.poll_feed(feed, settings, now=NOW)
        assert polled.report.status == "error" and polled.new_entries == ()
        assert polled.report.error is not None
        assert "refused: 127.0.0.2 is 127.0.0.2, a loopback address" in polled.report.error
        assert internal.requests == []


def test_entries_that_all_link_to_one_page_fetch_it_once() -> None:
    page = b"<html><head><title>One</title></head><body><p>One page.</p></body></html>"
    with LocalHTTPServer() as server:
        server.add("/robots.txt", b"User-agent: *\nAllow: /\n")
        server.add("/page", page, headers={"Content-Type": "text/html"})
        server.error("/gone", 404)
        memo = PageMemo()
        with Fetcher(timeout_seconds=5, robots=RobotsRules(), pages=memo) as fetcher:
            with ThreadPoolExecutor(max_workers=8) as pool:
                bodies = list(
                    pool.map(lambda _: fetcher.fetch(server.url("/page"), robots=True).body,
                             range(50))
                )  # fmt: skip
            assert bodies == [page] * 50
            for _ in range(20):  # a failure is remembered too, and raised each time
                with pytest.raises(PermanentError, match="status 404"):
                    fetcher.fetch(server.url("/gone"), robots=True)
            fetcher.fetch(server.url("/page"))  # a feed-like fetch never uses the memo
        assert len(server.requests_for("/page")) == 2
        assert len(server.requests_for("/gone")) == 1
        assert len(server.requests_for("/robots.txt")) == 1


def test_the_page_memo_is_bounded_in_pages_bytes_and_age() -> None:
    from newswatch.models import FetchResult

    now = [0.0]
    memo = PageMemo(ttl_seconds=60, max_pages=2, max_bytes=10, clock=lambda: now[0])
    calls: list[str] = []

    def page(url: str, size: int) -> FetchResult:
        def fetch() -> FetchResult:
            calls.append(url)
            return FetchResult(url=url, final_url=url, status=200, headers={}, body=b"x" * size)

        return memo.fetch(url, fetch)

    page("a", 4), page("b", 4), page("a", 4)
    assert calls == ["a", "b"]
    page("c", 4)  # three pages: the oldest goes
    page("a", 4)
    assert calls == ["a", "b", "c", "a"]
    page("big", 11)  # over max_bytes: fetched, never kept
    page("big", 11)
    assert calls[-2:] == ["big", "big"]
    now[0] = 61  # too old
    page("a", 4)
    assert calls[-1] == "a"
