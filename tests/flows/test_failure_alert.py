"""When a run fails, the configured targets hear about it (the `serve` path has no
Prefect automation: the flow's own on_failure/on_crashed hook sends it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from newswatch.pipeline.settings import load_settings
from tests.support.webhook import WebhookReceiver

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def test_a_failed_ingest_run_notifies_every_target(tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client

    from newswatch.flows.ingest import ingest_flow

    hook = WebhookReceiver().start()
    (tmp_path / "notify.yaml").write_text(yaml.safe_dump({"urls": [hook.apprise_url]}))
    (tmp_path / "feeds.yaml").write_text("feeds:\n  - name: a\n    url: gopher://nope\n")
    settings = load_settings(
        feeds_file=tmp_path / "feeds.yaml",
        notify_file=tmp_path / "notify.yaml",
        profile_file=REPO / "config" / "profile.yaml",
        db_url=f"sqlite:///{tmp_path / 'store.db'}",
    )
    try:
        state = ingest_flow(settings=settings, return_state=True)
    finally:
        hook.stop()
    assert state.is_failed()
    (message,) = hook.received
    assert message["title"].startswith("newswatch: ingest run '")
    assert "failed" in message["title"]
    assert "feed url must be an http(s) URL" in message["message"]
    assert str(tmp_path / "store.db") not in json.dumps(message)

    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
    assert run.name.startswith("ingest ")  # `ingest 2026-11-30 14:15`
    assert run.flow_version


def test_notify_targets_can_come_from_a_prefect_secret_block(site: Path) -> None:
    # NEWSWATCH_NOTIFY_SECRET: the Apprise YAML (tokens and all) lives in Prefect's
    # secret store, not in a file; the run reads it from there and alerts as usual.
    from prefect.blocks.system import Secret

    from newswatch.flows.ingest import ingest_flow

    with WebhookReceiver() as hook:
        Secret(value=yaml.safe_dump({"urls": [hook.apprise_url]})).save(
            "newswatch-notify-test", overwrite=True
        )
        settings = load_settings(
            feeds_file=site / "feeds.yaml",
            profile_file=REPO / "config" / "profile.yaml",
            db_url=f"sqlite:///{site / 'store.db'}",
            notify_secret="newswatch-notify-test",
        )
        summary = ingest_flow(settings=settings)
    assert len(summary.alerts) >= 4
    assert summary.alerts_sent == len(summary.alerts)
    assert len(hook.received) == 1  # one message holding every alert of the run
