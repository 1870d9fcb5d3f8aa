"""The store on real SQLite and real PostgreSQL: the same migrations, the same behaviour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from newswatch import dedup
from newswatch.adapters.store import Store
from newswatch.models import Alert, Article, DedupDecision, Entry, FeedState, Match, Reason
from tests.support.entries import make_entry

NOW = datetime(2022, 1, 6, 12, 0, tzinfo=UTC)
TEXT = (
    "Kazakhstan's President Kassym-Jomart Tokayev asked the Collective Security Treaty "
    "Organization for help after protests over fuel prices turned violent in Almaty. "
) * 3


def entry(n: int) -> Entry:
    return make_entry(n, published=NOW)


def article(n: int, text: str = TEXT) -> Article:
    return Article(
        article_id=f"e{n}",
        feed_name="wire",
        url=f"http://127.0.0.1/a/{n}",
        canonical_url=f"https://127.0.0.1/a/{n}",
        title=f"Story {n}",
        text=text,
        source="Wire",
        extraction="page",
        published=NOW,
        lang="en",
    )


REASON = Reason(
    "kazakhstan", "Kazakhstan", "entity", 1.0, 1.0, 3, True, "Kazakhstan", "...Kazakhstan..."
)
MATCH = Match(score=2.0, threshold=1.0, reasons=(REASON,), lang="en")


def alert_for(a: Article, story: str) -> Alert:
    return Alert(
        alert_id=f"a-{a.article_id}",
        article_id=a.article_id,
        story_id=story,
        title=a.title,
        url=a.url,
        source=a.source,
        published=a.published,
        score=2.0,
        threshold=1.0,
        reasons=(REASON,),
        snippet="...Kazakhstan...",
        created=NOW,
    )


@pytest.fixture
def store(db_url: str):
    s = Store.open(db_url)
    yield s
    s.close()


def test_migrations_are_idempotent(db_url: str) -> None:
    with Store.open(db_url) as s:
        s.migrate()
        assert s.count("articles") == 0


def test_feed_state_round_trip(store: Store) -> None:
    assert store.feed_state("http://x/feed") is None
    state = FeedState(
        "http://x/feed",
        etag='"abc"',
        last_modified="Wed, 05 Jan 2022 10:00:00 GMT",
        last_polled=NOW,
        last_success=NOW,
        consecutive_failures=0,
    )
    store.save_feed_state(state)
    store.save_feed_state(state)
    assert store.feed_state("http://x/feed") == state


def test_entries_are_claimed_once(store: Store) -> None:
    first = store.claim_entries([entry(1), entry(2)], now=NOW)
    again = store.claim_entries([entry(2), entry(3)], now=NOW)
    assert [e.entry_id for e in first] == ["e1", "e2"]
    assert [e.entry_id for e in again] == ["e3"]
    assert {e.entry_id for e in store.unfinished_entries()} == {"e1", "e2", "e3"}
    assert store.unfinished_entries()[0] == entry(1)


def test_claim_keeps_order_first_of_repeated_ids_and_spans_chunks(store: Store) -> None:
    """One batched INSERT per chunk: order kept, a repeated id claimed once (its first
    payload), and a claim over more entries than one chunk holds."""
    from dataclasses import replace

    repeat = replace(entry(2), title="the repeat")
    got = store.claim_entries([entry(3), entry(2), repeat, entry(1)], now=NOW)
    assert [e.entry_id for e in got] == ["e3", "e2", "e1"]
    assert got[1].title == "Story 2"
    stored = {e.entry_id: e for e in store.unfinished_entries()}
    assert stored["e2"].title == "Story 2"
    many = [entry(n) for n in range(1, 1201)]
    fresh = store.claim_entries(many, now=NOW)
    assert [e.entry_id for e in fresh] == [f"e{n}" for n in range(4, 1201)]
    assert store.count("entries") == 1200
    assert store.claim_entries([], now=NOW) == []


def test_feed_state_upsert_replaces_every_field(store: Store) -> None:
    first = FeedState("http://x/feed", etag='"a"', last_error="boom", consecutive_failures=2)
    store.save_feed_state(first)
    second = FeedState("http://x/feed", etag=None, last_polled=NOW, consecutive_failures=0)
    store.save_feed_state(second)
    assert store.feed_state("http://x/feed") == second


def test_article_alert_and_deliveries_commit_together(store: Store) -> None:
    store.claim_entries([entry(1)], now=NOW)
    a = article(1)
    fp = dedup.fingerprint(a.text, canonical_url=a.canonical_url, title=a.title, reasons=(REASON,))
    decision = DedupDecision(None, None, story_id="s-e1", new_story=True)
    store.record_article(
        a,
        fp,
        MATCH,
        decision,
        alert=alert_for(a, "s-e1"),
        targets=[("t1", "json://127.0.0.1/"), ("t2", "mailto://***")],
        now=NOW,
    )
    # recording the same article again (a retried batch) changes nothing
    store.record_article(
        a,
        fp,
        MATCH,
        decision,
        alert=alert_for(a, "s-e1"),
        targets=[("t1", "json://127.0.0.1/")],
        now=NOW,
    )
    assert store.unfinished_entries() == []
    assert store.count("alerts") == 1 and store.count("deliveries") == 2
    due = store.due_deliveries(now=NOW)
    assert {(al.alert_id, key) for al, key, _, _ in due} == {("a-e1", "t1"), ("a-e1", "t2")}
    assert due[0][0] == alert_for(a, "s-e1")


def test_delivery_retries_back_off_then_fail(store: Store) -> None:
    store.claim_entries([entry(1)], now=NOW)
    a = article(1)
    fp = dedup.fingerprint(a.text, canonical_url=a.canonical_url)
    store.record_article(
        a,
        fp,
        MATCH,
        DedupDecision(None, None, "s-e1", True),
        alert=alert_for(a, "s-e1"),
        targets=[("t1", "x"), ("t2", "y")],
        now=NOW,
    )
    assert (
        store.mark_delivery(
            "a-e1", "t1", ok=True, detail="", now=NOW, max_attempts=2, backoff_seconds=60
        )
        == "sent"
    )
    assert (
        store.mark_delivery(
            "a-e1", "t2", ok=False, detail="500", now=NOW, max_attempts=2, backoff_seconds=60
        )
        == "pending"
    )
    assert store.due_deliveries(now=NOW) == []  # backing off
    later = NOW + timedelta(seconds=61)
    assert [k for _, k, _, _ in store.due_deliveries(now=later)] == ["t2"]
    assert (
        store.mark_delivery(
            "a-e1", "t2", ok=False, detail="500", now=later, max_attempts=2, backoff_seconds=60
        )
        == "failed"
    )
    assert store.due_deliveries(now=later + timedelta(days=1)) == []
    assert store.delivery_counts() == {"sent": 1, "failed": 1}
    ((alert, states),) = store.recent_alerts()
    assert sorted(s["state"] for s in states) == ["failed", "sent"]


def test_dedup_index_finds_url_text_and_near_duplicates(store: Store) -> None:
    a = article(1)
    fp = dedup.fingerprint(a.text, canonical_url=a.canonical_url, title=a.title)
    store.claim_entries([entry(1)], now=NOW)
    store.record_article(
        a, fp, MATCH, DedupDecision(None, None, "s-e1", True), alert=None, targets=[], now=NOW
    )
    index = store.dedup_index(now=NOW, dedup_days=30, story_days=3)
    assert index.find_by_url("https://127.0.0.1/a/1") == "e1"
    assert index.find_by_text_hash(fp.text_hash) == "e1"
    copy = dedup.fingerprint(
        TEXT + " Subscribe to our newsletter.", canonical_url="https://other/x"
    )
    decision = dedup.decide("e2", copy, index)
    assert (decision.duplicate_of, decision.kind) == ("e1", "near")
    # outside the window nothing is found
    old = store.dedup_index(now=NOW + timedelta(days=31), dedup_days=30, story_days=3)
    assert old.find_by_url("https://127.0.0.1/a/1") is None
    assert list(old.near_candidates(copy.bands)) == []
    assert [s for s, _ in index.recent_stories()] == ["s-e1"]


def test_migrations_build_exactly_the_declared_schema(db_url: str) -> None:
    # Alembic's own comparison: after `upgrade head` nothing differs from schema.py.
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import inspect

    from newswatch.adapters.schema import metadata

    with Store.open(db_url) as store, store.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        diff = compare_metadata(context, metadata)
        head = context.get_current_revision()
        tables = set(inspect(conn).get_table_names())
    assert diff == []
    assert head == "0005"  # the newest migration ran: a new one must update schema.py too
    assert set(metadata.tables) <= tables and "article_topics" in tables


def test_leases_give_concurrent_runs_disjoint_entries(db_url: str) -> None:
    # Three runs lease at once, each through its own connection pool (as three workers do).
    import threading

    with Store.open(db_url) as store:
        store.claim_entries([entry(n) for n in range(60)], now=NOW)
    taken: dict[str, list[str]] = {}
    barrier = threading.Barrier(3)

    def lease(run: str) -> None:
        with Store.open(db_url, migrate=False) as own:
            barrier.wait()
            got = own.lease_entries(run, now=NOW, lease=timedelta(minutes=30), limit=25)
            taken[run] = [e.entry_id for e in got]

    threads = [threading.Thread(target=lease, args=(f"run{i}",)) for i in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    every = [eid for ids in taken.values() for eid in ids]
    assert len(every) == len(set(every)) == 60  # each entry went to exactly one run
    # a held entry is not leased again while the lease runs, and is once it ran out
    with Store.open(db_url, migrate=False) as store:
        assert store.lease_entries("late", now=NOW + timedelta(minutes=5), lease=timedelta(1)) == []
        again = store.lease_entries("late", now=NOW + timedelta(minutes=31), lease=timedelta(1))
        assert len(again) == 60


def test_a_decided_entry_is_never_leased_again(store: Store) -> None:
    store.claim_entries([entry(1), entry(2)], now=NOW)
    assert len(store.lease_entries("r1", now=NOW, lease=timedelta(minutes=1))) == 2
    a = article(1)
    fp = dedup.fingerprint(a.text, canonical_url=a.canonical_url, title=a.title)
    store.record_article(
        a, fp, MATCH, DedupDecision(None, None, "s-e1", True), alert=None, targets=[], now=NOW
    )
    later = store.lease_entries("r2", now=NOW + timedelta(hours=1), lease=timedelta(minutes=1))
    assert [e.entry_id for e in later] == ["e2"]


def _hold_decision_lock(db_url: str, held: Any, release: Any) -> None:
    with Store.open(db_url, migrate=False) as store, store.decision_lock():
        held.set()
        release.wait(60)


def test_the_decision_lock_holds_across_processes(db_url: str) -> None:
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    held, release = ctx.Event(), ctx.Event()
    with Store.open(db_url):
        pass
    holder = ctx.Process(target=_hold_decision_lock, args=(db_url, held, release))
    holder.start()
    try:
        assert held.wait(60)
        order: list[str] = []
        import threading

        def take() -> None:
            with Store.open(db_url, migrate=False) as store, store.decision_lock():
                order.append("taken")

        waiter = threading.Thread(target=take)
        waiter.start()
        waiter.join(1.0)  # not a timing assertion: the lock must still be unavailable
        assert order == [] and waiter.is_alive()
        order.append("released")
        release.set()
        waiter.join(60)
        assert order == ["released", "taken"]
    finally:
        release.set()
        holder.join(60)


def test_prune_drops_old_articles_and_keeps_stories_and_alerts(store: Store) -> None:
    old, new = NOW - timedelta(days=200), NOW
    for n, when in ((1, old), (2, new)):
        store.claim_entries([entry(n)], now=when)
        a = article(n, text=TEXT + f" item {n}")
        fp = dedup.fingerprint(a.text, canonical_url=a.canonical_url, title=a.title)
        decision = DedupDecision(None, None, f"s-e{n}", True)
        store.record_article(
            a, fp, MATCH, decision, alert=alert_for(a, f"s-e{n}"), targets=[("t1", "x")], now=when
        )
    assert store.prune(before=NOW - timedelta(days=180)) == 1
    assert store.count("articles") == 1 and store.count("article_bands") > 0
    assert store.count("stories") == 2 and store.count("alerts") == 2
    # the pruned item's entry id is kept: the feed listing it again does not make it new
    assert store.claim_entries([entry(1)], now=NOW) == []
    index = store.dedup_index(now=NOW, dedup_days=400, story_days=400)
    assert index.find_by_url("https://127.0.0.1/a/1") is None
    assert index.find_by_url("https://127.0.0.1/a/2") == "e2"


def test_upgrading_an_older_store_keeps_its_data(db_url: str) -> None:
    # A store made by an earlier release (schema 0001) with rows in it, then opened by this one.
    from importlib import resources

    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, insert, text

    from newswatch.adapters import schema as t

    engine = create_engine(db_url)
    cfg = Config()
    cfg.set_main_option(
        "script_location", str(resources.files("newswatch.adapters") / "migrations")
    )
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(insert(t.article_bands), [{"band": b, "article_id": "old"} for b in (1, 2)])
        # an alerted article of a one-topic install: after 0005 it is the topic `default`'s
        article = dict(
            feed_name="f",
            url="u",
            canonical_url="u",
            title="Old",
            source="s",
            lang="en",
            extraction="page",
            text="old text",
            text_hash="h",
            minhash=b"",
            shingles=0,
            score=2.0,
            is_match=True,
            reasons="[]",
            story_id="s-old",
            created=NOW,
        )
        conn.execute(insert(t.articles).values(article_id="old", **article))
        conn.execute(
            text(
                "INSERT INTO stories (story_id, first_article_id, title, terms, article_count, "
                "created, updated) VALUES ('s-old', 'old', 'Old', '[]', 1, :now, :now)"
            ),
            {"now": NOW},
        )
        conn.execute(
            text(
                "INSERT INTO alerts (alert_id, article_id, story_id, payload, created) "
                "VALUES ('a-old', 'old', 's-old', '{}', :now)"
            ),
            {"now": NOW},
        )
        conn.execute(
            t.entries.insert().values(
                entry_id="e-old",
                feed_url="u",
                state="new",
                payload=entry_to_json_for_test(),
                first_seen=NOW,
            )
        )
    engine.dispose()
    with Store.open(db_url) as store:
        assert store.count("article_bands") == 2
        leased = store.lease_entries("r", now=NOW, lease=timedelta(minutes=1))
        assert [e.entry_id for e in leased] == ["e1"]
        assert store.robots_get("127.0.0.1") is None  # 0004's table arrived empty
        assert store.story_in_topic("old", "default") == "s-old"  # 0005 kept the match
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT topic FROM alerts")).scalars().all() == ["default"]
            assert conn.execute(text("SELECT topic FROM stories")).scalars().all() == ["default"]


def entry_to_json_for_test() -> str:
    from newswatch.adapters.store import entry_to_json

    return entry_to_json(entry(1))


def test_the_store_decides_as_backtests_memory_index_on_real_articles(db_url: str) -> None:
    # `backtest` (MemoryIndex) is how users tune and how quality is measured: a real run
    # (StoreIndex + record_article) must decide the same on the same articles in the same order.
    import json as _json
    from pathlib import Path

    from newswatch.urls import canonical_url

    corpus = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "relevance"
    rows = [_json.loads(line) for line in (corpus / "dev.jsonl").read_text().splitlines()]
    memory = dedup.MemoryIndex()
    store_decisions, memory_decisions = [], []
    with Store.open(db_url) as store:
        for n, row in enumerate(rows):
            on_topic = row["label"] == "positive"
            a = article(n, text=row["text"])
            a = Article(**{**a.__dict__, "title": row["title"], "url": row.get("url")})
            fp = dedup.fingerprint(
                a.text,
                canonical_url=canonical_url(row["url"]) if row.get("url") else None,
                title=a.title,
                lang=row.get("lang"),
            )
            mem = dedup.decide(a.article_id, fp, memory)
            memory.add(a.article_id, fp, mem, on_topic=on_topic)
            store.claim_entries([entry(n)], now=NOW)
            with store.dedup_index(now=NOW, dedup_days=30, story_days=3) as index:
                got = dedup.decide(a.article_id, fp, index)
            match = Match(score=1.0 if on_topic else 0.0, threshold=0.5)
            store.record_article(a, fp, match, got, alert=None, targets=[], now=NOW)
            store_decisions.append((got.duplicate_of, got.kind, got.story_id))
            memory_decisions.append((mem.duplicate_of, mem.kind, mem.story_id))
    assert store_decisions == memory_decisions
    assert sum(1 for d in store_decisions if d[0]) >= 1  # the corpus has duplicates
    assert len({d[2] for d in store_decisions if not d[0]}) < len(rows)  # and shared stories


def test_runs_starting_together_on_a_new_database_migrate_it_once(db_url: str) -> None:
    # Several workers' first runs at the same moment: each opens (and migrates) the store.
    import threading

    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def start() -> None:
        barrier.wait()
        try:
            Store.open(db_url).close()
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    with Store.open(db_url) as store:
        assert store.count("entries") == 0


def test_robots_are_kept_per_host_and_replaced(db_url: str) -> None:
    with Store.open(db_url) as store:
        assert store.robots_get("news.example") is None
        store.robots_put("news.example", "User-agent: *\nDisallow: /print/\n", 1764547200.25)
        store.robots_put("open.example", None, 1764547201.0)  # no robots.txt: allow all
        assert store.robots_get("news.example") == (
            "User-agent: *\nDisallow: /print/\n",
            1764547200.25,
        )
        assert store.robots_get("open.example") == (None, 1764547201.0)
        store.robots_put("news.example", None, 1764550800.5)
        assert store.robots_get("news.example") == (None, 1764550800.5)
    # another process (another store over the same database) reads the same answer
    with Store.open(db_url, migrate=False) as other:
        assert other.robots_get("news.example") == (None, 1764550800.5)
        assert other.count("robots") == 2
