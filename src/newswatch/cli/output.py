"""How commands print: the run summary, tables of alerts and feeds."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape as e  # titles, outlets and errors come from the web

from newswatch.cli.common import out
from newswatch.models import DEFAULT_TOPIC, RunSummary
from newswatch.report import summary_to_dict


def _topic(topic: str) -> str:
    return "" if topic == DEFAULT_TOPIC else f"[bold]{e('[' + topic + ']')}[/] "


def print_summary(summary: RunSummary, console: Console | None = None) -> None:
    """Human-readable run summary: counts, failed feeds, alerts with their reasons."""
    con = console or out
    con.print(
        f"[bold]feeds polled[/] {summary.feeds_polled} ({summary.feeds_failed} failed)  "
        f"[bold]new entries[/] {summary.new_entries}  [bold]extracted[/] {summary.extracted}  "
        f"[bold]matched[/] {summary.matched}  [bold]duplicates[/] {summary.duplicates}  "
        f"[bold]alerts[/] {len(summary.alerts)}  [bold]sent[/] {summary.alerts_sent}  "
        f"[bold]pending[/] {summary.pending_alerts}",
        highlight=False,
    )
    for f in summary.feeds:
        if f.status == "error":
            con.print(
                f"  [red]feed failed[/] {e(f.feed_name)}: {e(f.error or '')}", highlight=False
            )
    for a in summary.alerts:
        also = summary.also_reported(a)
        con.print(
            f"  [green]ALERT[/] {_topic(a.topic)}{e(a.title)}  score {a.score:.2f} (threshold {a.threshold:.2f})\n"
            f"        matched: {e(', '.join(r.label for r in a.reasons[:8]))}\n        {e(a.url or '')}"
            + (f"\n        also reported by: {e(', '.join(also))}" if also else ""),
            highlight=False,
        )
    for o in summary.articles:
        if o.duplicate_of:
            of = o.duplicate_of_title or o.duplicate_of
            con.print(
                f"  [yellow]duplicate[/] {e(o.title)} from {e(o.source or '?')}: "
                f"{o.duplicate_kind} copy of '{e(of)}', not alerted again",
                highlight=False,
            )
        elif o.is_match and not o.alerted:
            con.print(f"  [cyan]same story[/] {e(o.title)} (story {o.story_id})", highlight=False)
    by_topic = summary_to_dict(summary)["counts"]["alerts_by_topic"]
    if set(by_topic) - {DEFAULT_TOPIC}:
        con.print(
            "  alerts by topic: " + ", ".join(f"{t} {n}" for t, n in by_topic.items()),
            highlight=False,
        )
    for d in summary.deliveries:
        if d.state in ("waiting", "digest"):
            con.print(f"  [yellow]postponed[/] {e(d.target)}: {e(d.detail)}", highlight=False)
        elif not d.ok:
            con.print(f"  [red]delivery failed[/] {e(d.target)}: {e(d.detail)}", highlight=False)
