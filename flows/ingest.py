"""The ingest flow: feeds -> entries -> articles -> match/dedup/story -> alerts -> delivery.

Reads like a table of contents: every task calls one function of `newswatch.pipeline`.
Tasks run per feed and per batch of articles (a task run costs ~5 ms and server load).
Side-effecting tasks use NO_CACHE; only transient errors are retried.
"""

from __future__ import annotations

import uuid
from collections import deque
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from prefect import flow, get_run_logger, task, unmapped
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.tasks import exponential_backoff

from newswatch.errors import NewswatchError, TransientError
from newswatch.flows.hooks import settings_of, watched
from newswatch.flows.secrets import read_secret
from newswatch.models import (
    Alert,
    Article,
    ArticleOutcome,
    DeliveryOutcome,
    Entry,
    Feed,
    RunSummary,
)
from newswatch.pipeline import config, decide, deliver, extract, poll, runtime
from newswatch.pipeline.config import RunInputs
from newswatch.pipeline.settings import Settings, load_settings
from newswatch.report import alerts_table, summary_markdown, summary_to_dict


def _is_transient(task: Any, task_run: Any, state: Any) -> bool:
    try:
        state.result()
    except TransientError:
        return True
    except Exception:  # noqa: BLE001 - anything else is not worth retrying
        return False
    return False


# Retries mean something: only a TransientError (the store unreachable or its lock not
# had in time) is retried, three times, waiting 10, 20, 40 s with jitter. A feed, page or
# target that fails is recorded by the stage itself and is not the task's failure.
RETRY: dict[str, Any] = {
    "retries": 3,
    "retry_delay_seconds": exponential_backoff(backoff_factor=10),
    "retry_jitter_factor": 0.5,
    "retry_condition_fn": _is_transient,
}


@task(name="poll-feed", cache_policy=NO_CACHE, task_run_name="poll {feed.name}", **RETRY)
def poll_feed(feed: Feed, settings: Settings, now: datetime) -> poll.PollResult:
    return poll.poll_feed(feed, settings, now=now)


# No retries: every page's failure is recorded on its article (the feed summary stands in).
@task(name="extract-batch", cache_policy=NO_CACHE)
def extract_batch(entries: list[Entry], settings: Settings, order: int = 0) -> list[Article]:
    return extract.extract_entries(entries, settings, order=order)


@task(name="decide-articles", cache_policy=NO_CACHE, **RETRY)
def decide_articles(
    articles: list[Article], inputs: RunInputs, now: datetime
) -> tuple[list[ArticleOutcome], list[Alert]]:
    return decide.decide_articles(articles, inputs, now=now)


@task(name="deliver-alerts", cache_policy=NO_CACHE, **RETRY)
def deliver_alerts(inputs: RunInputs, now: datetime) -> list[DeliveryOutcome]:
    notifier = config.load_notifier(inputs.settings, read_secret=read_secret)
    return deliver.deliver_alerts(
        inputs.settings, notifier, now=now, policy=inputs.policy, run_url=flow_run.ui_url
    )


def _extract_and_decide(
    batches: list[list[Entry]], inputs: RunInputs, now: datetime
) -> tuple[list[ArticleOutcome], list[Alert]]:
    """Fetch and extract every batch, and decide each batch's articles in the batches'
    order (as one batch after another would be).

    On Prefect's threads, NEWSWATCH_BATCHES_IN_FLIGHT batches are in flight at once and
    each batch is decided as soon as it and those before it are extracted, while the
    later ones are still extracting: deciding, serial and mostly in this process, then costs no extra
    time. On a Dask cluster (NEWSWATCH_DASK_ADDRESS, only the heavy stage moves) every
    batch is extracted there first."""
    settings = inputs.settings
    outcomes: list[ArticleOutcome] = []
    alerts: list[Alert] = []

    def decide(articles: list[Article]) -> None:
        if articles:
            decided, raised = decide_articles(articles, inputs, now)
            outcomes.extend(decided)
            alerts.extend(raised)

    if settings.dask_address:
        from prefect_dask import DaskTaskRunner

        with DaskTaskRunner(address=settings.dask_address) as runner:
            futures = [
                runner.submit(extract_batch, {"entries": b, "settings": settings}) for b in batches
            ]
            decide([a for f in futures for a in f.result()])
        return outcomes, alerts

    waiting = iter(enumerate(batches))
    in_flight = deque(
        extract_batch.submit(b, settings, order=i)
        for i, b in islice(waiting, settings.batches_in_flight)
    )
    while in_flight:
        articles = in_flight.popleft().result()
        following = next(waiting, None)
        if following is not None:
            in_flight.append(extract_batch.submit(following[1], settings, order=following[0]))
        decide(articles)
    return outcomes, alerts


def _run_name() -> str:
    """What the UI lists: `ingest 2026-11-30 14:15, 38 feeds`."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    try:
        feeds = len(config.load_feeds(settings_of(flow_run.parameters).resolved_feeds_file()))
    except (NewswatchError, ValueError):
        return f"ingest {when}"
    return f"ingest {when}, {feeds} feeds"


@flow(name="ingest", log_prints=True, flow_run_name=_run_name, **watched())
def ingest_flow(settings: Settings | None = None, force: bool = False) -> RunSummary:
    """One ingest run over the feeds that are due (all of them with `force`).

    `settings` default to the environment's (NEWSWATCH_*); secrets in them (the store
    URL) are shown masked in the flow run's parameters."""
    settings = settings or load_settings()
    inputs = config.load_inputs(settings, read_secret=read_secret)
    return run_ingest(inputs, force=force)


def with_settings(settings: Settings) -> Any:
    """The ingest flow with this install's run timeout (NEWSWATCH_RUN_TIMEOUT_SECONDS)."""
    return ingest_flow.with_options(timeout_seconds=settings.run_timeout_seconds)


def run_ingest(inputs: RunInputs, *, force: bool = False) -> RunSummary:
    """The body of the ingest flow, on inputs loaded once."""
    logger = get_run_logger()
    settings = inputs.settings
    now = datetime.now(UTC)
    summary = RunSummary(started=now)
    runtime.prepare_store(settings)
    feeds = list(inputs.feeds)
    if not force:
        due = poll.due_feeds(feeds, settings, now=now)
        summary.feeds_not_due = len(feeds) - len(due)
        feeds = due

    polls = poll_feed.map(feeds, settings=unmapped(settings), now=unmapped(now)).result()
    summary.feeds = [p.report for p in polls]
    for report in summary.feeds:
        if report.status == "error":
            logger.warning("feed %s failed: %s", report.feed_name, report.error)

    run_id = str(flow_run.id or uuid.uuid4())
    entries = poll.pending_entries(settings, run_id=run_id, now=now)
    extract.warm_up(entries)
    summary.articles, summary.alerts = _extract_and_decide(
        extract.batches(entries, settings), inputs, now
    )
    summary.deliveries = deliver_alerts(inputs, now)
    summary.pending_alerts = runtime.pending_delivery_count(settings)
    summary.pruned_articles = runtime.prune(settings, now=now)
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
    runtime.save_run(settings, summary, data)
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
    return summary


if __name__ == "__main__":
    ingest_flow()
