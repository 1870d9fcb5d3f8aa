"""The `newswatch` command (ring 4, a front end): typer commands, one module per group.

    run.py      run, digest, serve         the flows, started from the command line
    profile.py  learn, backtest, explain,  the topics' profiles, learned and tried;
                prepare                    the language data they need, indexed once
    topics.py   topics, feedback           the topics watched, and teaching one by example
    alerts.py   alerts [retry], notify-test
    feeds.py    feeds [add|import|export]
    demo.py     demo                       the quick-start demo
    output.py   how summaries and tables are printed
    common.py   shared options, settings, and how errors end a command

Commands parse flags, build Settings, and call a flow or the pipeline; nothing else.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Annotated

import typer

from newswatch.adapters.allocator import tune_allocator
from newswatch.cli import alerts, feeds, profile, run, topics
from newswatch.cli.common import out, reported, state

# The front end owns its process: Prefect must send nothing anywhere unasked (no
# telemetry, no analytics), and its ephemeral API needs time to start on a small
# machine (its first start migrates its own database). Defaults only: a value already
# in the environment wins.
for _name, _value in {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    # newswatch's own log lines (feeds that failed, learning) reach the run's logs in the
    # UI; outside a run (`newswatch learn`) they are printed only, without Prefect's warning
    "PREFECT_LOGGING_EXTRA_LOGGERS": "newswatch",
    "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
}.items():
    os.environ.setdefault(_name, _value)
# Its many threads and page buffers, on glibc: two malloc arenas, large buffers mmapped
# (see adapters/allocator.py); the processes it starts inherit both.
tune_allocator()

app = typer.Typer(
    name="newswatch",
    help=(
        "Watch news feeds for a topic learned from example articles, drop duplicates, "
        "and alert through Apprise (email, Slack, Telegram, Matrix, webhooks, ...).\n\n"
        "Settings come from config/ and NEWSWATCH_* environment variables; see config/README.md."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main_options(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback of an error.")
    ] = False,
) -> None:
    state["debug"] = debug


app.command()(run.run)
app.command()(profile.learn)
app.command()(profile.backtest)
app.command()(profile.explain)
app.command()(profile.prepare)
app.command()(topics.topics)
app.command()(topics.feedback)
app.command()(run.serve)
app.command()(run.digest)
app.command("notify-test")(alerts.notify_test)
app.add_typer(alerts.alerts_app, name="alerts")
app.add_typer(feeds.feeds_app, name="feeds")


@app.command()
def demo(
    keep: Annotated[bool, typer.Option(help="Keep the demo's data folder afterwards.")] = False,
) -> None:
    """Run one real ingest on bundled demo feeds served from 127.0.0.1: two topics, each alerting to its own local webhook."""
    from newswatch.cli.demo import run_demo

    with reported():
        code = run_demo(out, keep=keep, now=datetime.now(UTC))
    raise typer.Exit(code)


def main() -> None:  # pragma: no cover - console entry point
    app()
