"""End to end through real Prefect: local feeds and pages, real store, real Apprise delivery."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from rich.console import Console

from newswatch.adapters.store import Store
from newswatch.pipeline.settings import load_settings
from newswatch.report import summary_to_dict
from tests.support.httpserver import LocalHTTPServer
from tests.support.webhook import WebhookReceiver

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def test_demo_runs_green_and_alerts_each_story_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from newswatch.cli.demo import run_demo

    monkeypatch.chdir(REPO)
    console = Console(record=True, width=200)
    code = run_demo(console, now=datetime.now(UTC))
    text = console.export_text()
    assert code == 0, text
    assert "demo OK" in text
    assert "ALERT" in text and "duplicate" in text
    # the re-posted story alerted once, with the outlet that re-posted it listed
    assert text.count("ALERT [kazakhstan-2022] Kazakh President Tokayev asks CSTO") == 1
    # two topics, each delivered to its own receiver only
    assert "ALERT [port-strike] Varden dock strike ends" in text
    assert "(asia-desk) got 1 message" in text and "(logistics-desk) got 1 message" in text
    assert "also reported by: Regional Aggregator" in text
    assert "near copy of 'Kazakh President Tokayev asks CSTO" in text


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(status=500) as receiver:
        yield receiver


def test_failed_delivery_stays_pending_and_goes_out_on_the_next_run(
    tmp_path: Path, hook: WebhookReceiver
) -> None:
    from newswatch.cli.demo import feed_xml, load_items, page_html
    from newswatch.flows.ingest import ingest_flow

    feeds_spec, items = load_items(REPO / "seeds")
    with LocalHTTPServer() as server:
        base = server.url("").rstrip("/")
        for item in items:
            if item.serve_page:
                server.add(
                    item.path.split("?")[0],
                    page_html(item, base).encode(),
                    headers={"Content-Type": "text/html; charset=utf-8"},
                )
        feed = feeds_spec[0]
        server.add(
            feed["path"],
            feed_xml(feed, items, base).encode(),
            headers={"Content-Type": "application/rss+xml"},
            etag='"feed-v1"',
        )
        (tmp_path / "feeds.yaml").write_text(
            yaml.safe_dump(
                {
                    "feeds": [
                        {"name": feed["name"], "url": base + feed["path"]},
                        {"name": "broken", "url": base + "/missing.xml"},
                    ]
                }
            )
        )
        (tmp_path / "notify.yaml").write_text(yaml.safe_dump({"urls": [hook.apprise_url]}))
        db_url = f"sqlite:///{tmp_path / 'store.db'}"
        settings = load_settings(
            feeds_file=tmp_path / "feeds.yaml",
            notify_file=tmp_path / "notify.yaml",
            profile_file=tmp_path / "profile.yaml",
            db_url=db_url,
            seeds_dir=REPO / "seeds",
            retry_backoff_seconds=0,
        )

        def run() -> dict[str, Any]:
            return summary_to_dict(ingest_flow(settings=settings))

        first = run()
        assert first["counts"]["feeds_failed"] == 1
        assert first["counts"]["alerts"] >= 2
        assert first["counts"]["alerts_sent"] == 0
        assert first["counts"]["pending_alerts"] == first["counts"]["alerts"]
        assert hook.accepted == []

        hook.status = 200
        second = run()
        assert second["counts"]["new_entries"] == 0 and second["counts"]["alerts"] == 0
        assert second["counts"]["alerts_sent"] == first["counts"]["alerts"]
        assert second["counts"]["pending_alerts"] == 0
        assert len(hook.accepted) == 1  # one message holding every alert of the run
        message = hook.accepted[0]
        for alert in first["alerts"]:
            assert alert["title"] in message["message"]

        third = run()
        assert third["counts"]["alerts_sent"] == 0
        assert len(hook.accepted) == 1

    with Store.open(db_url) as store:
        assert store.delivery_counts() == {"sent": first["counts"]["alerts"]}
        assert store.count("runs") == 3

    # what the Prefect UI shows: each run's summary (markdown) and alerts (table)
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    def artifacts(key: str) -> list[Any]:
        return client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key]))
        )

    with get_client(sync_client=True) as client:
        summaries = artifacts("ingest-summary")
        tables = artifacts("ingest-alerts")
        runs = client.read_flow_runs()
    # the store URL is a secret: the flow run's parameters hold it masked, never in clear
    shown = [r.parameters for r in runs if r.parameters.get("settings")]
    assert shown and all(p["settings"]["db_url"] == "**********" for p in shown)
    assert not any(str(tmp_path / "store.db") in str(r.parameters) for r in runs)
    assert summaries, "no summary artifact"
    assert any(
        "Feeds that failed" in str(a.data) and "missing.xml" in str(a.data) for a in summaries
    )
    assert any(first["alerts"][0]["title"] in str(a.data) for a in tables)
