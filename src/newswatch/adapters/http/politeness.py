"""Politeness per host: a cap on requests at once and a delay between their starts.

One `HostLimiter` is shared by every Fetcher of a process (`shared_limiter`): the run's
tasks run in threads of one process, and feeds and article pages of one host count alike.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit


class HostLimiter:
    """At most `per_host` requests at once to one host, and `delay_seconds` between the
    starts of two requests to it, for every Fetcher of the process that shares it.

    `clock` (monotonic seconds) and `sleep` are seams for tests; they default to
    `time.monotonic` and `time.sleep`.
    """

    def __init__(
        self,
        per_host: int = 2,
        delay_seconds: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.per_host = max(1, per_host)
        self.delay_seconds = max(0.0, delay_seconds)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._next_start: dict[str, float] = {}
        self._delays: dict[str, float] = {}  # hosts whose robots.txt asks for more

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        host = (urlsplit(url).hostname or "").lower()
        with self._lock:
            sem = self._slots.setdefault(host, threading.BoundedSemaphore(self.per_host))
        with sem:
            with self._lock:
                now = self._clock()
                start = max(now, self._next_start.get(host, now))
                self._next_start[host] = start + self._delays.get(host, self.delay_seconds)
            if start > now:
                self._sleep(start - now)
            yield

    def raise_delay(self, host: str, delay_seconds: float) -> None:
        """Wait at least `delay_seconds` between two starts to `host` (its Crawl-delay)."""
        host = host.lower()
        with self._lock:
            self._delays[host] = max(self.delay_seconds, self._delays.get(host, 0.0), delay_seconds)

    def delay_for(self, host: str) -> float:
        """The time between two starts to `host`."""
        with self._lock:
            return self._delays.get(host.lower(), self.delay_seconds)


_LIMITERS: dict[tuple[int, float], HostLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


def shared_limiter(per_host: int, delay_seconds: float) -> HostLimiter:
    """The process's limiter for these settings (one per process, shared by all fetchers)."""
    with _LIMITERS_LOCK:
        return _LIMITERS.setdefault((per_host, delay_seconds), HostLimiter(per_host, delay_seconds))
