"""`newswatch feeds`: each feed's health; `feeds add` (autodiscovery), `import`, `export`."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer
from rich.table import Table

from newswatch.cli.common import DbOpt, FeedsOpt, fail, out, reported, settings
from newswatch.errors import ConfigError
from newswatch.models import Feed

feeds_app = typer.Typer(
    help="Each feed's health; and the feeds list: add a site (autodiscovery), import or "
    "export OPML.",
    invoke_without_command=True,
)


@feeds_app.callback()
def feeds(ctx: typer.Context, db: DbOpt = None) -> None:
    """Show each polled feed's health: last success, failures in a row, next poll, last error.

    A feed that failed 5 times in a row is unhealthy: still polled, at a slow pace
    (its wait doubles with each failure, up to a day)."""
    if ctx.invoked_subcommand:
        return
    from newswatch.pipeline.runtime import open_existing_store

    chosen = settings(db_url=db)
    with reported(), open_existing_store(chosen) as store:
        states = store.feed_states() if store is not None else []
    if not states:
        out.print("no feed polled yet")
        return
    table = Table("health", "last success", "failures", "next poll", "every")
    table.add_column("feed", overflow="fold")
    table.add_column("last error", overflow="fold")

    def when(value: datetime | None) -> str:
        return value.strftime("%Y-%m-%d %H:%M") if value else "-"

    for s in states:
        health = "ok" if s.healthy else "[red]unhealthy[/]"
        every = f"{s.poll_interval // 60} min" if s.poll_interval else "-"
        name = f"{s.name}\n{s.url}" if s.name else s.url
        table.add_row(
            health,
            when(s.last_success) if s.last_success else "never",
            str(s.consecutive_failures),
            when(s.next_poll),
            every,
            name,
            s.last_error or "",
        )
    out.print(table)


def _append_feeds(path: Path, new: list[Feed]) -> int:
    """Add feeds to a feeds file (created if missing), skipping URLs already in it."""
    from newswatch.feedlist import add_feeds
    from newswatch.pipeline.files import read_config

    content = read_config(path, "feeds file", missing_ok=True)
    if content is not None:
        try:
            text: str | None = content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigError("feeds file is not UTF-8 text", path=str(path)) from exc
    else:
        text = None
    updated, added = add_feeds(text, new, path=str(path))
    if added:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(updated, encoding="utf-8")
    return added


@feeds_app.command("add")
def feeds_add(
    url: Annotated[
        str,
        typer.Argument(
            metavar="URL", help="A feed's URL, or a site whose home page links its feed."
        ),
    ],
    feeds: FeedsOpt = None,
    name: Annotated[
        str | None, typer.Option(help="Name shown in alerts (default: the feed's title).")
    ] = None,
) -> None:
    """Add a feed to the feeds file. Given a site, finds its feed (<link rel="alternate">)."""
    from newswatch.adapters.feeds import parse_feed
    from newswatch.adapters.opml import discover_feeds
    from newswatch.pipeline.runtime import open_fetcher

    chosen = settings(feeds_file=feeds)
    path = chosen.resolved_feeds_file()
    with reported(), open_fetcher(chosen) as fetcher:
        page = fetcher.fetch(url, trusted=True)  # the user's own URL
        parsed = parse_feed(page.body, page.headers, feed=Feed(url, url))
        feed_url = url
        if not parsed.entries and parsed.problem:
            found = discover_feeds(page.body, page.final_url)
            if not found:
                fail(f"no feed at {url}, and its page links none")
            feed_url = found[0][0]
            got = fetcher.fetch(feed_url)  # found in a page: not trusted
            parsed = parse_feed(got.body, got.headers, feed=Feed(feed_url, feed_url))
            if not parsed.entries and parsed.problem:
                fail(f"{feed_url} is not a usable feed: {parsed.problem}")
    title = name or parsed.title or (urlsplit(feed_url).hostname or feed_url)
    with reported():
        added = _append_feeds(path, [Feed(title, feed_url)])
    if added:
        out.print(
            f"added {title} <{feed_url}> ({len(parsed.entries)} items now) to {path}",
            highlight=False,
        )
    else:
        out.print(f"{feed_url} is already in {path}", highlight=False)


@feeds_app.command("import")
def feeds_import(
    opml: Annotated[
        Path,
        typer.Argument(metavar="FILE.opml", help="An OPML file (from a feed reader's export)."),
    ],
    feeds: FeedsOpt = None,
) -> None:
    """Add every feed of an OPML file to the feeds file (feeds already there are skipped)."""
    from newswatch.adapters.opml import parse_opml
    from newswatch.pipeline.files import read_config

    chosen = settings(feeds_file=feeds)
    with reported():
        content = read_config(opml, "OPML file")
        assert content is not None
        found = parse_opml(content, path=str(opml))
        added = _append_feeds(chosen.resolved_feeds_file(), found)
    out.print(
        f"{added} of {len(found)} feeds added to {chosen.resolved_feeds_file()}", highlight=False
    )


@feeds_app.command("export")
def feeds_export(feeds: FeedsOpt = None) -> None:
    """Print the feeds list as OPML (for a feed reader, or another newswatch)."""
    from newswatch.adapters.opml import render_opml
    from newswatch.pipeline.config import load_feeds

    chosen = settings(feeds_file=feeds)
    with reported():
        listed = load_feeds(chosen.resolved_feeds_file())
    sys.stdout.write(render_opml(listed))
