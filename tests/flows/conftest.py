"""Flows run through real Prefect: one temporary local API for the whole session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from newswatch.cli.demo import feed_xml, load_items, page_html
from tests.support.httpserver import LocalHTTPServer

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session", autouse=True)
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Path]:
    """The demo's feeds and pages on 127.0.0.1, plus a feeds file with one broken feed."""
    feeds_spec, items = load_items(REPO / "seeds")
    with LocalHTTPServer() as server:
        base = server.url("").rstrip("/")
        for item in items:
            if item.serve_page:
                server.add(
                    item.path.split("?")[0],
                    page_html(item, base).encode(),
                    headers={"Content-Type": "text/html; charset=utf-8"},
                )
        feeds = [{"name": "broken", "url": base + "/gone.xml"}]
        for feed in feeds_spec:
            server.add(
                feed["path"],
                feed_xml(feed, items, base).encode(),
                headers={"Content-Type": "application/rss+xml"},
                etag='"' + feed["path"] + '"',
            )
            feeds.append({"name": feed["name"], "url": base + feed["path"]})
        (tmp_path / "feeds.yaml").write_text(yaml.safe_dump({"feeds": feeds}))
        yield tmp_path
