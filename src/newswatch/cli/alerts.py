"""`newswatch alerts` (listing, `retry ID`) and `newswatch notify-test`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlsplit

import typer
from rich.table import Table

from newswatch.cli.common import DbOpt, NotifyOpt, err, fail, out, reported, settings

alerts_app = typer.Typer(
    help="List alerts and their delivery state per target; resend one with `retry`.",
    invoke_without_command=True,
)


def short_target(display: str) -> str:
    """A target as scheme://host/path, without the query string (tokens, options)."""
    parts = urlsplit(display)
    if not parts.scheme:
        return display
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


@alerts_app.callback()
def alerts(
    ctx: typer.Context,
    db: DbOpt = None,
    limit: Annotated[int, typer.Option(help="How many recent alerts.", min=1)] = 20,
    ids: Annotated[
        bool, typer.Option("--ids", help="Show each alert's id (for `alerts retry`, `feedback`).")
    ] = False,
    topic: Annotated[str | None, typer.Option("--topic", help="Only this topic's alerts.")] = None,
) -> None:
    """List recent alerts with their topic and delivery state per target."""
    if ctx.invoked_subcommand:
        return
    from newswatch.pipeline.runtime import open_existing_store

    chosen = settings(db_url=db)
    with reported(), open_existing_store(chosen) as store:
        if store is None:
            out.print("no alerts yet (no store: nothing has run)")
            return
        rows = store.recent_alerts(limit=limit, topic=topic)
        also = {
            alert.alert_id: store.also_reported(alert.story_id, alert.article_id)
            for alert, _ in rows
        }
    if not rows:
        out.print("no alerts yet")
        return
    table = Table("created", "topic", "score")
    if ids:
        table.add_column("id", no_wrap=True, min_width=22)  # a-{20 hex}: never folded
    table.add_column("title", overflow="fold")
    table.add_column("deliveries", overflow="fold")
    table.add_column("also reported by", overflow="fold")
    for alert, dels in rows:
        states = (
            "; ".join(f"{short_target(d['target'])}: {d['state']} ({d['attempts']})" for d in dels)
            or "no targets"
        )
        first = [alert.created.strftime("%Y-%m-%d %H:%M"), alert.topic, f"{alert.score:.2f}"]
        others = ", ".join(dict.fromkeys(also[alert.alert_id])) or "-"
        table.add_row(*first, *([alert.alert_id] if ids else []), alert.title, states, others)
    out.print(table)


@alerts_app.command("retry")
def alerts_retry(
    alert_id: Annotated[
        str, typer.Argument(metavar="ID", help="The alert's id (see `newswatch alerts --ids`).")
    ],
    db: DbOpt = None,
    notify: NotifyOpt = None,
) -> None:
    """Send one alert again to every target it has not reached (failed or still waiting).

    Only that alert is sent, under the alert policy (routing, templates); other alerts
    that are due wait for the next run."""
    from newswatch.flows.secrets import read_secret
    from newswatch.pipeline import config, deliver
    from newswatch.pipeline.runtime import open_existing_store

    chosen = settings(db_url=db, notify_file=notify)
    now = datetime.now(UTC)
    with reported():
        notifier = config.load_notifier(chosen, required=True, read_secret=read_secret)
        policy = config.load_policy(chosen.resolved_alerts_file())
        with open_existing_store(chosen) as store:
            if store is None or not store.has_alert(alert_id):
                fail(f"unknown alert {alert_id!r} (see `newswatch alerts --ids`)")
            count = store.requeue_alert(alert_id, now=now)
        if count == 0:
            fail(f"alert {alert_id} has reached every target already: nothing to resend")
        outcomes = deliver.deliver_alerts(chosen, notifier, now=now, policy=policy, only=[alert_id])
    for o in outcomes:
        mark = "[green]sent[/]" if o.ok else "[red]FAILED[/]"
        out.print(f"{mark} {o.target} {o.detail}", highlight=False, soft_wrap=True)
    if not outcomes or not all(o.ok for o in outcomes):
        raise typer.Exit(1)


def notify_test(notify: NotifyOpt = None) -> None:
    """Send a test message to each configured target and say which succeeded."""
    from newswatch.flows.secrets import read_secret
    from newswatch.pipeline import config
    from newswatch.render import render_test_message

    chosen = settings(notify_file=notify)
    with reported():
        notifier = config.load_notifier(chosen, required=True, read_secret=read_secret)
    assert notifier is not None
    title, body = render_test_message()
    failures = 0
    for target in notifier.targets():
        outcome = notifier.send(target, title, body)
        mark = "[green]ok[/]" if outcome.ok else "[red]FAILED[/]"
        failures += not outcome.ok
        out.print(f"{mark} {target.display} {outcome.detail}", highlight=False, soft_wrap=True)
    if failures:
        err.print(f"{failures} of {len(notifier.targets())} targets failed", highlight=False)
        raise typer.Exit(1)
