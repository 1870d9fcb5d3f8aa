"""parse_feed on hand-written feeds, and on the whole shared feed corpus fetched over a local server."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newswatch.adapters.feeds import parse_feed, plain_text
from newswatch.adapters.http import Fetcher
from newswatch.models import Feed
from newswatch.urls import entry_id_for
from tests.support.httpserver import LocalHTTPServer

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus" / "feeds"
FEED = Feed(name="local", url="http://127.0.0.1:9/news/feed.xml")
RSS_HEADERS = {"Content-Type": "application/rss+xml; charset=utf-8"}


def rss(items: str, *, channel: str = "<title>Local &amp; News</title>") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"{channel}{items}</channel></rss>"
    ).encode()


def test_items_become_entries_with_plain_text_utc_dates_and_absolute_links() -> None:
    body = rss(
        "<item><title>Floods &lt;b&gt;hit&lt;/b&gt; the &amp;amp; coast</title>"
        "<link>/a/1?utm_source=rss</link><guid isPermaLink='false'>id-1</guid>"
        "<description>&lt;p&gt;Rivers &lt;em&gt;rose&lt;/em&gt;, &amp;quot;fast&amp;quot;.&lt;/p&gt;"
        "&lt;script&gt;alert(1)&lt;/script&gt;</description>"
        "<pubDate>Tue, 02 Jan 2024 10:30:00 +0200</pubDate><author>ed@example.com (Ed)</author>"
        "</item>"
    )
    parsed = parse_feed(body, RSS_HEADERS, feed=FEED)
    assert parsed.problem is None
    assert parsed.format == "rss20"
    assert parsed.title == "Local & News"
    (entry,) = parsed.entries
    assert entry.entry_id == entry_id_for("id-1", None, None, None)[0]
    assert entry.id_source == "guid"
    assert entry.title == "Floods hit the & coast"
    assert entry.summary == 'Rivers rose, "fast".'
    assert "alert" not in entry.summary
    assert entry.url == "http://127.0.0.1:9/a/1?utm_source=rss"
    assert entry.published == datetime(2024, 1, 2, 8, 30, tzinfo=UTC)
    assert entry.published.tzinfo is not None
    assert entry.author and "Ed" in entry.author
    assert (entry.feed_name, entry.feed_url) == (FEED.name, FEED.url)


def test_content_location_is_the_base_for_relative_links() -> None:
    body = rss("<item><title>t</title><link>story/2</link></item>")
    headers = {**RSS_HEADERS, "Content-Location": "https://news.example.org/section/feed"}
    (entry,) = parse_feed(body, headers, feed=FEED).entries
    assert entry.url == "https://news.example.org/section/story/2"
    assert entry.id_source == "url"


def test_atom_entries_use_id_content_and_updated() -> None:
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:feed</id>
<updated>2024-03-01T00:00:00Z</updated>
<entry><id>urn:entry:1</id><title type="html">One &amp;amp; two</title>
<link rel="alternate" href="https://example.org/one"/>
<updated>2024-03-01T12:00:00-05:00</updated>
<summary>Short.</summary>
<content type="html">&lt;p&gt;The long body of the entry, longer than the summary.&lt;/p&gt;</content>
</entry></feed>"""
    parsed = parse_feed(body, {"content-type": "application/atom+xml"}, feed=FEED)
    (entry,) = parsed.entries
    assert parsed.format == "atom10"
    assert entry.id_source == "guid"
    assert entry.title == "One & two"
    assert entry.summary == "The long body of the entry, longer than the summary."
    assert entry.url == "https://example.org/one"
    assert entry.published == datetime(2024, 3, 1, 17, 0, tzinfo=UTC)


def test_duplicate_guids_give_one_entry() -> None:
    item = "<item><title>{}</title><guid>same</guid><link>https://example.org/{}</link></item>"
    body = rss(
        item.format("first", 1)
        + item.format("second", 2)
        + item.format("x", 3).replace("same", "other")
    )
    entries = parse_feed(body, RSS_HEADERS, feed=FEED).entries
    assert [e.title for e in entries] == ["first", "x"]


