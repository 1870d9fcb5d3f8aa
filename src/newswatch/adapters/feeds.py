"""Feed parsing with feedparser: bytes and headers in, entries (or a reason) out.

feedparser never raises: it sets `bozo` and keeps what it could read. Here that becomes
a `ParsedFeed` whose `problem` says what was wrong; entries that could be read are kept.
feedparser is only ever given bytes: given a string it would fetch URLs or read files.
"""

from __future__ import annotations

import calendar
import html
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from newswatch.models import Entry, Feed, ParsedFeed
from newswatch.urls import entry_id_for

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def plain_text(value: str | None) -> str:
    """Markup stripped, entities unescaped, whitespace collapsed."""
    if not value:
        return ""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", value))).strip()


def _when(item: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = item.get(key)
        if parsed:
            try:
                return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def parse_feed(body: bytes, headers: dict[str, str], *, feed: Feed) -> ParsedFeed:
    """Parse a feed body. Never raises for a bad feed: `problem` says what was wrong."""
    lowered = {k.lower(): v for k, v in headers.items()}
    response_headers = {k: v for k, v in lowered.items() if k in {"content-type", "content-location", "content-language"}}
    parsed = feedparser.parse(body, response_headers=response_headers, sanitize_html=True)
    problem = None
    if parsed.get("bozo"):
        problem = f"feed is not well-formed: {parsed.get('bozo_exception')}"
    version = parsed.get("version") or None
    if not parsed.entries:
        head = body[:512].lstrip().lower()
        if head.startswith((b"<!doctype html", b"<html")) or (
            "html" in lowered.get("content-type", "") and not version
        ):
            problem = "an HTML page, not a feed"
        elif not body.strip():
            problem = "empty response"
        elif not version and problem is None:
            problem = "not a feed (no RSS or Atom elements found)"
        return ParsedFeed(feed.url, parsed.feed.get("title"), (), problem=problem, format=version)

    base = lowered.get("content-location") or feed.url
    entries: list[Entry] = []
    seen: set[str] = set()
    for item in parsed.entries:
        link = item.get("link")
        if link:
            link = urljoin(base, link.strip())
        title = plain_text(item.get("title"))
        summary = plain_text(item.get("summary") or item.get("description"))
        content = item.get("content")
        if content and isinstance(content, list):
            full = plain_text(content[0].get("value"))
            if len(full) > len(summary):
                summary = full
        if not title:
            title = summary[:120].rsplit(" ", 1)[0] if summary else (link or "")
        entry_id, source = entry_id_for(item.get("id") or item.get("guid"), link, title, summary)
        if entry_id in seen:
            continue  # a GUID repeated within one feed is one entry
        seen.add(entry_id)
        entries.append(
            Entry(
                entry_id=entry_id,
                id_source=source,
                feed_name=feed.name,
                feed_url=feed.url,
                url=link or None,
                title=title,
                summary=summary,
                published=_when(item),
                author=plain_text(item.get("author")) or None,
            )
        )
    return ParsedFeed(feed.url, parsed.feed.get("title"), tuple(entries), problem=problem, format=version)
