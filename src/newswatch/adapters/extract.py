"""Article extraction with trafilatura: main text and metadata from a page.

Rules, and why:
- trafilatura returns None when it finds no article; that, and a text shorter than
  `MIN_TEXT_CHARS`, become a PermanentError naming the URL, so the caller falls back to the
  feed's summary and records why (a 40-character "text" is a cookie banner, not an article).
- Pages over `MAX_HTML_BYTES` are refused before parsing: lxml's time and memory grow with
  the page, and no news article needs 5 MB of HTML.
- Comments are left out: on the 181-page extraction benchmark that raises F1 from 0.953 to
  0.960 (see ../shared/corpus/extraction/README.md).
- trafilatura's fallback extractors (readability, jusText: `fast=True` leaves them out)
  are not run: on the same 181 pages they cost 30% of the extraction time (12.7 -> 8.8 ms
  of CPU per page) and lower F1 (0.962 without them, 0.960 with), no page loses more than
  0.1 of its recall without them and none comes out shorter than `MIN_TEXT_CHARS`.
- Bytes are handed to trafilatura as they are: it reads the charset from the page and
  falls back to detection, which is better than any guess made here.
- The page is parsed once (trafilatura's `load_html`); metadata and the main text are read
  from that one tree, metadata first, as `bare_extraction(with_metadata=True)` does.
- Only the metadata the pipeline uses is looked for (no categories, tags, licence), and
  what the feed already gives is not looked for again: with the entry's `published`,
  the page's date search (htmldate, the dearest part: ~40% of the metadata time on the
  extraction corpus) is skipped. The author is read from the page's meta tags and
  JSON-LD, else the feed's; the body is not searched for a byline (trafilatura's search
  copies the whole tree: 3.8 ms a page where it ran, on 88 of the 181 corpus pages, for
  an author nothing downstream shows or stores). The title is always the page's: it is
  cheap, and the page's title is the better one.
- The canonical link and `<html lang>` are read from the parsed tree's head, before
  extraction prunes it.
- `canonical_url` is trafilatura's page URL (rel=canonical, else og:url, else the `url`
  given), or a relative rel=canonical it dropped, made absolute against `url`; `lang` is
  the `<html lang>` primary subtag (trafilatura fills its own only when filtering by one);
  `published` is the feed's date when given, else the page's as an aware UTC datetime
  (midnight when the page gives only a day); `author` is the page's meta/JSON-LD author,
  else the feed's when given.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura import metadata as trafilatura_metadata
from trafilatura.settings import Document, Extractor
from trafilatura.utils import load_html

from newswatch.errors import PermanentError

log = logging.getLogger(__name__)

MAX_HTML_BYTES = 5_000_000
MIN_TEXT_CHARS = 200
# Head hints that trafilatura leaves out: it keeps a canonical link only when it is absolute
# (or an og: URL gives the base), and fills `language` only when asked to filter by one.
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class PageContent:
    """What trafilatura found on one page; `text` is the main text, paragraphs on lines."""

    title: str | None
    text: str
    author: str | None
    published: datetime | None
    lang: str | None
    canonical_url: str | None
    sitename: str | None


def extract_page(
    html: bytes | str,
    *,
    url: str,
    published: datetime | None = None,
    author: str | None = None,
) -> PageContent:
    """Extract the article of one page fetched from `url`.

    `published` and `author` are what the feed entry says, when it says it: the page is
    then not searched for them (see the module's rules).

    Raises PermanentError (with `url`) for a page over the size cap, an empty page, a page
    trafilatura cannot parse, and a page with no article text or one too short to be one.
    """
    size = len(html) if isinstance(html, bytes) else len(html.encode("utf-8", "replace"))
    if size > MAX_HTML_BYTES:
        raise PermanentError(
            f"page of {size} bytes is over the {MAX_HTML_BYTES}-byte extraction cap", url=url
        )
    if not (html.strip() if isinstance(html, str) else html.strip()):
        raise PermanentError("empty page: no article text", url=url)
    options = Extractor(output_format="python", comments=False, url=url, fast=True)
    try:
        tree = load_html(html, options.max_file_size)
        if tree is None:
            raise PermanentError("no article text found on the page", url=url)
        hints = _head_hints(tree)
        meta = _page_metadata(tree, url, options, need_date=published is None, author=author)
        doc = bare_extraction(tree, options=options)
    except (ValueError, TypeError, LookupError, RecursionError, UnicodeError) as exc:
        raise PermanentError(
            f"page could not be parsed: {type(exc).__name__}: {exc}", url=url
        ) from exc
    if not isinstance(doc, Document):
        raise PermanentError("no article text found on the page", url=url)
    text = (doc.text or "").strip()
    if len(text) < MIN_TEXT_CHARS:
        raise PermanentError(
            f"extracted text too short to be an article ({len(text)} characters, "
            f"at least {MIN_TEXT_CHARS} needed)",
            url=url,
        )
    canonical = meta.url
    if (not canonical or canonical == url) and hints.get("canonical"):
        canonical = hints["canonical"]
    return PageContent(
        title=_clean(meta.title),
        text=text,
        author=_clean(meta.author),
        published=published if published is not None else _date(meta.date),
        lang=_clean(meta.language) or hints.get("lang"),
        canonical_url=_absolute(url, canonical),
        sitename=_clean(meta.sitename),
    )


def _page_metadata(
    tree: HtmlElement, url: str, options: Extractor, *, need_date: bool, author: str | None
) -> Document:
    """trafilatura's `extract_metadata`, reduced to the fields used here (same order, same
    rules), without the date search unless `need_date` and without the byline search in
    the body (the feed's `author` stands in when the page's head names nobody)."""
    meta = trafilatura_metadata.examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None
    try:
        meta = trafilatura_metadata.extract_meta_json(tree, meta)
    except Exception as exc:  # noqa: BLE001 - trafilatura guards its JSON-LD reader the same way
        log.debug("JSON-LD metadata of %s not read: %s", url, exc)
    if not meta.title:
        meta.title = trafilatura_metadata.extract_title(tree)
    if not meta.author:
        meta.author = author
    if not meta.url:
        meta.url = trafilatura_metadata.extract_url(tree, url)
    if need_date:
        meta.date = trafilatura_metadata.find_date(tree, **{**options.date_params, "url": meta.url})
    if not meta.sitename:
        meta.sitename = trafilatura_metadata.extract_sitename(tree)
    if meta.sitename:
        meta.sitename = meta.sitename.lstrip("@")
        if meta.sitename and "." not in meta.sitename and not meta.sitename[0].isupper():
            meta.sitename = meta.sitename.title()
    elif meta.url and (host := trafilatura_metadata.META_URL.match(meta.url)):
        meta.sitename = host[1]
    meta.clean_and_trim()
    return meta


def _head_hints(tree: HtmlElement) -> dict[str, str]:
    """`canonical` (href of rel=canonical, maybe relative) and `lang` from the page's tags."""
    hints: dict[str, str] = {}
    lang = (tree.get("lang") or "").strip()
    if _LANG.match(lang):
        hints["lang"] = lang.split("-")[0].split("_")[0].lower()
    for link in tree.iterfind(".//link[@rel]"):
        if "canonical" in (link.get("rel") or "").lower().split():
            hints["canonical"] = (link.get("href") or "").strip()
            break
    return {k: v for k, v in hints.items() if v}


def _clean(value: object) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _absolute(base: str, link: object) -> str | None:
    if not isinstance(link, str) or not link.strip():
        return None
    try:
        absolute = urljoin(base, link.strip())
    except ValueError:
        return None
    return absolute if urlsplit(absolute).scheme in ("http", "https", "file") else None


def _date(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
