"""`newswatch feeds add|import|export`: the feeds list from a site, an OPML file, and back."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from newswatch.adapters.opml import parse_opml
from newswatch.cli import app
from newswatch.pipeline.config import load_feeds
from tests.support.httpserver import LocalHTTPServer

runner = CliRunner()
RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Steppe Wire</title>'
    b"<item><title>A</title><link>http://127.0.0.1/a</link><guid>a</guid></item>"
    b"</channel></rss>"
)


def test_add_finds_a_sites_feed_and_appends_it_once(tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("# my feeds\nfeeds:\n  - {name: old, url: 'https://old.example.org/rss'}\n")
    with LocalHTTPServer() as server:
        home = (
            b'<html><head><link rel="alternate" type="application/rss+xml" title="Wire" '
            b'href="/feeds/main.xml"></head><body>Home</body></html>'
        )
        server.add("/", home, headers={"Content-Type": "text/html"})
        server.add("/feeds/main.xml", RSS, headers={"Content-Type": "application/rss+xml"})
        result = runner.invoke(app, ["feeds", "add", server.url("/"), "--feeds", str(feeds)])
        assert result.exit_code == 0, result.output
        again = runner.invoke(
            app, ["feeds", "add", server.url("/feeds/main.xml"), "--feeds", str(feeds)]
        )
        assert again.exit_code == 0 and "already" in again.output
    listed = load_feeds(feeds)
    assert [(f.name, f.url) for f in listed] == [
        ("old", "https://old.example.org/rss"),
        ("Steppe Wire", server.url("/feeds/main.xml")),
    ]
    assert feeds.read_text().startswith("# my feeds")  # the user's file is appended to, kept


def test_add_says_so_when_a_page_links_no_feed(tmp_path: Path) -> None:
    with LocalHTTPServer() as server:
        server.add(
            "/", b"<html><body>No feed here</body></html>", headers={"Content-Type": "text/html"}
        )
        result = runner.invoke(
            app, ["feeds", "add", server.url("/"), "--feeds", str(tmp_path / "f.yaml")]
        )
    assert result.exit_code == 1 and "links none" in result.output
    assert not (tmp_path / "f.yaml").exists()


def test_opml_import_and_export_round_trip(tmp_path: Path) -> None:
    opml = tmp_path / "reader.opml"
    opml.write_text(
        """<?xml version="1.0"?>
<opml version="2.0"><head><title>Reader</title></head><body>
  <outline text="News">
    <outline type="rss" text="Wire &amp; Co" xmlUrl="https://wire.example.org/rss" category="en,asia"/>
    <outline type="rss" text="Desk" xmlUrl="https://desk.example.org/atom"/>
  </outline>
  <outline type="rss" text="Again" xmlUrl="https://wire.example.org/rss"/>
  <outline type="rss" text="Local file" xmlUrl="file:///etc/passwd"/>
</body></opml>"""
    )
    feeds = tmp_path / "feeds.yaml"
    result = runner.invoke(app, ["feeds", "import", str(opml), "--feeds", str(feeds)])
    assert result.exit_code == 0 and "2 of 2 feeds added" in result.output
    assert [(f.name, f.url, f.tags) for f in load_feeds(feeds)] == [
        ("Wire & Co", "https://wire.example.org/rss", ("en", "asia", "News")),
        ("Desk", "https://desk.example.org/atom", ("News",)),
    ]
    exported = runner.invoke(app, ["feeds", "export", "--feeds", str(feeds)])
    assert exported.exit_code == 0
    assert parse_opml(exported.stdout.encode()) == load_feeds(feeds)


def test_an_opml_file_with_entity_expansion_is_refused_not_expanded(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.opml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        '<opml version="2.0"><body><outline text="&c;" xmlUrl="https://x.example.org/rss"/></body></opml>'
    )
    result = runner.invoke(app, ["feeds", "import", str(bomb), "--feeds", str(tmp_path / "f.yaml")])
    assert result.exit_code == 2 and "bomb.opml:1:" in result.output and "refused" in result.output
    assert not (tmp_path / "f.yaml").exists()
