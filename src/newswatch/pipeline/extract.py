"""Stage 2, entries -> articles: fetch each entry's page and extract its text and metadata.

One call per batch of entries; safe to run in parallel. A page that cannot be used
(refused by robots.txt or the SSRF guard, an HTTP error, nothing extractable) falls
back to the feed's summary, and the article says why.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from urllib.parse import urlsplit

from newswatch.adapters.extract import PageContent
from newswatch.adapters.extract_pool import PageJob, shared_pool
from newswatch.adapters.http import Fetcher, PageMemo
from newswatch.errors import NewswatchError
from newswatch.models import Article, Entry, FetchResult
from newswatch.pipeline.runtime import open_fetcher
from newswatch.pipeline.settings import Settings
from newswatch.text import detect_language, load_language_model
from newswatch.urls import canonical_url

# A batch holds at most this many entries: pages in flight are at most this many times
# batches_in_flight (their HTML in memory at once).
MAX_BATCH = 100


def warm_up(entries: Sequence[Entry]) -> None:
    """Before a run extracts `entries` (if any): load the language model on a thread of
    its own, so the first article without a declared language does not wait for it."""
    if entries:
        load_language_model()


def batches(entries: Sequence[Entry], settings: Settings) -> list[list[Entry]]:
    """The entries in batches of one task each: `article_batch_size` each, or, when there
    are more entries than `batches_in_flight` such batches hold, spread evenly over
    `batches_in_flight` batches (at most MAX_BATCH each). Every batch costs the run and
    the Prefect server a task run (about 5 ms of CPU and a few requests) however many
    pages it holds; a large run then pays that for `batches_in_flight` tasks, not for one
    task per 25 pages, and still fetches `batches_in_flight` pages at once."""
    n = len(entries)
    spread = -(-n // settings.batches_in_flight)  # ceiling
    size = max(settings.article_batch_size, min(spread, MAX_BATCH))
    return [list(entries[i : i + size]) for i in range(0, n, size)]


def extract_entries(
    entries: Sequence[Entry], settings: Settings, *, order: int = 0
) -> list[Article]:
    """Fetch each entry's page (I/O, on this thread) and extract it, in this process or on
    the extraction pool (NEWSWATCH_EXTRACT_WORKERS); fall back to the feed's summary,
    saying why. Each page goes to the pool as soon as it is fetched; the pool extracts a
    batch of a lower `order` (a run's earlier batch) first. The feed's date and author are
    handed to extraction, which then does not search the page for them again."""
    fetched: list[FetchResult | str] = []

    def jobs() -> Iterator[PageJob]:
        with open_fetcher(settings, pages=PageMemo()) as fetcher:
            for entry in entries:
                page = _fetch_page(entry, fetcher, settings)
                fetched.append(page)
                if isinstance(page, FetchResult):
                    yield PageJob(
                        page.final_url, page.body, published=entry.published, author=entry.author
                    )

    contents = iter(shared_pool(settings.extract_workers).extract_pages(jobs(), priority=order))
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


def _outlet(sitename: str | None, url: str, feed_name: str) -> str:
    """The page's own site name, unless it is only the host (then the feed's name says more)."""
    if not sitename:
        return feed_name
    host = urlsplit(url).netloc.lower()
    bare = sitename.strip().lower()
    if bare in {host, host.removeprefix("www."), host.split(":")[0]}:
        return feed_name
    return sitename


def _page_article(entry: Entry, page: FetchResult, content: PageContent) -> Article:
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
