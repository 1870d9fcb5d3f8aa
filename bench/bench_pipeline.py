"""End-to-end benchmark (issue 17): `newswatch run` over real pages vs trafilatura alone.

The 181 real news pages of ../shared/corpus/extraction/ are served from 127.0.0.1 with a
robots.txt, through 8 RSS feeds (entries carry a pubDate, as real feeds do). In one sitting:

  1. trafilatura.extract(include_comments=False) alone on os.cpu_count() processes over
     the 543 pages (3 copies): the extraction limit, in pages/s (pool start not counted);
     measured again after the runs, the ratio taken to the mean of the two (the load of a
     shared machine moves within minutes);
  2. the extraction stage alone over the 181 pages: newswatch's extract_page in this process
     (one core, as NEWSWATCH_EXTRACT_WORKERS=0 does) and on the extraction pool (every core);
  3. `newswatch run --all` as a child process (the real CLI, Prefect flow included) on a
     fresh SQLite store, per-host delay 0 and per-host concurrency 16: over 181 pages and
     over 543 (3 copies), alternated, `--repeat` times each (3); the marginal rate is
     362 / (t543 - t181) with each t the median of its size (one pair alone moves by 0.5 s
     on a shared machine, which moves the rate by a third), so start-up is left out. t is the flow body (first feed poll to the run saved, timed in the child):
     the start-up before it (imports, the temporary Prefect server) varies by tens of
     seconds on a loaded machine; the rate over the whole process is printed beside it.
     Twice: extraction in the fetching thread (`threads`,
     NEWSWATCH_EXTRACT_WORKERS=0), and on the extraction pool (`pool`, the default: one
     process per core).

Per-stage figures come from the child: it wraps the stage functions (fetch, robots, feed
parsing, extraction, metadata, language, matching, dedup, store, delivery) with timers
that add up, per stage, the CPU time of the calling thread (time.thread_time) and the wall
time, each without the stages nested inside it. "Prefect + CLI + other" is the child's
whole CPU time (all threads) less the stages' CPU. Pool workers' and the Prefect server
process's CPU come from psutil; inside the pool workers (which import this file as
__mp_main__) the same timers split the workers' CPU into extraction and metadata. The
phases of the run (start-up until the first poll, polling, fetch + extract, decide,
deliver, saving the run) are the first start and last end of their stage functions,
in wall seconds from the child's start. Marginal ms per page = (figure at 543 - at 181)
/ 362. Peak RSS is the largest sum of RSS over the child's process tree, sampled every
50 ms.

Usage: .venv/bin/python bench/bench_pipeline.py [--pages N] [--copies 3] [--modes threads,pool] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src"), str(REPO / "bench")]

CORPUS = REPO.parent / "shared" / "corpus" / "extraction" / "html"
FEEDS = 8
STAGES = (
    "fetch",
    "robots",
    "feed parsing",
    "extraction",
    "metadata",
    "language",
    "matching",
    "dedup",
    "store",
    "delivery",
    "extraction pool (wait)",
)


# -- pages, feeds, server -------------------------------------------------------------------


def load_pages(n: int) -> dict[str, bytes]:
    files = sorted(CORPUS.glob("*.html.gz"))[:n]
    if not files:
        sys.exit(f"no pages under {CORPUS}")
    return {f.name.split(".")[0][:16]: gzip.decompress(f.read_bytes()) for f in files}


def serve(routes: dict[str, tuple[str, bytes]]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            ctype, body = routes.get(self.path, ("text/plain", b""))
            self.send_response(200 if self.path in routes else 404)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def rss(base: str, paths: list[str], now: datetime) -> bytes:
    items = "".join(
        f"<item><title>page {p}</title><link>{base}{p}</link><guid>{base}{p}</guid>"
        f"<pubDate>{format_datetime(now - timedelta(minutes=i))}</pubDate>"
        f"<description>summary of page {p}</description></item>"
        for i, p in enumerate(paths)
    )
    return (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>bench</title>"
        f"<link>{base}/</link><description>bench</description>{items}</channel></rss>"
    ).encode()


def site(pages: dict[str, bytes], copies: int) -> tuple[ThreadingHTTPServer, str]:
    """The server; /small/feedK.xml list copy 0, /big/feedK.xml list every copy."""
    routes: dict[str, tuple[str, bytes]] = {
        "/robots.txt": ("text/plain", b"User-agent: *\nAllow: /\n")
    }
    for c in range(copies):
        for pid, body in pages.items():
            routes[f"/c{c}/{pid}"] = ("text/html; charset=utf-8", body)
    server = serve(routes)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    now = datetime.now(UTC)
    ids = list(pages)
    for k in range(FEEDS):
        mine = ids[k::FEEDS]
        routes[f"/small/feed{k}.xml"] = (
            "application/rss+xml",
            rss(base, [f"/c0/{p}" for p in mine], now),
        )
        routes[f"/big/feed{k}.xml"] = (
            "application/rss+xml",
            rss(base, [f"/c{c}/{p}" for c in range(copies) for p in mine], now),
        )
    return server, base


# -- 1. trafilatura alone, 2. the extraction stage alone ---------------------------------------


def _traf(body: bytes) -> int:
    import trafilatura

    return len(trafilatura.extract(body, include_comments=False) or "")


def trafilatura_alone(bodies: list[bytes]) -> float:
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(os.cpu_count(), mp_context=ctx) as pool:
        list(pool.map(_traf, bodies[: 4 * (os.cpu_count() or 1)]))  # workers up and warm
        t0 = time.perf_counter()
        list(pool.map(_traf, bodies, chunksize=4))
        return time.perf_counter() - t0


def extraction_alone(pages: dict[str, bytes]) -> tuple[float, float, float]:
    """Seconds for extract_page over the pages: in this process, then on the pool (warm);
    and the pool workers' CPU seconds."""
    from newswatch.adapters.extract import extract_page
    from newswatch.adapters.extract_pool import ExtractionPool, PageJob
    from newswatch.errors import PermanentError

    published = datetime.now(UTC)
    jobs = [PageJob(f"https://bench.example/{p}", b, published=published) for p, b in pages.items()]
    t0 = time.perf_counter()
    for job in jobs:
        with contextlib.suppress(PermanentError):
            extract_page(job.html, url=job.url, published=job.published)
    t_in = time.perf_counter() - t0
    with ExtractionPool() as pool:
        pool.extract_pages(jobs[: 2 * pool.workers])
        workers = _pool_workers()
        cpu0 = sum(_cpu(p) for p in workers)
        t0 = time.perf_counter()
        pool.extract_pages(jobs)
        t_pool = time.perf_counter() - t0
        cpu = sum(_cpu(p) for p in workers) - cpu0
    return t_in, t_pool, cpu


