"""Fetcher against a real local HTTP server: conditional GET, caps, deadline, error mapping."""

from __future__ import annotations

import socket
import zlib
from collections.abc import Iterator

import httpx
import pytest

from newswatch.adapters.http import DEFAULT_USER_AGENT, Fetcher
from newswatch.errors import PermanentError, TooLargeError, TransientError
from tests.support.httpserver import LocalHTTPServer

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
LAST_MODIFIED = "Mon, 03 Apr 2023 01:02:03 GMT"


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(timeout_seconds=5.0, max_body_bytes=100_000) as f:
        yield f


def test_plain_get_returns_body_headers_and_sends_an_honest_user_agent(
    http_server: LocalHTTPServer, fetcher: Fetcher
) -> None:
    http_server.add("/feed", FEED, headers={"Content-Type": "application/rss+xml"})
    result = fetcher.fetch(http_server.url("/feed"), accept="application/rss+xml")
    assert result.status == 200
    assert result.body == FEED
    assert not result.not_modified
    assert result.headers["content-type"] == "application/rss+xml"
    assert result.final_url == result.url == http_server.url("/feed")
    (request,) = http_server.requests
    assert request.headers["user-agent"] == DEFAULT_USER_AGENT
    assert request.headers["accept"] == "application/rss+xml"
    assert "if-none-match" not in request.headers
    assert "if-modified-since" not in request.headers


def test_etag_gives_304_not_modified(http_server: LocalHTTPServer, fetcher: Fetcher) -> None:
    http_server.add("/feed", FEED, etag='"v1"')
    first = fetcher.fetch(http_server.url("/feed"))
    assert first.headers["etag"] == '"v1"'
    again = fetcher.fetch(http_server.url("/feed"), etag=first.headers["etag"])
    assert again.not_modified and again.status == 304 and again.body == b""
    assert http_server.requests[-1].headers["if-none-match"] == '"v1"'
    changed = fetcher.fetch(http_server.url("/feed"), etag='"v0"')
    assert not changed.not_modified and changed.body == FEED


def test_last_modified_gives_304_not_modified(
    http_server: LocalHTTPServer, fetcher: Fetcher
) -> None:
    http_server.add("/feed", FEED, last_modified=LAST_MODIFIED)
    result = fetcher.fetch(http_server.url("/feed"), last_modified=LAST_MODIFIED)
    assert result.not_modified and result.body == b""
    assert http_server.requests[-1].headers["if-modified-since"] == LAST_MODIFIED
    older = fetcher.fetch(http_server.url("/feed"), last_modified="Sun, 01 Jan 2023 00:00:00 GMT")
    assert older.body == FEED


def test_gzip_and_deflate_bodies_are_decoded(
    http_server: LocalHTTPServer, fetcher: Fetcher
) -> None:
    http_server.add("/gz", FEED, gzip=True)
    http_server.add("/deflate", zlib.compress(FEED), headers={"Content-Encoding": "deflate"})
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    http_server.add(
        "/raw-deflate", raw.compress(FEED) + raw.flush(), headers={"Content-Encoding": "deflate"}
    )
    for path in ("/gz", "/deflate", "/raw-deflate"):
        assert fetcher.fetch(http_server.url(path)).body == FEED, path
    assert "gzip" in http_server.requests[0].headers["accept-encoding"]


def test_redirects_are_followed_and_final_url_reported(
    http_server: LocalHTTPServer, fetcher: Fetcher
) -> None:
    http_server.add("/new", FEED)
    http_server.redirect("/middle", "/new", status=301)
    http_server.redirect("/old", http_server.url("/middle"))
    result = fetcher.fetch(http_server.url("/old"))
    assert result.body == FEED
    assert result.final_url == http_server.url("/new")
    assert result.url == http_server.url("/old")
    assert all(r.headers["user-agent"] == DEFAULT_USER_AGENT for r in http_server.requests)


def test_redirect_loop_is_permanent_and_bounded(http_server: LocalHTTPServer) -> None:
    http_server.redirect_loop("/loop")
    with Fetcher(max_redirects=3) as f, pytest.raises(PermanentError, match="too many redirects"):
        f.fetch(http_server.url("/loop"))
    assert len(http_server.requests_for("/loop")) == 4  # the first request and 3 redirects


def test_redirect_without_location_is_permanent(
    http_server: LocalHTTPServer, fetcher: Fetcher
) -> None:
    http_server.error("/nowhere", status=302)
    with pytest.raises(PermanentError) as info:
        fetcher.fetch(http_server.url("/nowhere"))
    assert info.value.status == 302


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_server_errors_and_429_are_transient(
    http_server: LocalHTTPServer, fetcher: Fetcher, status: int
) -> None:
    http_server.error("/boom", status=status)
    with pytest.raises(TransientError) as info:
        fetcher.fetch(http_server.url("/boom"))
    assert info.value.status == status
    assert info.value.url == http_server.url("/boom")
    assert str(status) in str(info.value)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
