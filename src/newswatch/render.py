"""Alerts as messages: a title and a body per target format (text, Markdown, HTML).

Everything in a message comes from the web (titles, snippets, outlet names), so HTML
output escapes all of it and Markdown output escapes Markdown's special characters.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from newswatch.models import DEFAULT_TOPIC, Alert, Match

Format = Literal["text", "markdown", "html"]
_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}()#+!|<>~])")


def _when(alert: Alert) -> str:
    return alert.published.strftime("%Y-%m-%d %H:%M UTC") if alert.published else "unknown"


def _terms(alert: Alert, limit: int = 8) -> str:
    ordered = sorted(alert.reasons, key=lambda r: r.contribution, reverse=True)
    return ", ".join(r.label for r in ordered[:limit]) or "-"


def _topic(alert: Alert) -> str:
    """The topic as a message names it: not at all in a one-topic install (`default`)."""
    return "" if alert.topic == DEFAULT_TOPIC else alert.topic


def _topic_prefix(alert: Alert) -> str:
    return f"[{alert.topic}] " if _topic(alert) else ""


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _text_block(alert: Alert) -> str:
    return "\n".join(
        [
            alert.title,
            alert.url or "(no link)",
            f"{_topic_prefix(alert)}{alert.source} | published {_when(alert)} | score {alert.score:.2f} (threshold {alert.threshold:.2f})",
            f"matched: {_terms(alert)}",
            f"\u201c{' '.join(alert.snippet.split())}\u201d" if alert.snippet else "",
        ]
    ).rstrip()


def _md_block(alert: Alert) -> str:
    title = f"[{_md(alert.title)}]({alert.url})" if alert.url else _md(alert.title)
    lines = [
        f"**{title}**",
        f"{_md(_topic_prefix(alert) + alert.source)} · published {_when(alert)} · score {alert.score:.2f} (threshold {alert.threshold:.2f})",
        f"matched: {_md(_terms(alert))}",
    ]
    if alert.snippet:
        lines.append(f"> {_md(alert.snippet)}")
    return "\n".join(lines)


def _html_block(alert: Alert) -> str:
    e = html.escape
    title = (
        f'<a href="{e(alert.url, quote=True)}">{e(alert.title)}</a>'
        if alert.url
        else e(alert.title)
    )
    snippet = (
        f"<blockquote>{e(' '.join(alert.snippet.split()))}</blockquote>" if alert.snippet else ""
    )
    # the address is shown as text too: the plain-text part Apprise derives keeps it
    link = f'<p><a href="{e(alert.url, quote=True)}">{e(alert.url)}</a></p>' if alert.url else ""
    return (
        f"<h3>{title}</h3>{link}"
        f"<p>{e(_topic_prefix(alert) + alert.source)} &middot; published {e(_when(alert))} &middot; "
        f"score {alert.score:.2f} (threshold {alert.threshold:.2f})</p>"
        f"<p>matched: <b>{e(_terms(alert))}</b></p>{snippet}"
    )


_BLOCKS = {"text": _text_block, "markdown": _md_block, "html": _html_block}
_SEPARATORS = {"text": "\n\n", "markdown": "\n\n---\n\n", "html": "<hr>"}


@dataclass(frozen=True)
class Templates:
    """A user's templates (see `policy`): `title` for a one-alert message, `item` per alert."""

    title: str | None = None
    item: str | None = None


def _html_escape(text: str) -> str:
    return html.escape(text, quote=True)


def _plain(text: str) -> str:
    return text


_ESCAPES: dict[str, Callable[[str], str]] = {"html": _html_escape, "markdown": _md, "text": _plain}


def _fields(alert: Alert, fmt: Format, also: Sequence[str]) -> dict[str, str]:
    esc: Callable[[str], str] = _ESCAPES[fmt]
    raw = {
        "title": " ".join(alert.title.split()),
        "url": alert.url or "",
        "source": alert.source,
        "published": _when(alert),
        "score": f"{alert.score:.2f}",
        "threshold": f"{alert.threshold:.2f}",
        "terms": _terms(alert),
        "snippet": " ".join(alert.snippet.split()),
        "also": ", ".join(also),
        "topic": alert.topic,
    }
    return {k: esc(v) for k, v in raw.items()}


def _also_line(also: Sequence[str], fmt: Format) -> str:
    if not also:
        return ""
    names = ", ".join(also)
    if fmt == "html":
        return f"<p>also reported by: {html.escape(names)}</p>"
    return f"\nalso reported by: {_md(names) if fmt == 'markdown' else names}"


def _block(alert: Alert, fmt: Format, templates: Templates, also: Sequence[str]) -> str:
    if templates.item:
        return templates.item.format(**_fields(alert, fmt, also))
    return _BLOCKS[fmt](alert) + _also_line(also, fmt)


def render_alert(
    alert: Alert, fmt: Format, templates: Templates | None = None, also: Sequence[str] = ()
) -> tuple[str, str]:
    """One alert as (title, body)."""
    templates = templates or Templates()
    title = (
        templates.title.format(**_fields(alert, "text", also))
        if templates.title
        else f"newswatch: {_topic_prefix(alert)}{' '.join(alert.title.split())}"
    )
    return title, _block(alert, fmt, templates, also)


