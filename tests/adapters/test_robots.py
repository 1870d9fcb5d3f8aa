"""robots.txt as RFC 9309 reads it, on real local servers: wildcards, longest match,
unreachable means disallow, Crawl-delay, and decisions kept in a shared cache."""

from __future__ import annotations

import socket

import pytest

from newswatch.adapters.http import Fetcher, HostLimiter, MemoryRobotsCache, RobotsRules
from newswatch.adapters.http.robots import MAX_CRAWL_DELAY_SECONDS
from newswatch.errors import PermanentError
from tests.support.httpserver import LocalHTTPServer

RULES = b"""# RFC 9309 precedence: the longest match wins, Allow on a tie
User-agent: *
Disallow: /*/print/
Allow: /news/
Disallow: /news/live
Disallow: /page.html$
Disallow: /tie
Allow: /tie

User-agent: otherbot
Allow: /
"""


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/world/print/story", False),  # wildcard in the middle
        ("/print/story", True),  # the wildcard needs a segment before /print/
        ("/news/today", True),
        ("/news/live/blog-1", False),  # longer Disallow beats the shorter Allow
        ("/page.html", False),
        ("/page.html?x=1", True),  # `$` anchors the end
        ("/tie/x", True),  # equal length: Allow wins
        ("/other", True),
    ],
)
def test_rfc_9309_wildcards_and_longest_match(path: str, allowed: bool) -> None:
    with LocalHTTPServer() as server, Fetcher(timeout_seconds=5) as fetcher:
        server.add("/robots.txt", RULES)
        assert RobotsRules().allowed(fetcher, server.url(path)) is allowed


def test_a_disallowed_page_is_never_requested() -> None:
    with (
        LocalHTTPServer() as server,
        Fetcher(timeout_seconds=5, robots=RobotsRules()) as fetcher,
    ):
        server.add("/robots.txt", RULES)
        server.add("/world/print/story", b"page")
        with pytest.raises(PermanentError, match="robots.txt of the site disallows"):
            fetcher.fetch(server.url("/world/print/story"), robots=True)
        assert server.requests_for("/world/print/story") == []


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("failure", ["503", "429", "timeout"])
def test_an_unreachable_robots_txt_disallows_for_now_and_is_tried_again_later(
    failure: str,
) -> None:
    now = [1_000_000.0]
    cache = MemoryRobotsCache()
    rules = RobotsRules(failure_ttl_seconds=600, cache=cache, clock=lambda: now[0])
    with LocalHTTPServer() as server, Fetcher(timeout_seconds=0.5, robots=rules) as fetcher:
        if failure == "timeout":
            server.slow_drip("/robots.txt", chunk=b"", interval_seconds=2.0, duration_seconds=2.0)
        else:
            server.error("/robots.txt", int(failure))
        server.add("/a", b"page")
        with pytest.raises(PermanentError, match="robots.txt of the site could not be fetched"):
            fetcher.fetch(server.url("/a"), robots=True)
        assert not rules.allowed(fetcher, server.url("/b"))  # the same poll: not asked again
        assert len(server.requests_for("/robots.txt")) == 1
        assert server.requests_for("/a") == []
        assert cache.get(server.url("/")[:-1]) is None  # a failure is not stored

        server.add("/robots.txt", b"User-agent: *\nAllow: /\n")
        now[0] += 601  # the next poll asks again
        assert fetcher.fetch(server.url("/a"), robots=True).body == b"page"
        assert len(server.requests_for("/robots.txt")) == 2


def test_a_connection_failure_on_robots_txt_disallows() -> None:
    with Fetcher(timeout_seconds=2) as fetcher:
        url = f"http://127.0.0.1:{_closed_port()}/article"
        assert not RobotsRules().allowed(fetcher, url)


@pytest.mark.parametrize("status", [404, 403, 410])
def test_an_unavailable_robots_txt_allows_everything(status: int) -> None:
    cache = MemoryRobotsCache()
    with LocalHTTPServer() as server, Fetcher(timeout_seconds=5) as fetcher:
        server.error("/robots.txt", status)
        rules = RobotsRules(cache=cache)
        assert rules.allowed(fetcher, server.url("/any/page"))
        assert rules.allowed(fetcher, server.url("/other"))
        assert len(server.requests_for("/robots.txt")) == 1
        stored = cache.get(server.url("/")[:-1])
        assert stored is not None and stored[0] is None  # None: allow everything


def test_crawl_delay_raises_the_host_delay_and_a_huge_one_is_capped() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = HostLimiter(per_host=1, delay_seconds=0.0, clock=lambda: now[0], sleep=sleep)
    with (
        LocalHTTPServer() as server,
        Fetcher(timeout_seconds=5, limiter=limiter, robots=RobotsRules()) as fetcher,
    ):
        server.add("/robots.txt", b"User-agent: *\nCrawl-delay: 2.5\n")
        server.add("/a", b"a")
        fetcher.fetch(server.url("/a"), robots=True)
        fetcher.fetch(server.url("/a"), robots=True)
        assert limiter.delay_for("127.0.0.1") == 2.5
        assert slept == [2.5]  # robots.txt and the first page went at once, then 2.5 s

    hostile = HostLimiter(per_host=1, delay_seconds=1.0)
    with (
        LocalHTTPServer() as server,
        Fetcher(timeout_seconds=5, limiter=hostile) as fetcher,
    ):
        server.add("/robots.txt", b"User-agent: *\nCrawl-delay: 86400\n")
        assert RobotsRules().allowed(fetcher, server.url("/a"))
        assert hostile.delay_for("127.0.0.1") == MAX_CRAWL_DELAY_SECONDS


def test_decisions_are_shared_through_the_cache_and_expire() -> None:
    # Two RobotsRules on one cache stand for two processes on one store.
    now = [1_000_000.0]
    cache = MemoryRobotsCache()
    with LocalHTTPServer() as server, Fetcher(timeout_seconds=5) as fetcher:
        server.add("/robots.txt", b"User-agent: *\nDisallow: /private/\n")
        first = RobotsRules(ttl_seconds=3600, cache=cache, clock=lambda: now[0])
        second = RobotsRules(ttl_seconds=3600, cache=cache, clock=lambda: now[0])
        assert not first.allowed(fetcher, server.url("/private/x"))
        assert not second.allowed(fetcher, server.url("/private/y"))
        assert second.allowed(fetcher, server.url("/public"))
        assert len(server.requests_for("/robots.txt")) == 1
        stored = cache.get(server.url("/")[:-1])
        assert stored == ("User-agent: *\nDisallow: /private/\n", now[0])

        now[0] += 3601  # an hour later the decision is stale: fetched again
        third = RobotsRules(ttl_seconds=3600, cache=cache, clock=lambda: now[0])
        assert not third.allowed(fetcher, server.url("/private/x"))
        assert len(server.requests_for("/robots.txt")) == 2
