"""The 1,000-feed poll of bench_feeds.py, side by side with a peer: rss2email (Debian's
`rss2email` package, `r2e run --no-send`) on the same feeds from the same local server.

Both fetch with conditional GETs and parse every changed feed; rss2email polls one feed
after another in one process and sends nothing here (--no-send); newswatch polls on a
thread pool and also claims new entries in its SQLite store. Skipped (with a message) when
`r2e` is not installed: `apt-get install rss2email`. Usage:
    .venv/bin/python bench/bench_feeds_peer.py [N]
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE)]

from bench_feeds import _serve  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    r2e = shutil.which("r2e")
    if r2e is None:
        print("rss2email (r2e) is not installed: apt-get install rss2email; skipped")
        return
    ctx = multiprocessing.get_context("spawn")
    ports: multiprocessing.Queue[int] = ctx.Queue()
    changed = ctx.Event()
    server = ctx.Process(target=_serve, args=(ports, changed, n), daemon=True)
    server.start()
    port = ports.get(timeout=60)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "XDG_CONFIG_HOME": f"{tmp}/cfg", "XDG_DATA_HOME": f"{tmp}/data"}
        subprocess.run([r2e, "new", "bench@example.org"], env=env, check=True, capture_output=True)
        cfg = Path(tmp) / "cfg" / "rss2email.cfg"
        cfg.write_text(
            cfg.read_text()
            + "".join(f"\n[feed.f{k}]\nurl = http://127.0.0.1:{port}/f{k}.xml\n" for k in range(n))
        )
        data = Path(tmp) / "data" / "rss2email.json"
        data.write_text(
            json.dumps(
                {
                    "version": 2,
                    "feeds": [
                        {"name": f"f{k}", "etag": None, "modified": None, "seen": {}}
                        for k in range(n)
                    ],
                }
            )
        )

        def cycle(label: str) -> None:
            started = time.perf_counter()
            done = subprocess.run(
                [r2e, "run", "--no-send"], env=env, capture_output=True, text=True, timeout=3600
            )
            secs = time.perf_counter() - started
            state = "ok" if done.returncode == 0 else f"exit {done.returncode}"
            print(f"rss2email {label:<22} {secs:6.1f} s  {n / secs:7.0f} requests/s  ({state})")

        print(f"{n} feeds on 127.0.0.1, rss2email {_version(r2e)}, one feed after another")
        cycle("1. first poll")
        cycle("2. all unchanged (304)")
        changed.set()
        cycle("3. 10% changed")
    server.terminate()
    print("compare with bench_feeds.py's lines for newswatch on the same machine")


def _version(r2e: str) -> str:
    out = subprocess.run([r2e, "--version"], capture_output=True, text=True)
    return (out.stdout or out.stderr).strip().split()[-1]


if __name__ == "__main__":
    main()
