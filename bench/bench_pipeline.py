"""End-to-end benchmark: real news pages through the whole pipeline vs trafilatura alone.

N real pages from ../shared/corpus/extraction/ are served from 127.0.0.1 with an RSS feed
listing them. The same process then measures, on the same pages:

  1. trafilatura.extract(html, include_comments=False) alone (the floor of the work);
  2. the newswatch stages called directly: poll -> fetch + extract -> match + dedup +
     store (SQLite) -> alerts;
  3. the same run as a Prefect flow (ephemeral API), orchestration included.

It prints articles/s for each and the ratios. Usage:
    .venv/bin/python bench/bench_pipeline.py [N]
"""

from __future__ import annotations

import gzip
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import trafilatura

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from newswatch.models import Feed  # noqa: E402
from newswatch.pipeline import decide, extract, poll, runtime  # noqa: E402
from newswatch.pipeline.config import RunInputs  # noqa: E402
from newswatch.pipeline.settings import Settings, load_settings  # noqa: E402
from newswatch.policy import Policy  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "extraction" / "html"


def load_pages(n: int) -> dict[str, bytes]:
    files = sorted(CORPUS.glob("*.html.gz"))[:n]
    if not files:
        sys.exit(f"no pages under {CORPUS}")
    return {f"/p/{f.name.split('.')[0][:16]}": gzip.decompress(f.read_bytes()) for f in files}


def serve(routes: dict[str, tuple[str, bytes]]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
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
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def feed_for(paths: list[str], base: str) -> bytes:
    items = "".join(
        f"<item><title>page {i}</title><link>{base}{p}</link><guid>{base}{p}</guid>"
        f"<description>page {i}</description></item>"
        for i, p in enumerate(paths)
    )
    return (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>bench</title>"
        f"<link>{escape(base)}</link><description>bench</description>{items}</channel></rss>"
    ).encode()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    pages = load_pages(n)
    routes = {p: ("text/html; charset=utf-8", body) for p, body in pages.items()}
    server = serve(routes)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    routes["/feed.xml"] = ("application/rss+xml", feed_for(list(pages), base))

    t0 = time.perf_counter()
    for body in pages.values():
        trafilatura.extract(body, include_comments=False)
    t_traf = time.perf_counter() - t0

    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        (tmpdir / "feeds.yaml").write_text(f"feeds:\n  - name: bench\n    url: {base}/feed.xml\n")

        def on_db(name: str) -> Settings:
            return load_settings(
                feeds_file=tmpdir / "feeds.yaml",
                profile_file=tmpdir / "profile.yaml",
                config_dir=tmpdir,  # no notify.yaml there: no targets
                db_url=f"sqlite:///{tmpdir / name}",
                max_entries_per_feed=10_000,
            )

        settings = on_db("direct.db")
        profile = profiles.ensure_profile(settings)
        now = datetime.now(UTC)
        timings = []
        for attempt in ("cold", "warm"):
            # cold: the first pass in this process also loads simplemma's dictionaries and
            # wordfreq's lists; warm: what every later run of a long-lived worker pays.
            run_settings = on_db(attempt + ".db")
            runtime.prepare_store(run_settings)
            t0 = time.perf_counter()
            polled = poll.poll_feed(Feed("bench", f"{base}/feed.xml"), run_settings, now=now)
            articles = extract.extract_entries(list(polled.new_entries), run_settings)
            inputs = RunInputs(run_settings, (), profile, Policy(), ())
            outcomes, _alerts = decide.decide_articles(articles, inputs, now=now)
            timings.append(time.perf_counter() - t0)
        t_cold, t_direct = timings
        extracted = sum(1 for a in articles if a.extraction == "page")

        from newswatch.flows.ingest import ingest_flow

        ingest_flow(  # warm-up: starts the ephemeral Prefect API
            settings=on_db("warm.db")
        )
        t0 = time.perf_counter()
        summary = ingest_flow(settings=on_db("flow.db"))
        t_flow = time.perf_counter() - t0
    server.shutdown()

    print(f"pages: {len(pages)} real news pages from the extraction corpus, served on 127.0.0.1")
    print(
        f"  (pages extracted from HTML: {extracted}; decided: {len(outcomes)}; flow articles: {len(summary.articles)})"
    )
    rows = [
        ("trafilatura.extract alone", t_traf),
        ("newswatch stages, cold process (loads word lists)", t_cold),
        ("newswatch stages, warm (fetch+extract+match+dedup+store)", t_direct),
        ("newswatch ingest flow through Prefect", t_flow),
    ]
    for name, secs in rows:
        print(f"{name:55s} {len(pages) / secs:8.1f} articles/s  ({secs:.2f} s)")
    print(
        f"ratio warm stages / trafilatura alone: {t_traf / t_direct:.2f}x the speed ({t_direct / t_traf:.2f}x the time)"
    )
    print(
        f"ratio flow / trafilatura alone:   {t_traf / t_flow:.2f}x the speed ({t_flow / t_traf:.2f}x the time)"
    )


if __name__ == "__main__":
    main()
