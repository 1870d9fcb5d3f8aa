"""Where the first poll of bench_feeds.py's 1,000 feeds spends its time (issue 17, item 4).

The same feeds and server as bench_feeds.py; the first poll (every feed new, 10 entries
each claimed into a fresh SQLite store) on the same thread pool, with the stage functions
timed by bench_pipeline's StageClock (per stage: CPU seconds of the calling threads and
wall seconds, nested stages excluded; wall time summed over threads, so it also counts
waiting for a lock or the GIL). Then the same first poll on a fresh store with cProfile
on one thread (the top functions by their own time). Usage:
    .venv/bin/python bench/bench_feeds_stages.py [N] [THREADS]
"""

from __future__ import annotations

import cProfile
import io
import multiprocessing
import os
import pstats
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent / "src")]

from bench_feeds import _serve  # noqa: E402
from bench_pipeline import StageClock  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    os.environ["NEWSWATCH_PER_HOST_CONCURRENCY"] = str(threads)
    os.environ["NEWSWATCH_PER_HOST_DELAY_SECONDS"] = "0"
    from newswatch import polling
    from newswatch.adapters import http
    from newswatch.adapters.store import Store
    from newswatch.models import Feed
    from newswatch.pipeline import poll, runtime
    from newswatch.pipeline.settings import load_settings

    clock = StageClock()
    clock.wrap(http.Fetcher, "fetch", "fetch (HTTP)")
    clock.wrap(poll, "open_fetcher", "open fetcher")
    clock.wrap(poll, "open_store", "open store")
    clock.wrap(poll, "parse_feed", "feedparser")
    clock.wrap(Store, "feed_state", "store: read feed state")
    clock.wrap(Store, "claim_entries", "store: claim entries")
    clock.wrap(Store, "save_feed_state", "store: save feed state")
    clock.wrap(polling, "after_success", "polling plan")
    clock.wrap(polling, "hints_from", "polling plan")
    clock.wrap(poll, "poll_feed", "poll_feed (rest)")

    ctx = multiprocessing.get_context("spawn")
    ports: multiprocessing.Queue[int] = ctx.Queue()
    changed = ctx.Event()  # kept referenced until the server has started
    server = ctx.Process(target=_serve, args=(ports, changed, n), daemon=True)
    server.start()
    port = ports.get(timeout=60)
    feeds = [Feed(f"feed {k}", f"http://127.0.0.1:{port}/f{k}.xml") for k in range(n)]
    now = datetime(2026, 1, 10, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(db_url=f"sqlite:///{tmp}/staged.db")
        runtime.prepare_store(settings)
        cpu0 = time.process_time()
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(lambda f: poll.poll_feed(f, settings, now=now), feeds))
        secs = time.perf_counter() - started
        cpu = time.process_time() - cpu0
        print(
            f"first poll of {n} feeds, {threads} threads: {secs:.1f} s wall, {cpu:.1f} s CPU (process)"
        )
        print(
            f"  {'stage':26s} {'cpu s':>7s} {'ms/feed':>8s} {'wall s (summed)':>16s} {'calls':>6s}"
        )
        for stage in sorted(clock.cpu, key=lambda s: -clock.cpu[s]):
            print(
                f"  {stage:26s} {clock.cpu[stage]:7.2f} {clock.cpu[stage] / n * 1000:8.2f} "
                f"{clock.wall[stage]:16.2f} {clock.calls[stage]:6d}"
            )
        rest = cpu - sum(clock.cpu.values())
        print(f"  {'other (threads, server?)':26s} {rest:7.2f} {rest / n * 1000:8.2f}")

        settings = load_settings(db_url=f"sqlite:///{tmp}/profiled.db")
        runtime.prepare_store(settings)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for feed in feeds[: n // 4]:
            poll.poll_feed(feed, settings, now=now)
        profiler.disable()
        print(f"\none thread under cProfile, {n // 4} feeds: {time.perf_counter() - started:.1f} s")
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(18)
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:4000])
    server.terminate()


if __name__ == "__main__":
    main()
