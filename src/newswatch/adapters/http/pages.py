"""Article pages fetched once: a feed whose items all link to one page costs one request.

A `PageMemo` holds the outcome (the page, or the error) of each article page a Fetcher
fetched in the last `ttl_seconds` (10 minutes by default), for at most
`max_pages` pages and `max_bytes` bytes of bodies (oldest out first). Only article pages
(`Fetcher.fetch(..., robots=True)`) go through it; feeds never do (they are polled with
validators, and a poll must see the server). Two threads asking for one page at once
make one request: the second waits for the first. A memo is meant to live as long as
one batch of entries (the pipeline makes one per batch): keyed by URL alone, it is not
shared between fetchers of different settings.
"""

from __future__ import annotations

import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable

from newswatch.errors import NewswatchError
from newswatch.models import FetchResult

Outcome = FetchResult | NewswatchError


class PageMemo:
    """Recent article page outcomes, bounded in count, bytes and age (see the module)."""

    def __init__(
        self,
        *,
        ttl_seconds: float = 600.0,
        max_pages: int = 512,
        max_bytes: int = 64_000_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_pages = max_pages
        self.max_bytes = max_bytes
        self._clock = clock
        self._lock = threading.Lock()
        self._pages: OrderedDict[str, tuple[float, Outcome]] = OrderedDict()
        self._bytes = 0
        # Striped locks: one fetch per URL at a time, with a bounded number of locks.
        self._stripes = [threading.Lock() for _ in range(64)]

    def fetch(self, url: str, fetch: Callable[[], FetchResult]) -> FetchResult:
        """The page's recent outcome, else `fetch()`'s (remembered); errors are raised."""
        with self._stripes[zlib.crc32(url.encode("utf-8", "replace")) % len(self._stripes)]:
            outcome = self._get(url)
            if outcome is None:
                try:
                    outcome = fetch()
                except NewswatchError as exc:
                    outcome = exc
                self._put(url, outcome)
        if isinstance(outcome, NewswatchError):
            raise outcome
        return outcome

    def _get(self, url: str) -> Outcome | None:
        with self._lock:
            found = self._pages.get(url)
            if found is None:
                return None
            if self._clock() - found[0] > self.ttl_seconds:
                self._drop(url)
                return None
            return found[1]

    def _put(self, url: str, outcome: Outcome) -> None:
        size = len(outcome.body) if isinstance(outcome, FetchResult) else 0
        if size > self.max_bytes:
            return
        with self._lock:
            if url in self._pages:
                self._drop(url)
            self._pages[url] = (self._clock(), outcome)
            self._bytes += size
            while len(self._pages) > self.max_pages or self._bytes > self.max_bytes:
                self._drop(next(iter(self._pages)))

    def _drop(self, url: str) -> None:
        _, outcome = self._pages.pop(url)
        if isinstance(outcome, FetchResult):
            self._bytes -= len(outcome.body)
