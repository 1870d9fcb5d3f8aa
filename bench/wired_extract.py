"""`ingest.extract_entries` as it reads once the extraction pool is wired in.

This is the code of the wiring proposed for `newswatch.ingest` (issue 17), kept here so
that bench_pipeline.py can measure it before the lead applies it to the moved pipeline
package: the bench puts `extract_entries` in place of `newswatch.ingest.extract_entries`
in its child process only. Each batch fetches its pages on its own thread (I/O), then
hands them all to the process pool (CPU, every core); several batches run at once on the
flow's task runner, so fetching and extraction overlap.
"""

from __future__ import annotations

from collections.abc import Sequence

from newswatch import ingest
from newswatch.adapters.extract import PageContent
from newswatch.adapters.extract_pool import PageJob, shared_pool
from newswatch.adapters.http import Fetcher
from newswatch.errors import NewswatchError
from newswatch.models import Article, Entry, FetchResult
from newswatch.settings import Settings
from newswatch.text import detect_language
from newswatch.urls import canonical_url


def extract_entries(entries: Sequence[Entry], settings: Settings) -> list[Article]:
    """Fetch each entry's page, extract them all on the process pool; fall back to the
    feed's summary, saying why."""
    with ingest.open_fetcher(settings) as fetcher:
        fetched = [_fetch_page(entry, fetcher, settings) for entry in entries]
    jobs = [
        PageJob(page.final_url, page.body, published=entry.published, author=entry.author)
        for entry, page in zip(entries, fetched, strict=True)
        if isinstance(page, FetchResult)
    ]
    contents = iter(shared_pool().extract_pages(jobs))
    articles = []
    for entry, page in zip(entries, fetched, strict=True):
        if not isinstance(page, FetchResult):
            articles.append(_summary_article(entry, page))
            continue
        content = next(contents)
        if isinstance(content, PageContent):
            articles.append(_page_article(entry, page, content))
        else:
            articles.append(
                _summary_article(entry, f"page not used, feed summary instead: {content}")
            )
    return articles


def _fetch_page(entry: Entry, fetcher: Fetcher, settings: Settings) -> FetchResult | str:
    """The entry's page, or why the feed's summary stands in for it."""
    if not entry.url:
        return "entry has no link: feed summary used"
    if not settings.fetch_articles:
        return "page fetching is off: feed summary used"
    try:
        return fetcher.fetch(entry.url, robots=True)
    except NewswatchError as exc:
        return f"page not used, feed summary instead: {exc}"


def _page_article(entry: Entry, page: FetchResult, content: PageContent) -> Article:
    return Article(
        article_id=entry.entry_id,
        feed_name=entry.feed_name,
        url=entry.url,
        canonical_url=canonical_url(content.canonical_url or page.final_url),
        title=content.title or entry.title,
        text=content.text,
        source=ingest._outlet(content.sitename, page.final_url, entry.feed_name),
        extraction="page",
        published=entry.published or content.published,
        author=content.author or entry.author,
        lang=content.lang or detect_language(f"{entry.title}\n{content.text}"),
    )


def _summary_article(entry: Entry, note: str) -> Article:
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
