"""`newswatch run`, `digest` and `serve`: the flows, started from the command line."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any, cast

import typer

from newswatch.cli.common import (
    AlertsOpt,
    DbOpt,
    FeedsOpt,
    NotifyOpt,
    ProfileOpt,
    err,
    fail_config,
    out,
    reported,
    settings,
)
from newswatch.cli.output import print_summary
from newswatch.errors import ConfigError, NewswatchError
from newswatch.report import summary_to_dict


def run(
    feeds: FeedsOpt = None,
    notify: NotifyOpt = None,
    profile: ProfileOpt = None,
    db: DbOpt = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the run summary as JSON on stdout.")
    ] = False,
    alerts_policy: AlertsOpt = None,
    poll_all: Annotated[
        bool,
        typer.Option(
            "--all", help="Poll every feed now, also those whose next poll has not come yet."
        ),
    ] = False,
) -> None:
    """Do one ingest run: poll the feeds that are due, extract new articles, match, dedup, alert.

    Each feed is polled as often as it publishes (within NEWSWATCH_POLL_MIN_SECONDS and
    NEWSWATCH_POLL_MAX_SECONDS, never before its server's hints allow) and less often
    while it fails; `--all` polls every feed now.

    Exits 0 when the run completed, even if some feeds failed (they are listed);
    exits 2 when it could not run at all (a bad config file: which file, which line, what).
    """
    from newswatch.flows.secrets import read_secret
    from newswatch.pipeline import config, runtime

    chosen = settings(
        feeds_file=feeds,
        notify_file=notify,
        profile_file=profile,
        db_url=db,
        alerts_file=alerts_policy,
    )
    with reported():
        config.load_inputs(chosen, read_secret=read_secret)  # every config file checked,
        runtime.prepare_store(chosen)  # and the store reached and brought up to date
    from newswatch.flows.ingest import with_settings

    try:
        summary = with_settings(chosen)(settings=chosen, force=poll_all)
    except ConfigError as exc:
        fail_config(exc)
    except NewswatchError as exc:
        err.print(f"[bold red]run failed:[/] {exc}", highlight=False)
        raise typer.Exit(1) from exc
    if as_json:
        sys.stdout.write(json.dumps(summary_to_dict(summary), ensure_ascii=False, indent=2) + "\n")
    else:
        print_summary(summary)


def digest(
    notify: NotifyOpt = None,
    alerts_policy: AlertsOpt = None,
    db: DbOpt = None,
) -> None:
    """Send the digest now: per target, one message with every alert that waited for it.

    Alerts wait for the digest when they score below a target's `instant_min_score` or
    went over its `max_per_hour` (see config/alerts.example.yaml). `newswatch serve`
    runs this on NEWSWATCH_DIGEST_CRON (default 08:00 daily). Exits 1 if a send failed.
    """
    from newswatch.flows.secrets import read_secret
    from newswatch.pipeline import config

    chosen = settings(notify_file=notify, alerts_file=alerts_policy, db_url=db)
    with reported():
        config.load_notifier(chosen, read_secret=read_secret)
        config.load_policy(chosen.resolved_alerts_file())
    from newswatch.flows.digest import digest_flow

    sent = digest_flow(settings=chosen)
    if not sent:
        out.print("nothing waiting for the digest")
    for d in sent:
        mark = "[green]sent[/]" if d.ok else "[red]FAILED[/]"
        out.print(f"{mark} {d.alert_id} -> {d.target} {d.detail}", highlight=False)
    if any(not d.ok for d in sent):
        raise typer.Exit(1)


def serve(
    cron: Annotated[
        str | None, typer.Option(help="Cron schedule (default: every 15 minutes).")
    ] = None,
) -> None:
    """Run the ingest and digest deployments on their schedules with Prefect's serve (Ctrl-C stops).

    Also registers the on-demand `newswatch-learn` deployment. The schedules and their
    time zone come from NEWSWATCH_SCHEDULE_CRON (ingest, default every 15 minutes),
    NEWSWATCH_DIGEST_CRON (digest, default 08:00 daily) and NEWSWATCH_TIMEZONE (default
    UTC). Without PREFECT_API_URL, Prefect runs a temporary local API (`make serve`
    starts a local server instead, so the history stays in the UI).
    """
    from prefect import serve as prefect_serve
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.schedules import Cron

    from newswatch.flows.digest import digest_flow
    from newswatch.flows.ingest import ingest_flow
    from newswatch.flows.learn import learn_flow

    chosen = settings(schedule_cron=cron)
    # One run of each at a time; a run due while the last one still runs is cancelled,
    # not queued behind it (a hung run must not pile up every later one).
    common: dict[str, Any] = {
        "concurrency_limit": ConcurrencyLimitConfig(
            limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW
        ),
        "tags": ["newswatch"],
    }
    ingest_dep = ingest_flow.with_options(timeout_seconds=chosen.run_timeout_seconds).to_deployment(
        name="newswatch-ingest",
        schedule=Cron(chosen.schedule_cron, timezone=chosen.timezone),
        description="poll feeds and alert",
        **common,
    )
    digest_dep = digest_flow.to_deployment(
        name="newswatch-digest",
        schedule=Cron(chosen.digest_cron, timezone=chosen.timezone),
        description="send the waiting alerts as one digest per target",
        **common,
    )
    learn_dep = learn_flow.to_deployment(
        name="newswatch-learn",
        description="re-learn every topic (or the one in the topic parameter)",
        **common,
    )
    try:
        prefect_serve(cast(Any, ingest_dep), cast(Any, digest_dep), cast(Any, learn_dep))
    except KeyboardInterrupt:
        out.print("stopped")
