"""Canonical URLs and the entry id cascade (pure)."""

from __future__ import annotations

import re

import pytest

from newswatch.urls import canonical_url, entry_id_for

BASE = "https://example.com/news/story"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # scheme, host case, www., fragment, trailing slash
        ("http://WWW.Example.COM/news/story/#comments", BASE),
        ("https://example.com/news/story/", BASE),
        ("  https://example.com/news/story  ", BASE),
        # tracking parameters, from courlan's list and ours
        ("https://example.com/news/story?utm_source=rss&utm_medium=feed&utm_campaign=x", BASE),
        ("https://example.com/news/story?fbclid=IwAR0abc&gclid=xyz&msclkid=1", BASE),
        ("https://example.com/news/story?cmpid=rss&ocid=msn&smid=tw-share&_ga=1.2", BASE),
        # AMP and mobile variants
        ("https://example.com/news/story/amp", BASE),
        ("https://example.com/news/amp/story", BASE),
        ("https://example.com/news/story.amp", BASE),
        ("https://example.com/news/story?amp=1", BASE),
        ("https://example.com/news/story?amp", BASE),
        ("https://example.com/news/story?outputType=amp", BASE),
        ("https://m.example.com/news/story", BASE),
        ("https://amp.example.com/news/story", BASE),
        ("https://mobile.example.com/news/story", BASE),
        ("https://example-com.cdn.ampproject.org/c/s/www.example.com/news/story/amp/", BASE),
        # default ports and credentials
        ("http://example.com:80/news/story", BASE),
        ("https://user:secret@example.com:443/news/story", BASE),
    ],
)
def test_variants_of_one_page_share_its_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # parameters that choose the page are kept, sorted by name
        (
            "https://example.com/search?q=floods&page=2",
            "https://example.com/search?page=2&q=floods",
        ),
        (
            "https://example.com/article.php?id=42&utm_source=x",
            "https://example.com/article.php?id=42",
        ),
        # a non-default port is part of the address
        ("http://example.com:8080/a/", "https://example.com:8080/a"),
        # path case matters; host case does not
        ("https://EXAMPLE.com/News/Story", "https://example.com/News/Story"),
        # words that merely contain "amp" are not AMP markers
        ("https://example.com/ampersand/camp", "https://example.com/ampersand/camp"),
        # a www. that is the whole registrable part stays
        ("https://www.com/a", "https://www.com/a"),
        ("https://example.com/", "https://example.com"),
        ("http://[::1]:80/a", "https://[::1]/a"),
        # non-ASCII paths are percent-quoted, the same way every time
        (
            "https://example.com/nachrichten/überflutung",
            "https://example.com/nachrichten/%C3%BCberflutung",
        ),
    ],
)
def test_canonical_form_keeps_what_identifies_the_page(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "   ",
        "garbage",
        "/relative/path",
        "example.com/news",
        "mailto:desk@example.com",
        "javascript:alert(1)",
        "ftp://example.com/file",
        "file:///etc/passwd",
        "data:text/html,<p>x</p>",
        "http://",
        "https://",
        "http://exa<mple.com/",
        'https://example.com/"onmouseover="x',
        "http://example.com:99999/a",
        "http://[::1/a",
    ],
)
def test_non_http_or_garbage_has_no_canonical_url(url: str | None) -> None:
    assert canonical_url(url) is None


def test_canonical_url_is_idempotent() -> None:
    for url in (
        "http://WWW.Example.COM/a/amp/?utm_source=x&b=2&a=1#f",
        "https://m.example.com/ü?q=ä",
    ):
        once = canonical_url(url)
        assert once is not None
        assert canonical_url(once) == once


ID = re.compile(r"^[ghu]-[0-9a-f]{24}$")


def test_guid_comes_first() -> None:
    entry_id, source = entry_id_for("tag:example.com,2024:1", "https://example.com/a", "T", "S")
    assert source == "guid" and ID.match(entry_id) and entry_id.startswith("g-")
    # the same GUID with another title, link or date is the same entry
    assert entry_id_for("tag:example.com,2024:1", "https://example.com/b", "T2", "")[0] == entry_id
    assert entry_id_for("  tag:example.com,2024:1\n", None, None, None)[0] == entry_id


@pytest.mark.parametrize("guid", [None, "", "   \n"])
def test_empty_guid_falls_back_to_the_canonical_link(guid: str | None) -> None:
    entry_id, source = entry_id_for(guid, "http://www.example.com/a/?utm_source=rss", "T", "S")
    assert source == "url" and entry_id.startswith("u-") and ID.match(entry_id)
    assert entry_id_for(None, "https://example.com/a", "other", "")[0] == entry_id


def test_without_guid_or_usable_link_the_content_hash_is_used() -> None:
    entry_id, source = entry_id_for(
        None, "javascript:void(0)", "Floods  hit\tthe coast", "Rivers rose."
    )
    assert source == "hash" and entry_id.startswith("h-") and ID.match(entry_id)
    # normalised: case and whitespace do not matter
    assert entry_id_for("", None, "floods hit the coast", "  RIVERS ROSE. ")[0] == entry_id
    # but which words are title and which are summary does
    assert entry_id_for(None, None, "a b", "")[0] != entry_id_for(None, None, "a", "b")[0]
    assert entry_id_for(None, None, "Other title", "Rivers rose.")[0] != entry_id


def test_ids_are_stable_known_values() -> None:
    # Pinned: ids are database keys, so changing how they are made is a migration.
    assert entry_id_for("urn:x", None, None, None) == ("g-1ff30242f9f3364b74666328", "guid")
