"""Run summaries as JSON, as Markdown (the Prefect artifact) and as table rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from newswatch.models import RunSummary


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


_POSTPONED = ("waiting", "digest")


def summary_to_dict(summary: RunSummary) -> dict[str, Any]:
    """The run summary as plain JSON-able data (the shape of `newswatch run --json`)."""
    return {
        "started": _iso(summary.started),
        "finished": _iso(summary.finished),
        "counts": {
            "feeds_polled": summary.feeds_polled,
            "feeds_failed": summary.feeds_failed,
            "new_entries": summary.new_entries,
            "articles": len(summary.articles),
            "extracted": summary.extracted,
            "matched": summary.matched,
            "duplicates": summary.duplicates,
            "alerts": len(summary.alerts),
            "alerts_sent": summary.alerts_sent,
            "alerts_by_topic": _by_topic(summary),
            "deliveries_failed": sum(
                1 for d in summary.deliveries if not d.ok and d.state not in _POSTPONED
            ),
            "deliveries_postponed": sum(1 for d in summary.deliveries if d.state in _POSTPONED),
            "pending_alerts": summary.pending_alerts,
            "pruned_articles": summary.pruned_articles,
            "feeds_not_due": summary.feeds_not_due,
        },
        "feeds": [
            {
                "name": f.feed_name,
                "url": f.feed_url,
                "status": f.status,
                "entries": f.entries,
                "new_entries": f.new_entries,
                "error": f.error,
                "next_poll": _iso(f.next_poll),
                "healthy": f.healthy,
            }
            for f in summary.feeds
        ],
        "articles": [
            {
                "id": a.article_id,
                "title": a.title,
                "url": a.url,
                "extraction": a.extraction,
                "score": a.score,
                "match": a.is_match,
                "duplicate_of": a.duplicate_of,
                "duplicate_kind": a.duplicate_kind,
                "duplicate_of_title": a.duplicate_of_title,
                "source": a.source,
                "story": a.story_id,
                "alert": a.alerted,
                "reasons": list(a.reasons),
                "note": a.note,
                "topic": a.topic,
                "topics": list(a.topics),
            }
            for a in summary.articles
        ],
        "alerts": [
            {
                "id": al.alert_id,
                "topic": al.topic,
                "article_id": al.article_id,
                "story": al.story_id,
                "title": al.title,
                "url": al.url,
                "source": al.source,
                "score": round(al.score, 4),
                "threshold": round(al.threshold, 4),
                "reasons": [r.label for r in al.reasons],
            }
            for al in summary.alerts
        ],
        "deliveries": [
            {
                "alert_id": d.alert_id,
                "target": d.target,
                "ok": d.ok,
                "detail": d.detail,
                "state": d.state,
            }
            for d in summary.deliveries
        ],
    }


def _by_topic(summary: RunSummary) -> dict[str, int]:
    counts: dict[str, int] = {}
    for alert in summary.alerts:
        counts[alert.topic] = counts.get(alert.topic, 0) + 1
    return counts


def summary_markdown(summary: RunSummary) -> str:
    """The run summary artifact shown in the Prefect UI."""
    d = summary_to_dict(summary)
    c = d["counts"]
    lines = [
        "# newswatch ingest run",
        "",
        f"Started {_minute(summary.started)}, finished {_minute(summary.finished)} "
        f"({_took(summary)}).",
        "",
        "| feeds polled | failed | new entries | extracted | matched | duplicates | alerts | sent | pending |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| {c['feeds_polled']} | {c['feeds_failed']} | {c['new_entries']} | {c['extracted']} "
        f"| {c['matched']} | {c['duplicates']} | {c['alerts']} | {c['alerts_sent']} | {c['pending_alerts']} |",
        "",
    ]
    if summary.alerts:
        states: dict[str, list[str]] = {}
        for x in summary.deliveries:
            if x.alert_id:
                states.setdefault(x.alert_id, []).append(f"{x.target}: {x.state or x.detail}")
        lines += [
            "## Alerts",
            "",
            "| topic | alert | score | story | deliveries | also reported by |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {_md(a.topic)} | [{_md(a.title)}]({a.url or ''}) ({_md(a.source)}) | {a.score:.2f} "
            f"| {a.story_id} | {_md('; '.join(states.get(a.alert_id, [])) or 'no targets')} "
            f"| {_md(', '.join(summary.also_reported(a)) or '-')} |"
            for a in summary.alerts
        ]
        lines.append("")
    failed = [f for f in d["feeds"] if f["status"] == "error"]
    if failed:
        lines += ["## Feeds that failed", ""]
        lines += [f"- **{_md(f['name'])}** ({f['url']}): {_md(f['error'] or '')}" for f in failed]
        lines.append("")
    dups = [a for a in d["articles"] if a["duplicate_of"]]
    if dups:
        lines += [
            "## Suppressed duplicates",
            "",
            "| article | from | duplicate of | kind |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {_md(a['title'])} | {_md(a.get('source') or '')} "
            f"| {_md(a.get('duplicate_of_title') or '')} ({a['duplicate_of']}) "
            f"| {a['duplicate_kind']} |"
            for a in dups
        ]
        lines.append("")
    bad = [x for x in d["deliveries"] if not x["ok"] and x.get("state") not in _POSTPONED]
    if bad:
        lines += ["## Deliveries that failed", ""]
        lines += [f"- {x['target']}: {_md(x['detail'])}" for x in bad]
        lines.append("")
    later = [x for x in d["deliveries"] if x.get("state") in _POSTPONED]
    if later:
        lines += ["## Deliveries postponed (quiet hours, hourly cap)", ""]
        lines += [f"- {x['target']}: {_md(x['detail'])}" for x in later]
        lines.append("")
    return "\n".join(lines)


def alerts_table(summary: RunSummary) -> list[dict[str, Any]]:
    """One row per alert for the table artifact."""
    return [
        {
            "topic": a.topic,
            "title": a.title,
            "score": round(a.score, 3),
            "threshold": round(a.threshold, 3),
            "matched": ", ".join(r.label for r in a.reasons[:8]),
            "source": a.source,
            "url": a.url or "",
            "story": a.story_id,
            "deliveries": "; ".join(
                f"{d.target}: {d.state or d.detail}"
                for d in summary.deliveries
                if d.alert_id == a.alert_id
            ),
            "also reported by": ", ".join(summary.also_reported(a)),
        }
        for a in summary.alerts
    ]


def _minute(value: datetime | None) -> str:
    """A time as people read it in the UI: to the second, in UTC, no microseconds."""
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "-"


def _took(summary: RunSummary) -> str:
    if summary.finished is None:
        return "unfinished"
    return f"{(summary.finished - summary.started).total_seconds():.1f} s"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