def test_missing_title_link_and_guid_are_handled() -> None:
    long_text = "word " * 60
    body = rss(
        f"<item><description>{long_text}</description></item>"
        "<item><title>Only a title</title></item>"
        "<item><link>https://www.example.org/x/?utm_medium=rss</link></item>"
        "<item><guid>   </guid><link>https://example.org/y</link><title>blank guid</title></item>"
    )
    derived, titled, link_only, blank_guid = parse_feed(body, RSS_HEADERS, feed=FEED).entries
    assert derived.title.startswith("word word") and len(derived.title) <= 125
    assert derived.id_source == "hash" and derived.url is None
    assert titled.title == "Only a title" and titled.id_source == "hash"
    assert link_only.id_source == "url" and link_only.title == link_only.url
    assert link_only.entry_id == entry_id_for(None, "https://example.org/x", None, None)[0]
    assert blank_guid.id_source == "url"


def test_bad_dates_give_none_and_non_web_links_are_dropped() -> None:
    body = rss(
        "<item><title>t</title><pubDate>not a date at all</pubDate>"
        "<link>javascript:alert(1)</link></item>"
    )
    (entry,) = parse_feed(body, RSS_HEADERS, feed=FEED).entries
    assert entry.published is None
    assert entry.url is None


def test_charset_comes_from_the_content_type_header() -> None:
    body = rss("<item><title>Новости дня</title></item>").replace(b'encoding="utf-8"', b"")
    encoded = body.decode("utf-8").encode("windows-1251")
    parsed = parse_feed(encoded, {"Content-Type": "text/xml; charset=windows-1251"}, feed=FEED)
    assert parsed.entries[0].title == "Новости дня"


def test_html_page_is_a_problem_not_entries() -> None:
    page = b"<!DOCTYPE html><html><head><title>Home</title></head><body><p>Hi</p></body></html>"
    parsed = parse_feed(page, {"Content-Type": "text/html; charset=utf-8"}, feed=FEED)
    assert parsed.entries == ()
    assert parsed.problem == "an HTML page, not a feed"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"", "empty response"),
        (b"   \n", "empty response"),
        (b"just some text", "not a feed"),
        (b'{"items": []}', "not a feed"),
        (b"<rss version='2.0'><channel><item><title>x</ti", "not well-formed"),
    ],
)
def test_bodies_without_entries_say_why(body: bytes, expected: str) -> None:
    parsed = parse_feed(body, {"Content-Type": "application/xml"}, feed=FEED)
    assert parsed.entries == ()
    assert parsed.problem and expected in parsed.problem


def test_bozo_feed_with_entries_keeps_them_and_records_the_problem() -> None:
    body = rss("<item><title>Fish & chips</title><link>https://example.org/a?x=1&y=2</link></item>")
    parsed = parse_feed(body, RSS_HEADERS, feed=FEED)
    assert [e.title for e in parsed.entries] == ["Fish & chips"]
    assert parsed.problem and "not well-formed" in parsed.problem


def test_well_formed_empty_feed_has_no_problem() -> None:
    parsed = parse_feed(rss(""), RSS_HEADERS, feed=FEED)
    assert parsed.entries == () and parsed.problem is None and parsed.format == "rss20"


def test_feed_served_as_text_plain_still_parses_without_problem() -> None:
    body = rss("<item><title>t</title><guid>g</guid></item>")
    parsed = parse_feed(body, {"Content-Type": "text/plain"}, feed=FEED)
    assert len(parsed.entries) == 1 and parsed.problem is None


