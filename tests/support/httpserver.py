"""A small programmable HTTP server on 127.0.0.1 for tests (standard library only).

Usage::

    with LocalHTTPServer() as server:
        server.add("/feed.xml", b"<rss .../>", headers={"Content-Type": "application/rss+xml"},
                   etag='"v1"', last_modified="Mon, 03 Apr 2023 01:02:03 GMT")
        server.redirect("/old", "/feed.xml")
        fetcher.fetch(server.url("/old"))
        assert server.requests[-1].headers["user-agent"].startswith("newswatch/")

Routes (exact path match, query string ignored; anything unknown answers 404):

- `add(path, body, *, status, headers, etag, last_modified, gzip)`: a static answer. With
  `etag` / `last_modified` set, a matching If-None-Match / If-Modified-Since gets a bodiless 304
  (If-None-Match wins when both are sent, as RFC 9110 says). `gzip=True` compresses the body
  and sets Content-Encoding.
- `redirect(path, location, *, status=302)`; `redirect_loop(path)` redirects to itself forever.
- `error(path, status=500)`: an empty answer with that status.
- `slow_drip(path, *, chunk, interval_seconds, duration_seconds)`: headers at once, then `chunk`
  every `interval_seconds`; it stops by itself after `duration_seconds` (or when the server
  closes), so a client without a total deadline hangs for at most that long.
- `gzip_bomb(path, *, inflated_bytes)`: a small gzip body that inflates to `inflated_bytes` zeros.
- `handle(path, fn)`: `fn(request) -> Answer` for anything else.

Every request is recorded in `requests` (in arrival order) as a `RecordedRequest` whose
`headers` has lower-cased names. The server runs in a daemon thread on a free port; leaving
the `with` block stops it (waiting drips are woken up). `host` and `port` choose where it
listens (another 127.x address for SSRF tests; the same port on two addresses for
rebinding tests); `tls` (a server-side SSLContext) makes it speak HTTPS. It speaks HTTP/1.0: one request per
connection, the body ends where the connection closes or at Content-Length.
"""

from __future__ import annotations

import gzip as gzip_module
import ssl
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received: method, path (with query) and lower-cased headers."""

    method: str
    path: str
    headers: dict[str, str]


@dataclass(frozen=True)
class Answer:
    """What a route sends back. `drip` = (chunk, interval_seconds, duration_seconds)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    drip: tuple[bytes, float, float] | None = None


Handler = Callable[[RecordedRequest], Answer]


class Served:
    """Start, stop and `with` for a ThreadingHTTPServer run in a daemon thread; a
    subclass sets `_server` and `_thread`, and `_release()` wakes what waits on stop."""

    _server: ThreadingHTTPServer
    _thread: threading.Thread

    def _release(self) -> None:
        pass

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class LocalHTTPServer(Served):
    """A threaded HTTP server on 127.0.0.1 with programmable routes; see the module docstring."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, *, tls: ssl.SSLContext | None = None
    ) -> None:
        self.host = host
        self.requests: list[RecordedRequest] = []
        self._routes: dict[str, Handler] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._server.daemon_threads = True
        # A short poll interval: shutdown() waits for one poll, and tests start many servers.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.port: int = self._server.server_address[1]

    def _release(self) -> None:
        self._stopping.set()  # waiting drips end

    # -- routes --------------------------------------------------------------------

    def url(self, path: str = "/") -> str:
        """The absolute URL of `path` on this server."""
        scheme = "https" if isinstance(self._server.socket, ssl.SSLSocket) else "http"
        return f"{scheme}://{self.host}:{self.port}{path if path.startswith('/') else '/' + path}"

    def handle(self, path: str, fn: Handler) -> None:
        with self._lock:
            self._routes[path] = fn

    def add(
        self,
        path: str,
        body: bytes = b"",
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        gzip: bool = False,
    ) -> None:
        all_headers = dict(headers or {})
        if gzip:
            body = gzip_module.compress(body)
            all_headers["Content-Encoding"] = "gzip"
        answer = Answer(status, body, all_headers, etag, last_modified)
        self.handle(path, lambda _request: answer)

    def redirect(self, path: str, location: str, *, status: int = 302) -> None:
        answer = Answer(status, headers={"Location": location})
        self.handle(path, lambda _request: answer)

    def redirect_loop(self, path: str) -> None:
        self.redirect(path, path)

    def error(self, path: str, status: int = 500) -> None:
        answer = Answer(status)
        self.handle(path, lambda _request: answer)

    def slow_drip(
        self,
        path: str,
        *,
        chunk: bytes = b"<",
        interval_seconds: float = 0.2,
        duration_seconds: float = 5.0,
    ) -> None:
        answer = Answer(
            headers={"Content-Type": "application/rss+xml"},
            drip=(chunk, interval_seconds, duration_seconds),
        )
        self.handle(path, lambda _request: answer)

    def gzip_bomb(self, path: str, *, inflated_bytes: int = 50_000_000) -> None:
        # Compressed in 1 MB steps, so building it never holds the inflated body in memory.
        deflater = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        block = b"\0" * 1_000_000
        parts = []
        left = inflated_bytes
        while left > 0:
            parts.append(deflater.compress(block[: min(left, len(block))]))
            left -= len(block)
        parts.append(deflater.flush())
        self.add(
            path,
            b"".join(parts),
            headers={"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"},
        )

    def requests_for(self, path: str) -> list[RecordedRequest]:
        """The recorded requests whose path (query ignored) is `path`."""
        return [r for r in self.requests if r.path.split("?", 1)[0] == path]

    # -- serving -------------------------------------------------------------------

    def _answer(self, request: RecordedRequest) -> Answer:
        with self._lock:
            self.requests.append(request)
            fn = self._routes.get(request.path.split("?", 1)[0])
        if fn is None:
            return Answer(404, b"not found", {"Content-Type": "text/plain"})
        return fn(request)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the stdlib's naming
                self._serve(send_body=True)

            def do_HEAD(self) -> None:  # noqa: N802
                self._serve(send_body=False)

            def _serve(self, *, send_body: bool) -> None:
                request = RecordedRequest(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}
                )
                answer = server._answer(request)
                try:
                    if _is_not_modified(answer, request.headers):
                        self.send_response(304)
                        self._validators(answer)
                        self.end_headers()
                        return
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self._validators(answer)
                    if answer.drip is None:
                        self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    if not send_body:
                        return
                    if answer.drip is None:
                        self.wfile.write(answer.body)
                        return
                    chunk, interval, duration = answer.drip
                    waited = 0.0
                    while waited < duration and not server._stopping.is_set():
                        self.wfile.write(chunk)
                        self.wfile.flush()
                        server._stopping.wait(interval)
                        waited += interval
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, which is what several tests expect

            def _validators(self, answer: Answer) -> None:
                if answer.etag is not None:
                    self.send_header("ETag", answer.etag)
                if answer.last_modified is not None:
                    self.send_header("Last-Modified", answer.last_modified)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass  # keep test output clean

        return _Handler


def _is_not_modified(answer: Answer, headers: dict[str, str]) -> bool:
    if answer.status != 200:
        return False
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None and answer.etag is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or answer.etag.removeprefix("W/") in tags
    since = headers.get("if-modified-since")
    if since is not None and answer.last_modified is not None:
        try:
            return parsedate_to_datetime(answer.last_modified) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return since == answer.last_modified
    return False
