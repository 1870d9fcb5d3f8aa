"""The ingest flow: feeds -> entries -> articles -> match/dedup/story -> alerts -> delivery.

Reads like a table of contents: every task calls one function of `newswatch.ingest`.
Tasks run per feed and per batch of articles (a task run costs ~5 ms and server load).
Side-effecting tasks use NO_CACHE; only transient errors are retried.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, cast

from prefect import flow, get_run_logger, task, unmapped
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from newswatch import ingest
from newswatch.errors import TransientError
from newswatch.models import (
    Alert,
    Article,
    ArticleOutcome,
    DeliveryOutcome,
    Entry,
    Feed,
    RunSummary,
)
from newswatch.report import alerts_table, summary_markdown, summary_to_dict
from newswatch.settings import Settings, load_feeds, load_settings


def _is_transient(task: Any, task_run: Any, state: Any) -> bool:
    try:
        state.result()
    except TransientError:
        return True
    except Exception:  # noqa: BLE001 - anything else is not worth retrying
        return False
    return False


@task(name="poll-feed", cache_policy=NO_CACHE, task_run_name="poll {feed.name}")
def poll_feed(feed: Feed, settings: Settings, now: datetime) -> ingest.PollResult:
    return ingest.poll_feed(feed, settings, now=now)


@task(name="extract-batch", cache_policy=NO_CACHE, retries=1, retry_condition_fn=_is_transient)
def extract_batch(entries: list[Entry], settings: Settings) -> list[Article]:
    return ingest.extract_entries(entries, settings)


@task(name="decide-articles", cache_policy=NO_CACHE, retries=2, retry_condition_fn=_is_transient)
def decide_articles(articles: list[Article], settings: Settings, now: datetime) -> Any:
    profile = ingest.ensure_profile(settings)
    notifier = ingest.load_notifier(settings)
    targets = notifier.targets() if notifier else []
    policy = ingest.load_alert_policy(settings)
    return ingest.decide_articles(articles, profile, settings, targets, now=now, policy=policy)


@task(name="deliver-alerts", cache_policy=NO_CACHE)
def deliver_alerts(settings: Settings, now: datetime) -> Any:
    return ingest.deliver_alerts(
        settings, ingest.load_notifier(settings), now=now, policy=ingest.load_alert_policy(settings)
    )


@flow(name="ingest", log_prints=True)
def ingest_flow(
    feeds_file: str | None = None,
    notify_file: str | None = None,
    profile_file: str | None = None,
    db_url: str | None = None,
    alerts_file: str | None = None,
    force: bool = False,
) -> dict[str, Any]:
    """One ingest run over the feeds that are due (all of them with `force`); returns the
    run summary as JSON data."""
    settings = load_settings(
        feeds_file=feeds_file,
        notify_file=notify_file,
        profile_file=profile_file,
        db_url=db_url,
        alerts_file=alerts_file,
    )
    return run_ingest(settings, force=force)


def run_ingest(settings: Settings, *, force: bool = False) -> dict[str, Any]:
    """The body of the ingest flow (also called by `newswatch run` inside the flow)."""
    logger = get_run_logger()
    now = datetime.now(UTC)
    summary = RunSummary(started=now)
    feeds = load_feeds(settings.resolved_feeds_file())
    ingest.ensure_profile(settings)
    ingest.prepare_store(settings)
    if not force:
        due = ingest.due_feeds(feeds, settings, now=now)
        summary.feeds_not_due = len(feeds) - len(due)
        feeds = due

    polls = poll_feed.map(feeds, settings=unmapped(settings), now=unmapped(now)).result()
    summary.feeds = [p.report for p in polls]
    for report in summary.feeds:
        if report.status == "error":
            logger.warning("feed %s failed: %s", report.feed_name, report.error)

    run_id = str(flow_run.id or uuid.uuid4())
    entries = ingest.pending_entries(settings, run_id=run_id, now=now)
    size = settings.article_batch_size
    batches = [entries[i : i + size] for i in range(0, len(entries), size)]
    articles = [
        a
        for batch in extract_batch.map(batches, settings=unmapped(settings)).result()
        for a in batch
    ]

    outcomes, alerts = cast(
        tuple[list[ArticleOutcome], list[Alert]], decide_articles(articles, settings, now)
    )
    summary.articles, summary.alerts = outcomes, alerts
    summary.deliveries = cast(list[DeliveryOutcome], deliver_alerts(settings, now))
    summary.pending_alerts = ingest.pending_delivery_count(settings)
    summary.pruned_articles = ingest.prune(settings, now=now)
    summary.finished = datetime.now(UTC)

    create_markdown_artifact(
        key="ingest-summary",
        markdown=summary_markdown(summary),
        description="newswatch run summary",
    )
    create_table_artifact(
        key="ingest-alerts",
        table=alerts_table(summary) or [{"title": "(no alerts this run)"}],
        description="alerts of this run",
    )
    data = summary_to_dict(summary)
    ingest.save_run(settings, summary, data)
    c = data["counts"]
    logger.info(
        "feeds %d (%d failed), new entries %d, extracted %d, matched %d, duplicates %d, alerts %d, sent %d",
        c["feeds_polled"],
        c["feeds_failed"],
        c["new_entries"],
        c["extracted"],
        c["matched"],
        c["duplicates"],
        c["alerts"],
        c["alerts_sent"],
    )
    return data


def on_task_runner(flow_: Any, settings: Settings) -> Any:
    """The flow on the task runner the settings ask for: a Dask cluster, or Prefect's threads.

    Only the task runner changes: the tasks, their inputs and the results are the same.
    """
    if not settings.dask_address:
        return flow_
    from prefect_dask import DaskTaskRunner

    return flow_.with_options(task_runner=DaskTaskRunner(address=settings.dask_address))


# Deployments and `newswatch run` pick this name up: NEWSWATCH_DASK_ADDRESS moves the
# fetch-and-extract stage (and every other task) to that Dask cluster.
ingest_flow = on_task_runner(ingest_flow, load_settings())


if __name__ == "__main__":
    ingest_flow()
