"""Polling 1,000 feeds served from loopback: cycle time, requests/s and peak memory.

A separate process serves N feeds (default 1,000; RSS, 10 items each, with ETags) on
127.0.0.1. This process polls them with newswatch's feed stage (`poll.poll_feed`: fetch
with a conditional GET, parse, claim new entries in a SQLite store) on a thread pool, as
the ingest flow's mapped tasks do, three times:

  1. first poll: every feed new (priming the ETags, claiming 10 entries per feed);
  2. all unchanged: every feed answers 304;
  3. 10% changed: one feed in ten has a new item and a new ETag.

All feeds are on one host here, so the per-host limit is raised to the pool size for the
benchmark (the default, 2 at once and 1 s apart, is for real sites). Targets on a 2-core
machine: <= 30 s for 1,000 unchanged feeds, <= 2 minutes with 10% changed, peak RSS
<= 400 MB. Usage:  .venv/bin/python bench/bench_feeds.py [N] [THREADS]
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]


def _feed(n: int, version: int) -> bytes:
    items = "".join(
        f"<item><title>Feed {n} item {version}-{i}</title>"
        f"<link>http://127.0.0.1/f{n}/{version}-{i}</link><guid>f{n}-{version}-{i}</guid>"
        f"<pubDate>Mon, 0{1 + i % 9} Jan 2026 10:00:00 GMT</pubDate>"
        f"<description>Item {i} of feed {n}, version {version}.</description></item>"
        for i in range(10)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {n}</title>'
        f"{items}</channel></rss>"
    ).encode()


def _serve(port_out: multiprocessing.Queue, changed: multiprocessing.Event, n: int) -> None:  # type: ignore[type-arg]
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - the stdlib's naming
            k = int(self.path.strip("/").split(".")[0][1:])
            version = 2 if changed.is_set() and k % 10 == 0 else 1
            etag = f'"f{k}-v{version}"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = _feed(k, version)
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_out.put(server.server_address[1])
    server.serve_forever()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    os.environ["NEWSWATCH_PER_HOST_CONCURRENCY"] = str(threads)
    os.environ["NEWSWATCH_PER_HOST_DELAY_SECONDS"] = "0"
    from newswatch.models import Feed
    from newswatch.pipeline import poll, runtime
    from newswatch.pipeline.settings import load_settings

    ctx = multiprocessing.get_context("spawn")
    ports: multiprocessing.Queue[int] = ctx.Queue()
    changed = ctx.Event()
    server = ctx.Process(target=_serve, args=(ports, changed, n), daemon=True)
    server.start()
    port = ports.get(timeout=60)
    feeds = [Feed(f"feed {k}", f"http://127.0.0.1:{port}/f{k}.xml") for k in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(db_url=f"sqlite:///{tmp}/bench.db")
        runtime.prepare_store(settings)
        now = datetime(2026, 1, 10, tzinfo=UTC)

        def cycle(label: str, when: datetime) -> None:
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=threads) as pool:
                polls = list(pool.map(lambda f: poll.poll_feed(f, settings, now=when), feeds))
            secs = time.perf_counter() - started
            statuses: dict[str, int] = {}
            for p in polls:
                statuses[p.report.status] = statuses.get(p.report.status, 0) + 1
            new = sum(p.report.new_entries for p in polls)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"{label:<22} {secs:6.1f} s  {n / secs:7.0f} requests/s  "
                f"{statuses}  new entries {new}  peak RSS {peak:.0f} MB",
                flush=True,
            )

        print(f"{n} feeds on 127.0.0.1, {threads} threads, SQLite store")
        cycle("1. first poll", now)
        cycle("2. all unchanged (304)", now + timedelta(hours=1))
        changed.set()
        cycle("3. 10% changed", now + timedelta(hours=2))
    server.terminate()
    print("targets: <= 30 s unchanged, <= 120 s with 10% changed, peak RSS <= 400 MB")
    print("peer: bench_feeds_peer.py runs rss2email on the same feeds")


if __name__ == "__main__":
    main()
