"""OPML import and export of the feeds list, and feed autodiscovery in a site's home page.

OPML and HTML come from outside: they are parsed with lxml with entity expansion and
network access off (a billion-laughs file is refused, never expanded).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.sax.saxutils import quoteattr

from lxml import etree
from lxml import html as lxml_html

from newswatch.errors import ConfigError
from newswatch.models import Feed

FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
)


class UnsafeXMLError(ValueError):
    """XML from outside that declares a DTD or entities (how XML bombs are built)."""


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
    """The feeds of an OPML file (every outline with an http(s) `xmlUrl`, nested or not)."""
    try:
        root = parse_untrusted_xml(data)
    except UnsafeXMLError as exc:
        raise ConfigError(f"OPML refused: {exc}", path=path, line=1) from exc
    except etree.XMLSyntaxError as exc:
        raise ConfigError(f"not valid OPML: {exc}", path=path, line=exc.lineno) from exc
    if root.tag != "opml":
        raise ConfigError("not an OPML file (no <opml> root)", path=path, line=1)
    feeds: list[Feed] = []
    seen: set[str] = set()
    for node in root.iter("outline"):
        url = (node.get("xmlUrl") or "").strip()
        if not url.startswith(("http://", "https://")) or url in seen:
            continue
        seen.add(url)
        name = (node.get("title") or node.get("text") or url).strip()
        category = [c.strip() for c in (node.get("category") or "").split(",") if c.strip()]
        feeds.append(Feed(name=name, url=url, tags=tuple(category)))
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
