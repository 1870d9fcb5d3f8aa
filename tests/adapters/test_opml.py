"""OPML as feed readers export it: each fixture in data/opml/ says what it expects in
`expect: name | url | tags` lines of its opening comment; one test walks the folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswatch.adapters.opml import parse_opml, render_opml
from newswatch.errors import ConfigError

FIXTURES = sorted((Path(__file__).parent / "data" / "opml").glob("*.opml"))


def _expected(path: Path) -> list[tuple[str, str, tuple[str, ...]]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("expect:"):
            name, url, tags = (part.strip() for part in line.removeprefix("expect:").split("|"))
            rows.append((name, url, tuple(t.strip() for t in tags.split(",") if t.strip())))
    return rows


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_reader_exports_give_their_feeds_with_folders_as_tags(path: Path) -> None:
    expected = _expected(path)
    assert expected, f"{path.name} states no expectation"
    feeds = parse_opml(path.read_bytes(), path=str(path))
    assert sorted((f.name, f.url, f.tags) for f in feeds) == sorted(expected)


def test_categories_come_first_then_folders_and_export_round_trips() -> None:
    data = b"""<?xml version="1.0"?>
<opml version="2.0"><head><title>r</title></head><body>
  <outline text="Outer"><outline text="Inner">
    <outline type="rss" text="A" xmlUrl="https://a.example.org/rss" category="en,/Boston/Weather"/>
  </outline></outline>
</body></opml>"""
    (feed,) = parse_opml(data)
    assert feed.tags == ("en", "Boston", "Weather", "Outer", "Inner")
    assert parse_opml(render_opml([feed]).encode()) == [feed]


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<opml version="2.0"><body><outline text="&b;" xmlUrl="https://x.example.org/"/>'
        b"</body></opml>",
        b'<?xml version="1.0"?><opml version="2.0"><body>'
        b'<!ENTITY x SYSTEM "file:///etc/passwd"><outline text="x" xmlUrl="https://x.example.org/"/>'
        b"</body></opml>",
    ],
)
def test_dtds_and_entities_are_refused_before_listparser_sees_them(data: bytes) -> None:
    with pytest.raises(ConfigError, match="OPML refused"):
        parse_opml(data, path="bomb.opml")


def test_broken_and_foreign_xml_say_where() -> None:
    with pytest.raises(ConfigError, match=r"x.opml:2: not valid OPML"):
        parse_opml(b"<opml>\n<body><outline></body></opml>", path="x.opml")
    with pytest.raises(ConfigError, match="no <opml> root"):
        parse_opml(b"<rss><channel/></rss>", path="x.opml")