def test_client_errors_are_permanent(
    http_server: LocalHTTPServer, fetcher: Fetcher, status: int
) -> None:
    http_server.error("/gone", status=status)
    with pytest.raises(PermanentError) as info:
        fetcher.fetch(http_server.url("/gone"))
    assert info.value.status == status
    assert not isinstance(info.value, TooLargeError)


def test_unknown_path_is_a_permanent_404(http_server: LocalHTTPServer, fetcher: Fetcher) -> None:
    with pytest.raises(PermanentError) as info:
        fetcher.fetch(http_server.url("/missing"))
    assert info.value.status == 404


@pytest.mark.parametrize(
    "url", ["not a url", "ftp://127.0.0.1/feed", "file:///etc/passwd", "http://"]
)
def test_invalid_urls_are_permanent(fetcher: Fetcher, url: str) -> None:
    with pytest.raises(PermanentError):
        fetcher.fetch(url)


def test_refused_connection_is_transient(fetcher: Fetcher) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port now: the connection is refused.
    with pytest.raises(TransientError, match="connection failed"):
        fetcher.fetch(f"http://127.0.0.1:{port}/feed")


def test_body_over_the_cap_is_too_large(http_server: LocalHTTPServer) -> None:
    http_server.add("/big", b"x" * 2_000)
    with Fetcher(max_body_bytes=1_000) as f, pytest.raises(TooLargeError, match="1000-byte cap"):
        f.fetch(http_server.url("/big"))


def test_body_at_the_cap_is_fine(http_server: LocalHTTPServer) -> None:
    http_server.add("/exact", b"x" * 1_000, gzip=True)
    with Fetcher(max_body_bytes=1_000) as f:
        assert len(f.fetch(http_server.url("/exact")).body) == 1_000


def test_gzip_bomb_is_cut_off_by_decoded_size(http_server: LocalHTTPServer) -> None:
    http_server.gzip_bomb("/bomb", inflated_bytes=50_000_000)
    with Fetcher(max_body_bytes=1_000_000) as f, pytest.raises(TooLargeError) as info:
        f.fetch(http_server.url("/bomb"))
    assert isinstance(info.value, PermanentError)
    assert info.value.url == http_server.url("/bomb")


def test_slow_drip_hits_the_total_deadline(http_server: LocalHTTPServer) -> None:
    # A byte every 0.1 s never trips a read timeout; only the total deadline stops it.
    http_server.slow_drip("/drip", chunk=b"<", interval_seconds=0.1, duration_seconds=4.0)
    with Fetcher(timeout_seconds=1.0) as f, pytest.raises(TransientError, match="deadline"):
        f.fetch(http_server.url("/drip"))


def test_silent_server_hits_the_read_timeout(http_server: LocalHTTPServer) -> None:
    http_server.slow_drip("/stall", chunk=b"", interval_seconds=3.0, duration_seconds=3.0)
    with Fetcher(timeout_seconds=0.5) as f, pytest.raises(TransientError, match="timed out"):
        f.fetch(http_server.url("/stall"))


def test_unsupported_content_encoding_is_permanent(
    http_server: LocalHTTPServer, fetcher: Fetcher
) -> None:
    http_server.add("/br", b"\x0b\x02\x80hello\x03", headers={"Content-Encoding": "br"})
    with pytest.raises(PermanentError, match="content encoding"):
        fetcher.fetch(http_server.url("/br"))


def test_corrupt_gzip_is_permanent(http_server: LocalHTTPServer, fetcher: Fetcher) -> None:
    http_server.add("/bad", b"this is not gzip at all", headers={"Content-Encoding": "gzip"})
    with pytest.raises(PermanentError, match="undecodable"):
        fetcher.fetch(http_server.url("/bad"))


def test_a_client_passed_in_is_used_and_left_open(http_server: LocalHTTPServer) -> None:
    http_server.add("/feed", FEED)
    with httpx.Client() as client:
        with Fetcher(client, user_agent="newswatch-test/1") as f:
            assert f.fetch(http_server.url("/feed")).body == FEED
        assert not client.is_closed
        assert client.get(http_server.url("/feed")).content == FEED
    assert http_server.requests[0].headers["user-agent"] == "newswatch-test/1"


def test_mock_transport_errors_map_to_the_tree() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with (
        httpx.Client(transport=httpx.MockTransport(handler)) as client,
        pytest.raises(TransientError, match="timed out"),
    ):
        Fetcher(client).fetch("https://example.test/feed")
