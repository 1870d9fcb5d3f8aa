"""Flows run through real Prefect: one temporary local API for the whole session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from newswatch.cli.demo import _serve, _Site, feed_xml, load_items, page_html

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
    handler = type("S", (_Site,), {"routes": {}})
    with _serve(handler) as server:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        for item in items:
            if item.serve_page:
                handler.routes[item.path.split("?")[0]] = (
                    "text/html",
                    page_html(item, base).encode(),
                )
        feeds = [{"name": "broken", "url": base + "/gone.xml"}]
        for feed in feeds_spec:
            handler.routes[feed["path"]] = (
                "application/rss+xml",
                feed_xml(feed, items, base).encode(),
            )
            feeds.append({"name": feed["name"], "url": base + feed["path"]})
        (tmp_path / "feeds.yaml").write_text(yaml.safe_dump({"feeds": feeds}))
        yield tmp_path