def test_body_is_never_taken_for_a_url_or_a_file(
    http_server: LocalHTTPServer, tmp_path: Path
) -> None:
    http_server.add("/feed.xml", rss("<item><title>fetched!</title></item>"))
    secret = tmp_path / "feed.xml"
    secret.write_bytes(rss("<item><title>read from disk!</title></item>"))
    for body in (http_server.url("/feed.xml").encode(), str(secret).encode()):
        parsed = parse_feed(body, {}, feed=FEED)
        assert parsed.entries == () and parsed.problem
    assert http_server.requests == []


def test_plain_text_keeps_words_apart_but_inline_tags_tight() -> None:
    assert plain_text("<p>One</p><p>Two</p>") == "One Two"
    assert plain_text("<b>Hello</b>, <a href='x'>world</a>&nbsp;&amp; all") == "Hello, world & all"
    assert plain_text(None) == ""


def test_plain_text_drops_scripts_and_styles_whole() -> None:
    """feedparser's sanitizer is not run (nothing of the markup is kept): code inside a
    summary's script or style never becomes text; an unclosed one loses its tag only."""
    summary = (
        "Flood <script type='text/javascript'>steal(document.cookie)</script>warning"
        "<STYLE>p { color: red }</STYLE> issued <noscript>enable JS</noscript>today"
    )
    assert plain_text(summary) == "Flood warning issued today"
    assert plain_text("Flood <script>unclosed") == "Flood unclosed"
    body = (
        b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title><item>"
        b"<title>Flood</title><link>/a</link><description>&lt;p&gt;Rivers rose"
        b"&lt;script&gt;alert(1)&lt;/script&gt; overnight&lt;/p&gt;</description>"
        b"</item></channel></rss>"
    )
    parsed = parse_feed(body, {}, feed=Feed(name="f", url="https://news.example.org/rss"))
    (entry,) = parsed.entries
    assert (entry.summary, entry.url) == ("Rivers rose overnight", "https://news.example.org/a")


# -- the shared corpus, fetched over a real local server --------------------------------------

_HEADER = re.compile(rb"^Header:[ \t]*([^:\r\n]+):[ \t]*(.*?)\s*$", re.M)
REAL_COUNTS = {
    "real/mediacloud+rss-fetcher/real-cnn.rss": 69,
    "real/mediacloud+rss-fetcher/real-korean-times.rss": 195,
    "real/miniflux+v2/encoding_ISO-8859-1.xml": 40,
    "real/miniflux+v2/encoding_WINDOWS-1251.xml": 50,
    "real/miniflux+v2/rdf_UTF8.xml": 60,
    "real/miniflux+v2/urdu_UTF8.xml": 26,
    "real/huginn+huginn/podcast.rss": 4,
    "real/huginn+huginn/youtube.xml": 15,
}


def _corpus_files() -> list[str]:
    if not CORPUS.is_dir():
        return []
    return sorted(
        p.relative_to(CORPUS).as_posix()
        for p in CORPUS.rglob("*")
        if p.is_file() and "LICENSES" not in p.parts and p.suffix in {".xml", ".rss", ".atom"}
    )


def _declared_headers(body: bytes) -> dict[str, str]:
    """The `Header:` lines of a feedparser test file's opening comment."""
    head = body[: body.find(b"-->")] if b"-->" in body[:4000] else b""
    return {
        m.group(1).decode().strip(): m.group(2).decode("latin-1") for m in _HEADER.finditer(head)
    }


