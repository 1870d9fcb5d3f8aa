"""OPML import and export of the feeds list, and feed autodiscovery in a site's home page.

OPML and HTML come from outside: they are parsed with lxml with entity expansion and
network access off (a billion-laughs file is refused, never expanded).

OPML as readers export it (Feedly, Inoreader, NetNewsWire, ...) is read with `listparser`
(by feedparser's maintainer), after the safe parse above has refused DTDs and entities
and checked that the file is well-formed OPML; listparser is given the re-serialised
UTF-8 tree, never the original bytes, and never a string (a string starting with http://
would make it fetch a URL). The rules:
- every outline with an http(s) `xmlUrl` is a feed (nested at any depth); an outline of
  `type="source"`, `link` or `include` is another list, and is not followed;
- its name is `@text`, else `@title` (OPML's required attribute first), else the URL;
- its tags are its `@category` entries (comma-separated; a `/a/b` path gives `a` and `b`),
  then the folders it sits in, outermost first: readers export folders as nested outlines;
- a URL listed twice is one feed with the tags of both places.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.sax.saxutils import quoteattr

import listparser
from lxml import etree
from lxml import html as lxml_html

from newswatch.errors import ConfigError, UnsafeXMLError
from newswatch.models import Feed

FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
)


def parse_untrusted_xml(data: bytes) -> Any:
    """Parse XML that came from outside: no DTD, no entities, no network, no huge trees.

    Raises UnsafeXMLError for a DOCTYPE or entity declaration (OPML and sitemaps need
    neither), and lxml's XMLSyntaxError for malformed XML."""
    if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data.upper():
        raise UnsafeXMLError("XML with a DOCTYPE or entity declarations is refused")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
    )
    return etree.fromstring(data, parser=parser)


def parse_opml(data: bytes, *, path: str = "<opml>") -> list[Feed]:
    """The feeds of an OPML file, with folders and categories as tags (see the module rules)."""
    try:
        root = parse_untrusted_xml(data)
    except UnsafeXMLError as exc:
        raise ConfigError(f"OPML refused: {exc}", path=path, line=1) from exc
    except etree.XMLSyntaxError as exc:
        raise ConfigError(f"not valid OPML: {exc}", path=path, line=exc.lineno) from exc
    if root.tag != "opml":
        raise ConfigError("not an OPML file (no <opml> root)", path=path, line=1)
    parsed = listparser.parse(etree.tostring(root, encoding="utf-8", xml_declaration=True))
    if parsed.bozo and not parsed.feeds:
        raise ConfigError(f"not valid OPML: {parsed.bozo_exception}", path=path, line=1)
    feeds: list[Feed] = []
    for found in parsed.feeds:
        url = str(found.get("url") or "").strip()
        if not url.startswith(("http://", "https://")):
            continue
        tags: dict[str, None] = {}
        for category in found.get("categories") or []:
            tags.update((str(part).strip(), None) for part in category if str(part).strip())
        name = str(found.get("title") or "").strip() or url
        feeds.append(Feed(name=name, url=url, tags=tuple(tags)))
    return feeds


def render_opml(feeds: list[Feed], *, title: str = "newswatch feeds") -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        f"  <head><title>{_text(title)}</title></head>",
        "  <body>",
    ]
    for f in feeds:
        category = f" category={quoteattr(','.join(f.tags))}" if f.tags else ""
        lines.append(
            f'    <outline type="rss" text={quoteattr(f.name)} title={quoteattr(f.name)} '
            f"xmlUrl={quoteattr(f.url)}{category}/>"
        )
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def discover_feeds(page: bytes, base_url: str) -> list[tuple[str, str]]:
    """(url, title) of the feeds a home page announces with <link rel="alternate">."""
    try:
        doc = lxml_html.fromstring(page)
    except (etree.ParserError, ValueError):
        return []
    found: list[tuple[str, str]] = []
    for link in doc.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and kind in FEED_TYPES and href:
            url = urljoin(base_url, href)
            if urlsplit(url).scheme in ("http", "https") and url not in [u for u, _ in found]:
                found.append((url, (link.get("title") or "").strip()))
    return found
