"""Two topics in one install, end to end: two real dev topics learned from their seed
folders by `newswatch learn`, one real ingest run through Prefect over local feeds, and
each topic's alerts delivered to its own webhook receiver only, named by topic."""

from __future__ import annotations

import html
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from newswatch.adapters.store import Store
from newswatch.cli import app
from newswatch.pipeline.settings import load_settings
from newswatch.report import summary_to_dict
from tests.support.httpserver import LocalHTTPServer
from tests.support.webhook import WebhookReceiver

REPO = Path(__file__).resolve().parents[2]
TOPICS = REPO.parent / "shared" / "corpus" / "topics"
PAIR = {"energy": "nord-stream-2022", "banks": "svb-collapse-2023"}  # tag -> topic

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not TOPICS.is_dir(), reason="needs ../shared/corpus/topics"),
]


def _positives(topic: str, n: int, config: Path) -> list[dict[str, Any]]:
    """The first `n` positives of a topic that its learned profile matches and the other
    topic's does not (this test is about routing, the quality gates about recall)."""
    from newswatch.matching import Matcher
    from newswatch.pipeline.profiles import load_profile_file

    mine = Matcher(load_profile_file(config / "profiles" / f"{topic}.yaml"))
    others = [
        Matcher(load_profile_file(config / "profiles" / f"{t}.yaml"))
        for t in PAIR.values()
        if t != topic
    ]
    rows = [
        json.loads(line)
        for line in (TOPICS / topic / "labelled.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    chosen = [
        r
        for r in rows
        if r["label"] == "positive"
        and len(r["text"]) > 150
        and mine.score(r["title"], r["text"], lang=r["lang"]).is_match
        and not any(m.score(r["title"], r["text"], lang=r["lang"]).is_match for m in others)
    ]
    assert len(chosen) >= n
    return chosen[:n]


def _page(row: dict[str, Any]) -> bytes:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in row["text"].split("\n") if p.strip())
    return (
        f"<html><head><meta charset='utf-8'><title>{html.escape(row['title'])}</title></head>"
        f"<body><article><h1>{html.escape(row['title'])}</h1>{body}</article></body></html>"
    ).encode()


def _feed(base: str, rows: list[tuple[str, dict[str, Any]]]) -> bytes:
    items = "".join(
        f"<item><title>{html.escape(r['title'])}</title><link>{base}{path}</link>"
        f"<guid>{base}{path}</guid><description>{html.escape(r['text'])}</description></item>"
        for path, r in rows
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>mixed</title>"
        f"<link>{base}/</link><description>two topics</description>{items}</channel></rss>"
    ).encode()


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working folder with seeds/<topic>/ for both topics (copied at test time)."""
    for topic in PAIR.values():
        shutil.copytree(TOPICS / topic / "seeds", tmp_path / "seeds" / topic)
    (tmp_path / "config").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSWATCH_DATA_DIR", str(tmp_path / "data"))
    (tmp_path / "data").mkdir()
    yield tmp_path


def test_two_topics_alert_to_their_own_targets_only(install: Path) -> None:
    from newswatch.flows.ingest import ingest_flow

    runner = CliRunner()
    learned = runner.invoke(app, ["learn"])
    assert learned.exit_code == 0, learned.output
    for topic in PAIR.values():
        assert (install / "config" / "profiles" / f"{topic}.yaml").is_file()
        assert topic in learned.output

    config = install / "config"
    rows = [
        (f"/{tag}/{i}", r)
        for tag, topic in PAIR.items()
        for i, r in enumerate(_positives(topic, 3, config))
    ]
    with (
        LocalHTTPServer() as server,
        WebhookReceiver() as energy,
        WebhookReceiver() as banks,
    ):
        base = server.url("").rstrip("/")
        for path, row in rows:
            server.add(path, _page(row), headers={"Content-Type": "text/html; charset=utf-8"})
        server.add("/feed.xml", _feed(base, rows), headers={"Content-Type": "application/rss+xml"})
        (config / "feeds.yaml").write_text(
            yaml.safe_dump({"feeds": [{"name": "mixed", "url": base + "/feed.xml"}]})
        )
        (config / "notify.yaml").write_text(
            yaml.safe_dump(
                {
                    "urls": [
                        {energy.apprise_url: [{"tag": "energy"}]},
                        {banks.apprise_url: [{"tag": "banks"}]},
                    ]
                }
            )
        )
        (config / "alerts.yaml").write_text(
            yaml.safe_dump({"routes": {topic: [tag] for tag, topic in PAIR.items()}})
        )
        settings = load_settings(config_dir=config, db_url=f"sqlite:///{install / 'nw.db'}")
        summary = summary_to_dict(ingest_flow(settings=settings))

    alerts = summary["alerts"]
    by_topic = summary["counts"]["alerts_by_topic"]
    assert set(by_topic) == set(PAIR.values()), summary["articles"]
    # each article alerted in its own topic only (the pages are each topic's positives)
    for alert in alerts:
        tag = next(t for t, topic in PAIR.items() if topic == alert["topic"])
        assert any(alert["title"] == r["title"] for p, r in rows if p.startswith(f"/{tag}/"))
    for receiver, tag in ((energy, "energy"), (banks, "banks")):
        mine, other = PAIR[tag], next(t for k, t in PAIR.items() if k != tag)
        assert receiver.accepted, f"{tag} target got nothing"
        text = json.dumps(receiver.accepted, ensure_ascii=False)
        assert mine in text and other not in text
        titles = [a["title"] for a in alerts if a["topic"] == mine]
        assert all(t.split()[0] in text for t in titles)
    # each alert delivered once, to its topic's target: one message per target this run
    assert summary["counts"]["alerts_sent"] == len(alerts)
    assert len(energy.accepted) == len(banks.accepted) == 1

    with Store.open(f"sqlite:///{install / 'nw.db'}") as store:
        listed = store.recent_alerts(limit=50)
        assert {a.topic for a, _ in listed} == set(PAIR.values())
        assert all(len(d) == 1 for _, d in listed)  # one target each: its topic's

        activity = store.topic_activity(since=listed[-1][0].created)
    assert {topic: n for topic, (n, _) in activity.items()} == by_topic
    shown = runner.invoke(app, ["topics", "--db", f"sqlite:///{install / 'nw.db'}"])
    assert shown.exit_code == 0, shown.output
