"""A real webhook receiver on 127.0.0.1 that Apprise's `json://` targets deliver to.

Usage::

    with WebhookReceiver() as hook:             # answers 200
        notify.write_text(f"urls:\\n  - {hook.apprise_url}\\n")
        ...
        assert hook.received[0]["title"] == ...
    hook.status = 500                           # every later POST is refused
    hook.hold()                                 # POSTs wait until hook.release()

`received` holds the JSON body of every POST as it arrives (or `{"raw": text}` when a body
is not JSON), whatever the answer; `accepted` only those answered with a 2xx. `arrived` is
set at each arrival. `apprise_url` takes query options, e.g. `hook.apprise_url +
"?rto=1&cto=1"` for Apprise's read/connect timeouts.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.httpserver import Served


class WebhookReceiver(Served):
    def __init__(self, status: int = 200, *, answer_seconds: float = 0.0) -> None:
        self.status = status
        self.answer_seconds = answer_seconds  # how long each answer takes (a slow service)
        self.received: list[dict[str, Any]] = []
        self.times: list[float] = []  # time.monotonic() of each arrival
        self.statuses: list[int] = []
        self.arrived = threading.Event()
        self._lock = threading.Lock()
        self._open = threading.Event()
        self._open.set()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.port: int = self._server.server_address[1]

    @property
    def apprise_url(self) -> str:
        return f"json://127.0.0.1:{self.port}/hook"

    def hold(self) -> None:
        """Make POSTs wait (up to 60 s each, after they are recorded) until `release()`."""
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    @property
    def accepted(self) -> list[dict[str, Any]]:
        return [m for m, status in zip(self.received, self.statuses, strict=False) if status < 300]

    def messages(self) -> list[str]:
        return [str(m.get("message", m.get("raw", ""))) for m in self.received]

    def _release(self) -> None:
        self._open.set()  # held POSTs answer

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    data = json.loads(body)
                except ValueError:
                    data = {"raw": body.decode("utf-8", "replace")}
                with receiver._lock:
                    status = receiver.status
                    receiver.received.append(data)
                    receiver.times.append(time.monotonic())
                    receiver.statuses.append(status)
                receiver.arrived.set()
                receiver._open.wait(60)
                if receiver.answer_seconds:
                    threading.Event().wait(receiver.answer_seconds)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        return Handler
