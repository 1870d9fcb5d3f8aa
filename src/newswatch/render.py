"""Alerts as messages: a title and a body per target format (text, Markdown, HTML).

Everything in a message comes from the web (titles, snippets, outlet names), so HTML
output escapes all of it and Markdown output escapes Markdown's special characters.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
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


def render_alert(alert: Alert, fmt: Format) -> tuple[str, str]:
    """One alert as (title, body)."""
    return f"newswatch: {' '.join(alert.title.split())}", _BLOCKS[fmt](alert)


def render_batch(alerts: Sequence[Alert], fmt: Format) -> tuple[str, str]:
    """Several alerts as one message (one send per target per run)."""
    if len(alerts) == 1:
        return render_alert(alerts[0], fmt)
    title = f"newswatch: {len(alerts)} new stories"
    body = _SEPARATORS[fmt].join(_BLOCKS[fmt](a) for a in alerts)
    return title, body


def render_test_message() -> tuple[str, str]:
    return (
        "newswatch: test message",
        "This is a test from newswatch notify-test. If you can read it, alerts will reach you here.",
    )
