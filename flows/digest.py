"""The digest flow: per target, one message with the stories that waited for it.

Alerts below a target's `instant_min_score`, and those over its hourly cap, wait in the
store for this flow (see `newswatch.policy`). It runs on its own schedule
(NEWSWATCH_DIGEST_CRON, default 08:00 daily) and publishes what it sent as an artifact.
"""

from __future__ import annotations

from datetime import UTC, datetime

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from newswatch.flows.hooks import watched
from newswatch.flows.secrets import read_secret
from newswatch.models import DeliveryOutcome
from newswatch.pipeline import config, deliver, runtime
from newswatch.pipeline.settings import Settings, load_settings


@task(name="send-digest", cache_policy=NO_CACHE)
def send_digest(settings: Settings, now: datetime) -> list[DeliveryOutcome]:
    notifier = config.load_notifier(settings, read_secret=read_secret)
    policy = config.load_policy(settings.resolved_alerts_file())
    runtime.prepare_store(settings)
    return deliver.send_digest(settings, notifier, now=now, policy=policy, run_url=flow_run.ui_url)


@flow(name="digest", **watched())
def digest_flow(settings: Settings | None = None) -> list[DeliveryOutcome]:
    """Send every waiting alert as one digest message per target, grouped by story."""
    settings = settings or load_settings()
    now = datetime.now(UTC)
    sent = send_digest(settings, now)
    targets = sorted({d.target for d in sent})
    ok = sum(1 for d in sent if d.ok)
    lines = ["# newswatch digest", "", f"{ok} of {len(sent)} deliveries sent."]
    for target in targets:
        mine = [d for d in sent if d.target == target]
        state = "sent" if all(d.ok for d in mine) else f"FAILED: {mine[0].detail}"
        lines.append(f"- {target}: {len(mine)} stories, {state}")
    create_markdown_artifact(key="digest-summary", markdown="\n".join(lines))
    get_run_logger().info("digest: %d of %d deliveries sent", ok, len(sent))
    return sent


if __name__ == "__main__":
    digest_flow()
