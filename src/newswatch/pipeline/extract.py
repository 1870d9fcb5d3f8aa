"""Stage 2, entries -> articles: fetch each entry's page and extract its text and metadata.

One call per batch of entries; safe to run in parallel. A page that cannot be used
(refused by robots.txt or the SSRF guard, an HTTP error, nothing extractable) falls
back to the feed's summary, and the article says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from newswatch.adapters.extract import extract_page
from newswatch.adapters.http import Fetcher, PageMemo
from newswatch.errors import NewswatchError
from newswatch.models import Article, Entry
from newswatch.pipeline.runtime import open_fetcher
from newswatch.pipeline.settings import Settings
from newswatch.text import detect_language
from newswatch.urls import canonical_url


def extract_entries(entries: Sequence[Entry], settings: Settings) -> list[Article]:
    """Fetch and extract each entry's page; fall back to the feed's summary, saying why."""
    articles = []
    with open_fetcher(settings, pages=PageMemo()) as fetcher:
        for entry in entries:
            articles.append(_extract_one(entry, fetcher, settings))
    return articles


def _outlet(sitename: str | None, url: str, feed_name: str) -> str:
    """The page's own site name, unless it is only the host (then the feed's name says more)."""
    if not sitename:
        return feed_name
    host = urlsplit(url).netloc.lower()
    bare = sitename.strip().lower()
    if bare in {host, host.removeprefix("www."), host.split(":")[0]}:
        return feed_name
    return sitename


def _extract_one(entry: Entry, fetcher: Fetcher, settings: Settings) -> Article:
    note = None
    if entry.url and settings.fetch_articles:
        try:
            page = fetcher.fetch(entry.url, robots=True)
            content = extract_page(page.body, url=page.final_url)
        except NewswatchError as exc:
            note = f"page not used, feed summary instead: {exc}"
        else:
            return Article(
                article_id=entry.entry_id,
                feed_name=entry.feed_name,
                url=entry.url,
                canonical_url=canonical_url(content.canonical_url or page.final_url),
                title=content.title or entry.title,
                text=content.text,
                source=_outlet(content.sitename, page.final_url, entry.feed_name),
                extraction="page",
                published=entry.published or content.published,
                author=content.author or entry.author,
                lang=content.lang or detect_language(f"{entry.title}\n{content.text}"),
            )
    elif not entry.url:
        note = "entry has no link: feed summary used"
    else:
        note = "page fetching is off: feed summary used"
    return Article(
        article_id=entry.entry_id,
        feed_name=entry.feed_name,
        url=entry.url,
        canonical_url=canonical_url(entry.url) if entry.url else None,
        title=entry.title,
        text=entry.summary,
        source=entry.feed_name,
        extraction="summary",
        published=entry.published,
        author=entry.author,
        lang=detect_language(f"{entry.title}\n{entry.summary}"),
        extraction_note=note,
    )