def render_batch(
    alerts: Sequence[Alert],
    fmt: Format,
    templates: Templates | None = None,
    also: Mapping[str, Sequence[str]] | None = None,
) -> tuple[str, str]:
    """Several alerts as one message (one send per target per run)."""
    templates = templates or Templates()
    also = also or {}
    if len(alerts) == 1:
        return render_alert(alerts[0], fmt, templates, also.get(alerts[0].alert_id, ()))
    title = f"newswatch: {len(alerts)} new stories{_per_topic(alerts)}"
    body = _SEPARATORS[fmt].join(
        _block(a, fmt, templates, also.get(a.alert_id, ())) for a in _by_topic(alerts)
    )
    return title, body


def _by_topic(alerts: Sequence[Alert]) -> list[Alert]:
    """Alerts grouped by topic (topics in order of first appearance), each group in order."""
    order = {topic: i for i, topic in enumerate(dict.fromkeys(a.topic for a in alerts))}
    return sorted(alerts, key=lambda a: order[a.topic])


def _per_topic(alerts: Sequence[Alert]) -> str:
    counts: dict[str, int] = {}
    for a in alerts:
        counts[a.topic] = counts.get(a.topic, 0) + 1
    if list(counts) == [DEFAULT_TOPIC]:
        return ""
    return " (" + ", ".join(f"{topic} {n}" for topic, n in counts.items()) + ")"


def render_digest(
    stories: Sequence[tuple[Alert, Sequence[str]]],
    fmt: Format,
    templates: Templates | None = None,
    *,
    since: str = "",
) -> tuple[str, str]:
    """A digest: one block per story (its first article), with the outlets that also reported it."""
    templates = templates or Templates()
    n = len(stories)
    title = f"newswatch digest: {n} {'story' if n == 1 else 'stories'}" + (
        f" since {since}" if since else ""
    )
    title += _per_topic([alert for alert, _ in stories])
    blocks: list[str] = []
    topics = list(dict.fromkeys(alert.topic for alert, _ in stories))
    for topic in topics:  # grouped by topic, a heading each when there are topics to tell apart
        if topics != [DEFAULT_TOPIC]:
            blocks.append(_heading(f"topic: {topic}", fmt, level=3))
        blocks += [_block(a, fmt, templates, also) for a, also in stories if a.topic == topic]
    head = _heading(title, fmt, level=2)
    return title, head + _SEPARATORS[fmt] + _SEPARATORS[fmt].join(blocks)


def _heading(text: str, fmt: Format, *, level: int) -> str:
    if fmt == "html":
        return f"<h{level}>{html.escape(text)}</h{level}>"
    if fmt == "markdown":
        return f"{'#' * level} {_md(text)}"
    return text


def run_footer(url: str, fmt: Format) -> str:
    """The line under a message that links the run that sent it (in the Prefect UI)."""
    if fmt == "html":
        return f'<p><small>Sent by <a href="{html.escape(url)}">this newswatch run</a></small></p>'
    if fmt == "markdown":
        return f"\n\n_Sent by [this newswatch run]({url})_"
    return f"\n\nSent by this newswatch run: {url}"


def render_test_message() -> tuple[str, str]:
    return (
        "newswatch: test message",
        "This is a test from newswatch notify-test. If you can read it, alerts will reach you here.",
    )


def render_failure(
    flow_name: str, run_name: str, state: str, message: str, url: str | None
) -> tuple[str, str]:
    """The message sent to every target when a scheduled run fails, crashes or times out."""
    title = f"newswatch: {flow_name} run '{run_name}' {state.lower()}"
    lines = [
        f"The newswatch {flow_name} run '{run_name}' ended {state.lower()}: alerts may be late "
        "until the cause is fixed.",
        "",
        message.strip() or "(no message)",
    ]
    if url:
        lines += ["", f"Run in the Prefect UI: {url}"]
    return title, "\n".join(lines)


def explain(match: Match) -> str:
    """A plain-text account of a score: the verdict, how the terms' contributions became
    the score (every cap and factor, in order), the places, then each term that fired."""
    verdict = "MATCH" if match.is_match else "no match"
    lines = [
        f"{verdict}: score {match.score:.3f}, threshold {match.threshold:.3f} (language {match.lang or '?'})"
    ]
    lines += [f"  {step}" for step in match.steps]
    if match.focus is not None:
        lines.append(f"  places: {match.focus:.0%} of those named are the story's")
        if match.elsewhere:
            lines.append(f"  also named: {', '.join(match.elsewhere[:6])}")
    if not match.reasons:
        lines.append("  no profile term occurs in this article")
    for r in match.reasons:
        where = "title+text" if r.in_title else "text"
        lines.append(
            f"  {r.label:<32} {r.kind:<8} weight {r.weight:.3f} x{r.hits} in {where} -> +{r.contribution:.3f}"
            f"  [{r.matched}]"
        )
        lines.append(f"      {r.snippet}")
    return "\n".join(lines)