def _cpu(p: psutil.Process) -> float:
    try:
        t = p.cpu_times()
        return float(t.user + t.system)
    except psutil.Error:
        return 0.0


def _pool_workers(root: psutil.Process | None = None) -> list[psutil.Process]:
    """Processes forked by a forkserver under `root` (the extraction pool's workers)."""
    root = root or psutil.Process()
    out = []
    for p in root.children(recursive=True):
        try:
            if any("forkserver" in part for part in p.parent().cmdline()):
                out.append(p)
        except psutil.Error:
            pass
    return out


# -- 3. newswatch run, as a child process ------------------------------------------------------


def run_cli(mode: str, feeds_set: str, base: str, tmp: Path, tag: str = "") -> dict[str, Any]:
    """One `newswatch run --all` in a child, on a fresh store; its wall time, peak tree
    RSS and stage times."""
    tmp = tmp / f"{mode}-{feeds_set}{tag}"
    tmp.mkdir()
    feeds = tmp / f"feeds-{feeds_set}.yaml"
    feeds.write_text(
        "feeds:\n"
        + "".join(
            f"  - name: bench{k}\n    url: {base}/{feeds_set}/feed{k}.xml\n" for k in range(FEEDS)
        )
    )
    db = tmp / f"{mode}-{feeds_set}.db"
    stages = tmp / f"{mode}-{feeds_set}.json"
    workers_dir = tmp / f"workers-{mode}-{feeds_set}"
    workers_dir.mkdir()
    env = {
        **os.environ,
        "NEWSWATCH_PER_HOST_DELAY_SECONDS": "0",
        "NEWSWATCH_PER_HOST_CONCURRENCY": "16",
        "NEWSWATCH_ALLOWED_HOSTS": "127.0.0.1",
        "NEWSWATCH_MAX_ENTRIES_PER_FEED": "10000",
        "NEWSWATCH_EXTRACT_WORKERS": str(os.cpu_count() or 1) if mode == "pool" else "0",
        "NEWSWATCH_CONFIG_DIR": str(tmp),  # no notify.yaml there: no targets
        WORKER_STAGES_ENV: str(workers_dir),
    }
    args = [
        sys.executable,
        __file__,
        "--child",
        mode,
        "--stages-out",
        str(stages),
        "--",
        "run",
        "--all",
        "--feeds",
        str(feeds),
        "--profile",
        str(REPO / "config" / "profile.yaml"),  # the shipped profile: nothing to learn
        "--db",
        f"sqlite:///{db}",
        "--json",
    ]
    # to files, not pipes: a run's JSON summary outgrows a pipe's buffer while we only sample
    out_file, err_file = tmp / f"{mode}-{feeds_set}.out", tmp / f"{mode}-{feeds_set}.err"
    with out_file.open("wb") as out_io, err_file.open("wb") as err_io:
        t0 = time.perf_counter()
        child = subprocess.Popen(args, env=env, stdout=out_io, stderr=err_io, cwd=REPO)
        peak = 0
        proc = psutil.Process(child.pid)
        while child.poll() is None:
            total = 0
            for p in [proc, *proc.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += p.memory_info().rss
            peak = max(peak, total)
            time.sleep(0.05)
        wall = time.perf_counter() - t0
    if child.returncode != 0:
        sys.exit(f"newswatch run failed ({mode}, {feeds_set}):\n{err_file.read_text()[-3000:]}")
    summary = json.loads(out_file.read_text())
    pool_cpu: dict[str, float] = defaultdict(float)
    pool_calls: dict[str, int] = defaultdict(int)
    for f in workers_dir.glob("*.json"):
        got = json.loads(f.read_text())
        for stage, seconds in got["cpu"].items():
            pool_cpu[stage] += seconds
            pool_calls[stage] += got["calls"][stage]
    return {
        "seconds": wall,
        "peak_rss": peak,
        "counts": summary["counts"],
        "pool_cpu": pool_cpu,
        "pool_calls": pool_calls,
        **json.loads(stages.read_text()),
    }


class StageClock:
    """Per stage: CPU seconds of the calling thread and wall seconds, nested stages excluded."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = defaultdict(float)
        self.wall: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._local = threading.local()
        self._lock = threading.Lock()

    def wrap(self, owner: Any, name: str, stage: str) -> None:
        original: Callable[..., Any] = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            stack = self._local.__dict__.setdefault("stack", [])
            c0, w0 = time.thread_time(), time.perf_counter()
            stack.append([0.0, 0.0])
            try:
                return original(*args, **kwargs)
            finally:
                inner_c, inner_w = stack.pop()
                dc, dw = time.thread_time() - c0, time.perf_counter() - w0
                if stack:
                    stack[-1][0] += dc
                    stack[-1][1] += dw
                with self._lock:
                    self.cpu[stage] += dc - inner_c
                    self.wall[stage] += dw - inner_w
                    self.calls[stage] += 1

        setattr(owner, name, timed)


class PhaseClock:
    """Per phase of the run: first start and last end (epoch seconds) over its calls."""

    def __init__(self) -> None:
        self.first: dict[str, float] = {}
        self.last: dict[str, float] = {}
        self._lock = threading.Lock()

    def wrap(self, owner: Any, name: str, phase: str) -> None:
        original: Callable[..., Any] = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.time()
            try:
                return original(*args, **kwargs)
            finally:
                with self._lock:
                    self.first[phase] = min(self.first.get(phase, started), started)
                    self.last[phase] = max(self.last.get(phase, 0.0), time.time())

        setattr(owner, name, timed)

    def spans(self, origin: float) -> dict[str, tuple[float, float]]:
        """Each phase's (start, end) in seconds since `origin` (the child's start)."""
        return {k: (self.first[k] - origin, self.last[k] - origin) for k in self.first}


WORKER_STAGES_ENV = "BENCH_PIPELINE_WORKER_STAGES"


def time_pool_worker(out_dir: Path) -> None:
    """In an extraction pool worker (which imports this file as __mp_main__): time the
    extraction stages there too, and write them to `out_dir/<pid>.json` when it exits."""
    from multiprocessing import util

    from newswatch.adapters import extract, extract_pool

    clock = StageClock()
    for name in ("load_html", "bare_extraction"):
        clock.wrap(extract, name, "extraction")
    clock.wrap(extract, "_page_metadata", "metadata")
    clock.wrap(extract_pool, "extract_page", "extraction")  # the rest of extract_page

    def dump() -> None:
        (out_dir / f"{os.getpid()}.json").write_text(
            json.dumps({"cpu": clock.cpu, "calls": clock.calls})
        )

    # Registered at the first page: the worker's start clears the finalizers registered
    # while this file was imported.
    timed = extract_pool.extract_page
    registered: list[bool] = []

    def first_registers(*args: Any, **kwargs: Any) -> Any:
        if not registered:
            registered.append(True)
            util.Finalize(None, dump, exitpriority=100)
        return timed(*args, **kwargs)

    extract_pool.extract_page = first_registers  # type: ignore[assignment]


def child(mode: str, stages_out: Path, cli_args: list[str]) -> None:
    from newswatch import dedup, matching
    from newswatch.adapters import extract, extract_pool, http
    from newswatch.adapters.store import Store
    from newswatch.pipeline import decide, deliver, poll, runtime
    from newswatch.pipeline import extract as extract_stage

    phases = PhaseClock()
    phases.wrap(runtime, "save_run", "save run")
    phases.wrap(poll, "poll_feed", "poll feeds")
    phases.wrap(extract_stage, "extract_entries", "fetch + extract")
    phases.wrap(decide, "decide_articles", "decide")
    phases.wrap(deliver, "deliver_alerts", "deliver")
    clock = StageClock()
    clock.wrap(http.Fetcher, "fetch", "fetch")
    clock.wrap(http.RobotsRules, "refusal", "robots")
    clock.wrap(poll, "parse_feed", "feed parsing")
    for name in ("extract_page", "load_html", "bare_extraction"):
        clock.wrap(extract, name, "extraction")
    clock.wrap(extract, "_page_metadata", "metadata")
    clock.wrap(extract_stage, "detect_language", "language")
    clock.wrap(matching, "detect_language", "language")
    clock.wrap(matching.Matcher, "score", "matching")
    for name in ("normalise_text", "text_hash", "fingerprint", "find_copy", "find_near"):
        clock.wrap(dedup, name, "dedup")
    clock.wrap(Store, "dedup_index", "dedup")
    clock.wrap(Store, "article_brief", "dedup")
    clock.wrap(Store, "record_decided", "store")
    for name in (
        "feed_state",
        "feed_states",
        "save_feed_state",
        "claim_entries",
        "lease_entries",
        "record_article",
        "delivery_counts",
        "save_run",
        "prune",
        "migrate",
    ):
        clock.wrap(Store, name, "store")
    clock.wrap(deliver, "deliver_alerts", "delivery")
    clock.wrap(extract_pool.ExtractionPool, "extract_pages", "extraction pool (wait)")

    from newswatch.cli import app

    try:
        app(cli_args, standalone_mode=False)
    finally:
        me = psutil.Process()
        workers = _pool_workers(me)
        others = [p for p in me.children(recursive=True) if p not in workers]
        own = me.cpu_times()
        stages_out.write_text(
            json.dumps(
                {
                    "cpu": clock.cpu,
                    "wall": clock.wall,
                    "calls": clock.calls,
                    "phases": phases.spans(me.create_time()),
                    "process_cpu": own.user + own.system,
                    "workers_cpu": sum(_cpu(p) for p in workers),
                    "other_children_cpu": sum(_cpu(p) for p in others)
                    + own.children_user
                    + own.children_system,
                }
            )
        )
        sys.stdout.flush()


# -- report ------------------------------------------------------------------------------------


def breakdown(
    mode: str, small: dict[str, Any], big: dict[str, Any], sizes: tuple[int, int]
) -> None:
    n_small, n_big = sizes
    extra = n_big - n_small

    def residual(r: dict[str, Any]) -> float:
        return float(r["process_cpu"] - sum(r["cpu"].values()))

    print(
        f"\n  per-stage, {mode}: CPU ms per extra page (marginal), and whole {n_big}-page run (s)"
    )
    print(
        f"  {'stage':28s} {'cpu ms/page':>11s} {'wall ms/page':>12s} {'cpu s':>7s} {'wall s':>7s} {'calls':>6s}"
    )
    rows = [s for s in STAGES if s in big["cpu"] or s in small["cpu"]]
    for stage in rows:
        dc = (big["cpu"].get(stage, 0) - small["cpu"].get(stage, 0)) / extra * 1000
        dw = (big["wall"].get(stage, 0) - small["wall"].get(stage, 0)) / extra * 1000
        print(
            f"  {stage:28s} {dc:11.2f} {dw:12.2f} {big['cpu'].get(stage, 0):7.2f} "
            f"{big['wall'].get(stage, 0):7.2f} {big['calls'].get(stage, 0):6d}"
        )
    for stage in ("extraction", "metadata"):
        b, sm = big["pool_cpu"].get(stage, 0.0), small["pool_cpu"].get(stage, 0.0)
        if b:
            label = f"{stage} (pool workers)"
            print(
                f"  {label:28s} {(b - sm) / extra * 1000:11.2f} {'':12s} {b:7.2f} "
                f"{'':7s} {big['pool_calls'].get(stage, 0):6d}"
            )
    for name, b, s in (
        ("Prefect + CLI + other", residual(big), residual(small)),
        ("extraction pool workers", big["workers_cpu"], small["workers_cpu"]),
        ("Prefect server process", big["other_children_cpu"], small["other_children_cpu"]),
    ):
        print(f"  {name:28s} {(b - s) / extra * 1000:11.2f} {'':12s} {b:7.2f}")
    print(f"\n  phases of the run, wall seconds from the process start ({mode}):")
    print(
        f"  {'phase':28s} {f'{n_small} pages':>16s} {f'{n_big} pages':>16s} {'marginal ms/page':>17s}"
    )
    for phase in ("poll feeds", "fetch + extract", "decide", "deliver", "save run"):
        if phase not in big["phases"]:
            continue
        sb, eb = big["phases"][phase]
        ss, es = small["phases"].get(phase, (0.0, 0.0))
        print(
            f"  {phase:28s} {ss:6.1f} - {es:6.1f} {sb:6.1f} - {eb:6.1f} "
            f"{((eb - sb) - (es - ss)) / extra * 1000:17.1f}"
        )
    startup_b, startup_s = big["phases"]["poll feeds"][0], small["phases"]["poll feeds"][0]
    print(
        f"  {'start-up (imports, Prefect)':28s} {0:6.1f} - {startup_s:6.1f} {0:6.1f} - {startup_b:6.1f}"
    )
    print(
        f"  {'whole child process CPU':28s} {(big['process_cpu'] - small['process_cpu']) / extra * 1000:11.2f} {'':12s} {big['process_cpu']:7.2f}"
    )


def flow_body(run: dict[str, Any]) -> float:
    """Seconds from the first feed poll to the run saved: the run without its start-up
    (imports, the temporary Prefect server), which under load varies by tens of seconds."""
    return float(run["phases"]["save run"][1] - run["phases"]["poll feeds"][0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=181)
    parser.add_argument("--copies", type=int, default=3)
    parser.add_argument("--modes", default="threads,pool")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of each size per mode, alternated; the marginal rate is taken from the"
        " median flow body of each size (one pair of runs moves by 0.5 s on a shared machine)",
    )
    parser.add_argument("--child")
    parser.add_argument("--stages-out", type=Path)
    args, rest = parser.parse_known_args()
    if args.child:
        child(args.child, args.stages_out, [a for a in rest if a != "--"])
        return

    pages = load_pages(args.pages)
    server, base = site(pages, args.copies)
    n_small, n_big = len(pages), len(pages) * args.copies
    extra = n_big - n_small
    cores = os.cpu_count() or 1
    print(
        f"pages: {n_small} real news pages, and {args.copies} copies ({n_big}), through {FEEDS} RSS feeds on 127.0.0.1; {cores} cores"
    )

    t_traf = trafilatura_alone(list(pages.values()) * args.copies)
    traf_rate = n_big / t_traf
    print(
        f"trafilatura.extract alone, {cores} processes, {n_big} pages: {traf_rate:6.1f} pages/s ({t_traf:.1f} s)"
    )

    t_in, t_pool, pool_cpu = extraction_alone(pages)
    print("extraction stage alone (extract_page, feed date given), same pages:")
    print(f"  in this process (one core, workers=0):{n_small / t_in:6.1f} pages/s  ({t_in:.1f} s)")
    print(
        f"  extraction pool, {cores} workers:           {n_small / t_pool:6.1f} pages/s  ({t_pool:.1f} s, workers' CPU {pool_cpu:.1f} s)"
    )
    print(f"  pool / trafilatura alone: {n_small / t_pool / traf_rate:.2f}")

    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for mode in args.modes.split(","):
            smalls, bigs = [], []
            for k in range(max(1, args.repeat)):
                smalls.append(run_cli(mode, "small", base, tmp, tag=f"-{k}"))
                bigs.append(run_cli(mode, "big", base, tmp, tag=f"-{k}"))
            pairs = [
                extra / (flow_body(b) - flow_body(a)) for a, b in zip(smalls, bigs, strict=True)
            ]
            small = sorted(smalls, key=flow_body)[len(smalls) // 2]
            big = sorted(bigs, key=flow_body)[len(bigs) // 2]
            whole = extra / (big["seconds"] - small["seconds"])
            rate = extra / (flow_body(big) - flow_body(small))
            results[mode] = rate
            print(
                f"\nnewswatch run, {mode}: {n_small} pages {small['seconds']:.1f} s, {n_big} pages {big['seconds']:.1f} s"
                f" (flow body, first poll to saved run: {flow_body(small):.1f} s, {flow_body(big):.1f} s)"
            )
            print(
                f"  extracted {small['counts']['extracted']} / {big['counts']['extracted']}, duplicates {big['counts']['duplicates']}"
            )
            print(
                f"  marginal rate {rate:6.1f} articles/s over the flow body (start-up varies by tens of"
                f" seconds under load; over the whole process {whole:.1f}); ratio to trafilatura alone"
                f" {rate / traf_rate:.2f}"
            )
            print(
                f"  {len(pairs)} pairs of runs (median of each size above); each pair's own rate: "
                + ", ".join(f"{r:.1f}" for r in pairs)
            )
            peak = max(r["peak_rss"] for r in smalls + bigs)
            print(f"  peak RSS of the run (process tree): {peak / 2**20:.0f} MB")
            breakdown(mode, small, big, (n_small, n_big))
    server.shutdown()
    # Again after the runs: on a shared machine the load moves in minutes, and the limit
    # the runs are held to is the mean of the two measurements around them.
    traf_after = n_big / trafilatura_alone(list(pages.values()) * args.copies)
    limit = (traf_rate + traf_after) / 2
    print("\nsummary (one sitting; ratios count, absolute figures move with the machine's load):")
    print(
        f"  trafilatura alone on {cores} processes: {traf_rate:.1f} pages/s before the runs,"
        f" {traf_after:.1f} after, mean {limit:.1f}"
    )
    for mode, rate in results.items():
        print(
            f"  newswatch run ({mode}): {rate:.1f} articles/s marginal, ratio {rate / limit:.2f}"
            f" (to the first measurement {rate / traf_rate:.2f})"
        )


if __name__ == "__main__":
    main()
elif __name__ == "__mp_main__" and os.environ.get(WORKER_STAGES_ENV):
    time_pool_worker(Path(os.environ[WORKER_STAGES_ENV]))
