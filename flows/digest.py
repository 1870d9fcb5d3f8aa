"""The digest flow: per target, one message with the stories that waited for it.

Alerts below a target's `instant_min_score`, and those over its hourly cap, wait in the
store for this flow (see `newswatch.policy`). It runs on its own schedule
(NEWSWATCH_DIGEST_CRON, default 08:00 daily) and publishes what it sent as an artifact.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from newswatch import ingest
from newswatch.settings import load_settings


@task(name="send-digest", cache_policy=NO_CACHE)
def send_digest(
    notify_file: str | None, alerts_file: str | None, db_url: str | None, now: datetime
) -> list[dict[str, Any]]:
    settings = load_settings(notify_file=notify_file, alerts_file=alerts_file, db_url=db_url)
    ingest.prepare_store(settings)
    outcomes = ingest.send_digest(
        settings,
        ingest.load_notifier(settings),
        now=now,
        policy=ingest.load_alert_policy(settings),
    )
    return [
        {"target": o.target, "alert_id": o.alert_id, "ok": o.ok, "detail": o.detail}
        for o in outcomes
    ]


@flow(name="digest")
def digest_flow(
    notify_file: str | None = None, alerts_file: str | None = None, db_url: str | None = None
) -> dict[str, Any]:
    """Send every waiting alert as one digest message per target, grouped by story."""
    now = datetime.now(UTC)
    sent = send_digest(notify_file, alerts_file, db_url, now)
    targets = sorted({d["target"] for d in sent})
    ok = sum(1 for d in sent if d["ok"])
    lines = ["# newswatch digest", "", f"{ok} of {len(sent)} deliveries sent."]
    for target in targets:
        mine = [d for d in sent if d["target"] == target]
        state = "sent" if all(d["ok"] for d in mine) else f"FAILED: {mine[0]['detail']}"
        lines.append(f"- {target}: {len(mine)} stories, {state}")
    create_markdown_artifact(key="digest-summary", markdown="\n".join(lines))
    get_run_logger().info("digest: %d of %d deliveries sent", ok, len(sent))
    return {"deliveries": sent, "sent": ok, "failed": len(sent) - ok}


if __name__ == "__main__":
    digest_flow()
