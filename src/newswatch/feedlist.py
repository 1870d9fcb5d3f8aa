"""The feeds file: a YAML mapping with a `feeds:` list of `{name, url, tags}`.

Pure: it parses and edits the file's text; reading and writing the file is the caller's.
"""

from __future__ import annotations

from collections.abc import Sequence

import yaml

from newswatch.errors import ConfigError
from newswatch.models import Feed
from newswatch.yamlfile import parse_mapping

_KEYS = {"name", "url", "tags"}


def parse_feeds(content: str | bytes, *, path: str = "<feeds>") -> list[Feed]:
    """Parse a feeds file's text; the first problem is a ConfigError with file and line."""
    root = parse_mapping(content, path=path, what="a feeds file")
    if root is None:
        raise ConfigError("empty feeds file: expected a 'feeds:' list", path=path, line=1)
    items = None
    for key, key_node, value in root.items("a feeds file"):
        if key != "feeds":
            raise key_node.error(f"unknown top-level key {key!r} (only 'feeds' is allowed)")
        items = value
    if items is None:
        raise ConfigError("'feeds' must be a list of {name, url, tags}", path=path, line=1)
    if not items.is_sequence:
        if items.value is None:  # `feeds:` with nothing under it: no feeds yet
            return []
        raise items.error("'feeds' must be a list of {name, url, tags}")

    feeds: list[Feed] = []
    seen: dict[str, int] = {}
    for node in items.children("'feeds'"):
        line = node.line
        data = node.value
        if not isinstance(data, dict):
            raise node.error("each feed must be a mapping with name and url")
        unknown = set(data) - _KEYS
        if unknown:
            raise node.error(f"unknown key(s) {sorted(unknown)} in feed")
        url = data.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise node.error(f"feed url must be an http(s) URL, got {url!r}")
        name = data.get("name") or url
        if not isinstance(name, str):
            raise node.error(f"feed name must be text, got {name!r}")
        tags = data.get("tags") or []
        if isinstance(tags, str):
            tags = [tags]
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise node.error("feed tags must be a list of words")
        if url in seen:
            raise node.error(f"feed {url} is listed twice (first at line {seen[url]})")
        seen[url] = line
        feeds.append(Feed(name=name, url=url, tags=tuple(tags)))
    return feeds


def add_feeds(text: str | None, new: Sequence[Feed], *, path: str = "<feeds>") -> tuple[str, int]:
    """The feeds file's text with `new` feeds added (URLs already listed are skipped).

    Block lists are appended to, so the user's comments and order stay; an empty or
    flow-style list (`feeds: []`) is written out again as a block list. Returns the new
    text and how many feeds were added; the text is parsed again before it is returned,
    so a caller never writes a file that would not load.
    """
    existing = parse_feeds(text, path=path) if text and text.strip() else []
    known = {f.url for f in existing}
    fresh = [f for f in new if f.url not in known]
    if not fresh:
        return text or "", 0
    items = [
        {"name": f.name, "url": f.url, **({"tags": list(f.tags)} if f.tags else {})} for f in fresh
    ]
    block = yaml.safe_dump(items, allow_unicode=True, sort_keys=False, default_flow_style=False)
    indented = "".join(f"  {line}\n" for line in block.splitlines())
    root = parse_mapping(text, path=path, what="a feeds file") if text and text.strip() else None
    feeds_node = root.get("feeds") if root is not None else None
    if (
        feeds_node is not None
        and feeds_node.is_sequence
        and getattr(feeds_node.raw, "flow_style", None) is False
    ):
        out = text or ""
        if not out.endswith("\n"):
            out += "\n"
        out += indented
    else:
        everything = [
            {"name": f.name, "url": f.url, **({"tags": list(f.tags)} if f.tags else {})}
            for f in existing
        ] + items
        listed = yaml.safe_dump(
            everything, allow_unicode=True, sort_keys=False, default_flow_style=False
        )
        out = "feeds:\n" + "".join(f"  {line}\n" for line in listed.splitlines())
    parse_feeds(out, path=path)
    return out, len(fresh)
