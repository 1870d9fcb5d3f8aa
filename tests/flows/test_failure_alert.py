"""When a run fails, the configured targets hear about it (the `serve` path has no
Prefect automation: the flow's own on_failure/on_crashed hook sends it)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from newswatch.pipeline.settings import load_settings

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


class Receiver(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hook() -> Iterator[tuple[type[Receiver], str]]:
    handler = type("R", (Receiver,), {"received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield handler, f"json://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def test_a_failed_ingest_run_notifies_every_target(
    tmp_path: Path, hook: tuple[type[Receiver], str]
) -> None:
    from prefect.client.orchestration import get_client

    from newswatch.flows.ingest import ingest_flow

    handler, url = hook
    (tmp_path / "notify.yaml").write_text(yaml.safe_dump({"urls": [url]}))
    (tmp_path / "feeds.yaml").write_text("feeds:\n  - name: a\n    url: gopher://nope\n")
    settings = load_settings(
        feeds_file=tmp_path / "feeds.yaml",
        notify_file=tmp_path / "notify.yaml",
        profile_file=REPO / "config" / "profile.yaml",
        db_url=f"sqlite:///{tmp_path / 'store.db'}",
    )
    state = ingest_flow(settings=settings, return_state=True)
    assert state.is_failed()
    (message,) = handler.received
    assert message["title"].startswith("newswatch: ingest run '")
    assert "failed" in message["title"]
    assert "feed url must be an http(s) URL" in message["message"]
    assert str(tmp_path / "store.db") not in json.dumps(message)

    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
    assert run.name.startswith("ingest ")  # `ingest 2026-11-30 14:15`
    assert run.flow_version
