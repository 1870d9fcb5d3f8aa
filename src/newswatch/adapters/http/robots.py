"""robots.txt of article hosts, read as RFC 9309 says (with Protego, Scrapy's parser).

Only article pages are checked (a feed is published to be polled). The rules, and why:

- Matching is RFC 9309's: the group for newswatch's product token (else `*`), `*` and `$`
  wildcards, and the longest matching rule wins, an `Allow` on a tie (`Disallow: /*/print/`
  stops `/world/print/story`; `Allow: /news/` does not beat `Disallow: /news/live`).
  `urllib.robotparser` takes the first rule that matches and knows no wildcards.
- A robots.txt that is unavailable (4xx, or a URL newswatch may not fetch at all) allows
  everything (RFC 9309 2.3.1.3). One that is unreachable (5xx, 429, timeout, connection
  failure) disallows everything (2.3.1.4): the page is not fetched, for
  `failure_ttl_seconds` (a poll), and is tried again after that. Failures are not stored.
- A decision is kept `ttl_seconds` (an hour; RFC 9309 asks for no more than a day) in a
  `RobotsCache`, so processes that share a cache (the store) do not fetch it again.
- `Crawl-delay` for newswatch raises the fetcher's per-host delay (`HostLimiter`) for that
  host, up to `MAX_CRAWL_DELAY_SECONDS`, so a hostile value cannot stall a run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from protego import Protego

from newswatch.errors import PermanentError, TransientError

if TYPE_CHECKING:
    from newswatch.adapters.http.fetcher import Fetcher

MAX_CRAWL_DELAY_SECONDS = 30.0


class RobotsCache(Protocol):
    """Where robots.txt decisions are kept between processes.

    `host` is the site's origin, `scheme://host[:port]` (robots.txt rules are per origin,
    RFC 9309 2.3). `get` gives `(body, fetched_at)` as `put` stored it, or None when
    nothing is stored: `body` is the robots.txt text, or None for "allow everything" (no
    robots.txt); `fetched_at` is in epoch seconds. `RobotsRules` judges freshness itself,
    so an implementation may keep entries as long as it likes. Both are called from
    several threads at once. Unreachable robots.txt files (disallow for now) are never
    `put`.
    """

    def get(self, host: str) -> tuple[str | None, float] | None: ...

    def put(self, host: str, body: str | None, fetched_at: float) -> None: ...


class MemoryRobotsCache:
    """A `RobotsCache` in this process's memory (the default)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[str | None, float]] = {}

    def get(self, host: str) -> tuple[str | None, float] | None:
        with self._lock:
            return self._entries.get(host)

    def put(self, host: str, body: str | None, fetched_at: float) -> None:
        with self._lock:
            self._entries[host] = (body, fetched_at)


_UNREACHABLE = "unreachable"


class RobotsRules:
    """Whether robots.txt lets newswatch fetch a page; see the module rules.

    `cache` keeps decisions across processes (default: in memory); `clock` gives epoch
    seconds (default `time.time`)."""

    def __init__(
        self,
        ttl_seconds: float = 3600.0,
        *,
        failure_ttl_seconds: float = 600.0,
        cache: RobotsCache | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.failure_ttl_seconds = failure_ttl_seconds
        self.cache: RobotsCache = cache if cache is not None else MemoryRobotsCache()
        self._clock = clock
        self._lock = threading.Lock()
        self._origin_locks: dict[str, threading.Lock] = {}
        # origin -> (fetched_at, parsed rules | None for allow-all | _UNREACHABLE)
        self._parsed: dict[str, tuple[float, Protego | str | None]] = {}

    def allowed(self, fetcher: Fetcher, url: str) -> bool:
        return self.refusal(fetcher, url) is None

    def refusal(self, fetcher: Fetcher, url: str) -> str | None:
        """Why robots.txt keeps newswatch off `url`, or None when it may be fetched."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        rules = self._rules_for(fetcher, origin)
        if rules == _UNREACHABLE:
            return "robots.txt of the site could not be fetched: page not fetched this time"
        if isinstance(rules, Protego):
            delay = rules.crawl_delay(fetcher.user_agent)
            if delay and fetcher.limiter is not None:
                fetcher.limiter.raise_delay(
                    parts.hostname or "", min(float(delay), MAX_CRAWL_DELAY_SECONDS)
                )
            if not rules.can_fetch(url, fetcher.user_agent):
                return "robots.txt of the site disallows fetching this page"
        return None

    def _rules_for(self, fetcher: Fetcher, origin: str) -> Protego | str | None:
        with self._lock:
            origin_lock = self._origin_locks.setdefault(origin, threading.Lock())
        with origin_lock:  # one fetch of a robots.txt at a time, the others wait for it
            now = self._clock()
            with self._lock:
                memo = self._parsed.get(origin)
            if memo is not None and now - memo[0] <= self._ttl(memo[1]):
                return memo[1]
            stored = self.cache.get(origin)
            if stored is not None and now - stored[1] <= self.ttl_seconds:
                rules: Protego | str | None = _parse(stored[0])
                fetched_at = stored[1]
            else:
                body = self._fetch(fetcher, origin)
                fetched_at = self._clock()
                if body == _UNREACHABLE:
                    rules = _UNREACHABLE
                else:
                    self.cache.put(origin, body, fetched_at)
                    rules = _parse(body)
            with self._lock:
                self._parsed[origin] = (fetched_at, rules)
            return rules

    def _ttl(self, rules: Protego | str | None) -> float:
        return self.failure_ttl_seconds if rules == _UNREACHABLE else self.ttl_seconds

    def _fetch(self, fetcher: Fetcher, origin: str) -> str | None:
        """The robots.txt text, None when there is none, or _UNREACHABLE."""
        try:
            got = fetcher.fetch(f"{origin}/robots.txt", robots=False)
        except TransientError:
            return _UNREACHABLE  # 5xx, 429, timeout, connection failure: disallow for now
        except PermanentError:
            return None  # 4xx (or a robots.txt newswatch may not fetch): allow everything
        return got.body.decode("utf-8", "replace")


def _parse(body: str | None) -> Protego | None:
    return Protego.parse(body) if body is not None else None