@pytest.fixture(scope="module")
def corpus_server() -> Iterator[LocalHTTPServer]:
    with LocalHTTPServer() as server:
        for rel in _corpus_files():
            body = (CORPUS / rel).read_bytes()
            server.add("/" + rel, body, headers=_declared_headers(body))
        yield server


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared feed corpus not found at {CORPUS}")
@pytest.mark.parametrize("rel", _corpus_files() or ["(none)"])
def test_every_corpus_feed_fetches_and_parses_without_raising(
    corpus_server: LocalHTTPServer, rel: str
) -> None:
    with Fetcher(timeout_seconds=10.0) as fetcher:
        result = fetcher.fetch(corpus_server.url("/" + rel))
    feed = Feed(name=rel, url=result.final_url)
    parsed = parse_feed(result.body, result.headers, feed=feed)

    # Entries, or a recorded problem, or a recognised feed that simply has no items.
    assert parsed.entries or parsed.problem or parsed.format, rel
    ids = [e.entry_id for e in parsed.entries]
    assert len(ids) == len(set(ids))
    for entry in parsed.entries:
        assert entry.published is None or entry.published.tzinfo is not None
        assert entry.url is None or entry.url.startswith(("http://", "https://"))
        assert "<script" not in entry.title.lower() and "<script" not in entry.summary.lower()
    if rel.startswith("hostile/"):
        # The entity bomb is refused by expat, never expanded.
        assert parsed.problem and "amplification" in parsed.problem
        assert all(len(e.title) < 100 for e in parsed.entries)
        assert len(parsed.title or "") < 100
    if rel.startswith("real/"):
        assert parsed.problem is None and parsed.entries
    if rel in REAL_COUNTS:
        assert len(parsed.entries) == REAL_COUNTS[rel]


def test_json_feed_items_become_entries() -> None:
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "Steppe Wire",
            "home_page_url": "https://wire.example.org/",
            "items": [
                {
                    "id": "42",
                    "url": "/2022/01/05/almaty",
                    "title": "Protests in <b>Almaty</b>",
                    "content_html": "<p>Police used tear gas &amp; stun grenades.</p>",
                    "date_published": "2022-01-05T10:00:00+06:00",
                    "authors": [{"name": "A. Writer"}],
                },
                {"id": "42", "title": "a repeated id is one entry"},
                {"id": "43", "content_text": "No title here, only text about Aktau."},
                {"id": "44"},
                "not an item",
            ],
        }
    ).encode()
    parsed = parse_feed(body, {"Content-Type": "application/feed+json"}, feed=FEED)
    assert parsed.format == "json1.1" and parsed.problem is None and parsed.title == "Steppe Wire"
    first, second = parsed.entries
    assert first.url == "https://wire.example.org/2022/01/05/almaty"
    assert first.title == "Protests in Almaty"
    assert first.summary == "Police used tear gas & stun grenades."
    assert first.published == datetime(2022, 1, 5, 4, 0, tzinfo=UTC)
    assert first.author == "A. Writer" and first.id_source == "guid"
    assert second.title.startswith("No title here") and second.url is None


def test_broken_json_feed_is_a_problem() -> None:
    parsed = parse_feed(b'{"version": "https://jsonfeed.org/version/1", "items": [', {}, feed=FEED)
    assert parsed.entries == () and "not valid JSON" in (parsed.problem or "")


def test_google_news_sitemap_entries() -> None:
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://wire.example.org/2022/01/06/csto</loc>
    <news:news><news:publication><news:name>Steppe Wire</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>2022-01-06T08:30:00+06:00</news:publication_date>
      <news:title>CSTO troops land in Almaty</news:title></news:news></url>
  <url><loc>https://wire.example.org/about</loc></url>
  <url><loc>javascript:alert(1)</loc><news:news><news:title>x</news:title></news:news></url>
</urlset>"""
    parsed = parse_feed(body, {"Content-Type": "application/xml"}, feed=FEED)
    assert parsed.format == "news-sitemap" and parsed.problem is None
    (entry,) = parsed.entries
    assert entry.url == "https://wire.example.org/2022/01/06/csto"
    assert entry.title == "CSTO troops land in Almaty" and entry.author == "Steppe Wire"
    assert entry.published == datetime(2022, 1, 6, 2, 30, tzinfo=UTC)
    plain = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a.example.org/</loc></url></urlset>'
    assert "without Google News" in (parse_feed(plain, {}, feed=FEED).problem or "")
