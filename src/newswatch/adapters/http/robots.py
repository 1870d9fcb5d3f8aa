"""robots.txt of article hosts: may newswatch fetch this page?

Only article pages are checked (a feed is published to be polled).
"""

from __future__ import annotations

import threading
import time
import urllib.robotparser
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from newswatch.errors import PermanentError, TransientError

if TYPE_CHECKING:
    from newswatch.adapters.http.fetcher import Fetcher


class RobotsRules:
    """robots.txt of article hosts, fetched once per host per process and hour.

    A robots.txt that is missing (4xx) allows everything; one that cannot be fetched
    (5xx, timeout) is treated as allowing too, and the next hour tries again."""

    def __init__(self, ttl_seconds: float = 3600.0) -> None:
        self.ttl_seconds = ttl_seconds
        self._lock = threading.Lock()
        self._rules: dict[str, tuple[float, urllib.robotparser.RobotFileParser | None]] = {}

    def allowed(self, fetcher: Fetcher, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            cached = self._rules.get(origin)
        if cached is None or time.monotonic() - cached[0] > self.ttl_seconds:
            parser: urllib.robotparser.RobotFileParser | None = None
            try:
                got = fetcher.fetch(f"{origin}/robots.txt", robots=False)
                parser = urllib.robotparser.RobotFileParser()
                parser.parse(got.body.decode("utf-8", "replace").splitlines())
            except PermanentError:
                parser = None  # no robots.txt (or one we may not read): everything allowed
            except TransientError:
                parser = None
            cached = (time.monotonic(), parser)
            with self._lock:
                self._rules[origin] = cached
        parser = cached[1]
        return parser is None or parser.can_fetch(fetcher.user_agent, url)


ROBOTS = RobotsRules()  # one per process, like the host limiter
