"""Dedup decision speed against a store of earlier articles, and the index's size.

Fills a SQLite store with N earlier articles (default 100,000; their fingerprints are
made from synthetic texts, with a share of them re-posted later), then times the dedup
decision (URL, exact hash, LSH near-duplicate lookup, story check) for 1,000 new
articles against it, and the same against the in-memory index. Prints decisions/s, the
mean decision time and the store's size. Usage:
    .venv/bin/python bench/bench_dedup.py [N]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from sqlalchemy import insert  # noqa: E402

from newswatch import dedup  # noqa: E402
from newswatch.adapters import schema as t  # noqa: E402
from newswatch.adapters.store import Store, _pack  # noqa: E402

WORDS = [f"w{i}" for i in range(20_000)]
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def text(rng: random.Random, n: int = 250) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rng = random.Random(7)
    print(f"making {n} fingerprints ...", flush=True)
    t0 = time.perf_counter()
    texts = [text(rng) for _ in range(n)]
    prints = [dedup.fingerprint(x, canonical_url=f"https://site/{i}") for i, x in enumerate(texts)]
    print(
        f"  {n / (time.perf_counter() - t0):.0f} fingerprints/s (MinHash, {dedup.NUM_PERM} permutations)"
    )

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        store = Store.open(f"sqlite:///{path}")
        with store.engine.begin() as conn:
            conn.execute(
                insert(t.articles),
                [
                    dict(
                        article_id=f"a{i}",
                        feed_name="f",
                        url=f"https://site/{i}",
                        canonical_url=fp.canonical_url,
                        title="t",
                        source="s",
                        extraction="page",
                        text="",
                        text_hash=fp.text_hash,
                        minhash=_pack(fp.minhash),
                        shingles=fp.shingles,
                        score=0.0,
                        is_match=False,
                        reasons="[]",
                        created=NOW,
                    )
                    for i, fp in enumerate(prints)
                ],
            )
            conn.execute(
                insert(t.article_bands),
                [
                    {"band": b, "article_id": f"a{i}"}
                    for i, fp in enumerate(prints)
                    for b in fp.bands
                ],
            )
        size_mb = (
            path.stat().st_size / 1e6
            + sum(p.stat().st_size for p in Path(tmp).glob("bench.db-*")) / 1e6
        )

        # 1,000 new articles: 10% syndicated copies of stored ones, the rest new
        new = []
        for k in range(1000):
            if k % 10 == 0:
                src = rng.randrange(n)
                new.append(texts[src] + " subscribe to our newsletter")
            else:
                new.append(text(rng))
        new_prints = [
            dedup.fingerprint(x, canonical_url=f"https://other/{k}") for k, x in enumerate(new)
        ]

        index = store.dedup_index(now=NOW, dedup_days=30, story_days=3)
        t0 = time.perf_counter()
        dups = sum(dedup.decide(f"n{k}", fp, index).is_duplicate for k, fp in enumerate(new_prints))
        store_secs = time.perf_counter() - t0
        index.close()

        tracemalloc.start()
        memory = dedup.MemoryIndex()
        for i, fp in enumerate(prints):
            memory.add(f"a{i}", fp, dedup.DedupDecision(None, None, f"s{i}", True), on_topic=False)
        mem_bytes = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        t0 = time.perf_counter()
        mdups = sum(
            dedup.decide(f"n{k}", fp, memory).is_duplicate for k, fp in enumerate(new_prints)
        )
        mem_secs = time.perf_counter() - t0
        store.close()

    print(f"store of {n} articles (SQLite, with LSH bands): {size_mb:.1f} MB")
    print(
        f"decision against the SQLite store: {1000 / store_secs:8.0f} decisions/s, {store_secs:.3f} ms mean; duplicates found {dups}/100"
    )
    print(
        f"decision against the memory index: {1000 / mem_secs:8.0f} decisions/s, {mem_secs:.3f} ms mean; duplicates found {mdups}/100"
    )
    print(f"memory index size: {mem_bytes / 1e6:.0f} MB for {n} articles")
    print(f"ratio store / memory time: {store_secs / mem_secs:.1f}x")


if __name__ == "__main__":
    main()
