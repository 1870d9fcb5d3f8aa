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

from newswatch.models import Alert

Format = Literal["text", "markdown", "html"]
_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}()#+!|<>~])")


def _when(alert: Alert) -> str:
    return alert.published.strftime("%Y-%m-%d %H:%M UTC") if alert.published else "unknown"


def _terms(alert: Alert, limit: int = 8) -> str:
    ordered = sorted(alert.reasons, key=lambda r: r.contribution, reverse=True)
    return ", ".join(r.label for r in ordered[:limit]) or "-"


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _text_block(alert: Alert) -> str:
    return "\n".join(
        [
            alert.title,
            alert.url or "(no link)",
            f"{alert.source} | published {_when(alert)} | score {alert.score:.2f} (threshold {alert.threshold:.2f})",
            f"matched: {_terms(alert)}",
            f"\u201c{' '.join(alert.snippet.split())}\u201d" if alert.snippet else "",
        ]
    ).rstrip()


def _md_block(alert: Alert) -> str:
    title = f"[{_md(alert.title)}]({alert.url})" if alert.url else _md(alert.title)
    lines = [
        f"**{title}**",
        f"{_md(alert.source)} · published {_when(alert)} · score {alert.score:.2f} (threshold {alert.threshold:.2f})",
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
        f"<p>{e(alert.source)} &middot; published {e(_when(alert))} &middot; "
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
        else f"newswatch: {' '.join(alert.title.split())}"
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
    title = f"newswatch: {len(alerts)} new stories"
    body = _SEPARATORS[fmt].join(
        _block(a, fmt, templates, also.get(a.alert_id, ())) for a in alerts
    )
    return title, body


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
    blocks = [_block(alert, fmt, templates, also) for alert, also in stories]
    head = {
        "html": f"<h2>{html.escape(title)}</h2>",
        "markdown": f"## {_md(title)}",
        "text": title,
    }[fmt]
    return title, head + _SEPARATORS[fmt] + _SEPARATORS[fmt].join(blocks)


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
