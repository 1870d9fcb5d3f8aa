"""Per-host limits and robots.txt, against real local servers."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from newswatch.adapters.http import Fetcher, HostLimiter, RobotsRules
from newswatch.adapters.store import Store
from newswatch.models import Entry
from newswatch.pipeline import extract, runtime
from newswatch.pipeline.settings import load_settings
from tests.support.httpserver import Answer, LocalHTTPServer, RecordedRequest


def test_at_most_n_requests_at_once_to_one_host() -> None:
    in_flight = 0
    most = 0
    lock = threading.Lock()

    def slow(_request: RecordedRequest) -> Answer:
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        time.sleep(0.2)  # holds the request open so that others would overlap
        with lock:
            in_flight -= 1
        return Answer(body=b"ok")

    limiter = HostLimiter(per_host=2, delay_seconds=0)
    with LocalHTTPServer() as server:
        server.handle("/slow", slow)
        with (
            Fetcher(timeout_seconds=10, limiter=limiter) as fetcher,
            ThreadPoolExecutor(max_workers=6) as pool,
        ):
            results = list(pool.map(lambda _: fetcher.fetch(server.url("/slow")), range(6)))
    assert [r.body for r in results] == [b"ok"] * 6
    assert most == 2


def test_robots_txt_keeps_newswatch_off_disallowed_article_pages(tmp_path: Path) -> None:
    with LocalHTTPServer() as server:
        server.add("/robots.txt", b"User-agent: *\nDisallow: /private/\n")
        page = (
            b"<html><head><title>Open</title></head><body>"
            + b"<p>Open text.</p>" * 40
            + b"</body></html>"
        )
        server.add("/public/a", page, headers={"Content-Type": "text/html"})
        server.add("/private/b", page, headers={"Content-Type": "text/html"})
        db = f"sqlite:///{tmp_path / 'store.db'}"
        settings = load_settings(allowed_hosts="127.0.0.1", db_url=db)
        runtime.prepare_store(settings)

        def entry(path: str) -> Entry:
            return Entry(
                entry_id=path, id_source="guid", feed_name="wire",
                feed_url=server.url("/feed"), url=server.url(path),
                title=f"Title {path}", summary=f"Summary of {path}", published=None,
            )  # fmt: skip

        public, private = extract.extract_entries(
            [entry("/public/a"), entry("/private/b")], settings
        )
        assert public.extraction == "page"
        assert private.extraction == "summary" and "robots.txt" in (private.extraction_note or "")
        assert server.requests_for("/private/b") == []
        assert len(server.requests_for("/robots.txt")) == 1  # fetched once per host
        # kept in the store: a run in another process reads it there instead of fetching it
        with Store.open(db) as store:
            kept = store.robots_get(server.url("").rstrip("/"))
        assert kept is not None and "Disallow: /private/" in (kept[0] or "")


def test_a_site_without_robots_txt_allows_everything() -> None:
    rules = RobotsRules()
    with LocalHTTPServer() as server, Fetcher(timeout_seconds=5) as fetcher:
        assert rules.allowed(fetcher, server.url("/any/page"))
        assert rules.allowed(fetcher, server.url("/other"))
        assert len(server.requests_for("/robots.txt")) == 1


def test_the_delay_between_starts_uses_the_clock_and_sleep_passed_in() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = HostLimiter(per_host=1, delay_seconds=2.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        with limiter.slot("http://a.example/x"):
            pass
    with limiter.slot("http://b.example/x"):  # another host waits for nobody
        pass
    assert slept == [2.0, 2.0]
