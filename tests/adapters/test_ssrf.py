"""The SSRF guard: untrusted URLs (article links, every redirect) never reach loopback,
private, link-local or other non-global addresses unless allowed.

Refusals are checked only with loopback addresses other than the allowed 127.0.0.1
(servers bind 127.0.0.2 and 127.0.0.3): no test sends traffic anywhere else. Addresses
given as literals are refused before any connection, so they need no server.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from newswatch.adapters.http import AddressGuard, Fetcher
from newswatch.errors import RefusedError
from tests.support.httpserver import LocalHTTPServer


class _Page(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's naming
        type(self).hits += 1
        body = b"<html><body><p>internal</p></body></html>"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def internal() -> Iterator[tuple[type[_Page], int]]:
    """A page on 127.0.0.2: 'internal' for the guard, which allows only 127.0.0.1."""
    handler = type("Internal", (_Page,), {"hits": 0})
    server = ThreadingHTTPServer(("127.0.0.2", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield handler, server.server_address[1]
    server.shutdown()
    server.server_close()


GUARD = AddressGuard(["127.0.0.1"])


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://169.254.169.254/latest/meta-data/", "link-local"),  # cloud metadata
        ("http://10.1.2.3/", "private"),
        ("http://192.168.0.1:8080/admin", "private"),
        ("http://[::1]/", "loopback"),
        ("http://[::ffff:127.0.0.2]/", "loopback"),  # IPv4 mapped in IPv6
        ("http://[fd00:ec2::254]/", "private"),
        ("http://224.0.0.1/", "multicast"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://100.64.0.1/", "non-global"),  # carrier-grade NAT
        ("http://127.0.0.2/", "loopback"),
    ],
)
def test_literal_addresses_are_refused_before_connecting(url: str, kind: str) -> None:
    with pytest.raises(RefusedError, match=f"an? {kind} address"):
        GUARD.check_url(url)


def test_names_are_resolved_and_allow_lists_take_hosts_and_networks() -> None:
    with pytest.raises(RefusedError, match="localhost is 127.0.0.1, a loopback address"):
        AddressGuard([]).check_url("http://localhost:9/")
    AddressGuard(["localhost"]).check_url("http://localhost:9/")  # a host allowed by name
    AddressGuard(["127.0.0.0/8"]).check_url("http://127.0.0.3:9/")  # a network
    GUARD.check_url("http://93.184.215.14/")  # a global address passes (no connection made)


def test_an_article_link_to_an_internal_address_is_refused_and_never_fetched(
    internal: tuple[type[_Page], int],
) -> None:
    handler, port = internal
    with (
        Fetcher(timeout_seconds=5, guard=GUARD) as fetcher,
        pytest.raises(RefusedError, match="127.0.0.2, a loopback address"),
    ):
        fetcher.fetch(f"http://127.0.0.2:{port}/secret")
    assert handler.hits == 0


def test_a_redirect_to_an_internal_address_is_refused_even_from_a_trusted_feed(
    internal: tuple[type[_Page], int],
) -> None:
    handler, port = internal
    with LocalHTTPServer() as public:
        public.redirect("/feed.xml", f"http://127.0.0.2:{port}/secret")
        public.redirect("/hop", "/feed.xml")
        # the configured feed URL itself is trusted; where it redirects to is not
        with (
            Fetcher(timeout_seconds=5, guard=GUARD) as fetcher,
            pytest.raises(RefusedError, match="127.0.0.2"),
        ):
            fetcher.fetch(public.url("/hop"), trusted=True)
    assert handler.hits == 0


def test_rebinding_is_caught_on_the_address_actually_connected(
    internal: tuple[type[_Page], int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The name passes the check (it "resolves" to a global address), then the connection
    # goes to 127.0.0.2, as a rebinding DNS server would arrange: the address actually
    # connected to is checked, and refused before any of the body is read.
    import socket

    import httpcore
    import httpx

    _handler, port = internal
    real = socket.getaddrinfo

    def lying(host: str, *args: object, **kwargs: object) -> object:
        if host == "rebind.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))]
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    class Rebinding(httpcore.SyncBackend):
        def connect_tcp(self, host: str, port: int, *args: object, **kwargs: object) -> object:  # type: ignore[override]
            return super().connect_tcp("127.0.0.2", port, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", lying)
    transport = httpx.HTTPTransport()
    transport._pool = httpcore.ConnectionPool(network_backend=Rebinding())
    with httpx.Client(transport=transport) as client:
        fetcher = Fetcher(client, timeout_seconds=5, guard=GUARD)
        with pytest.raises(RefusedError, match="127.0.0.2, a loopback address"):
            fetcher.fetch(f"http://rebind.test:{port}/secret")


def test_a_run_records_the_refusal_and_uses_the_feed_summary(
    internal: tuple[type[_Page], int], tmp_path: object
) -> None:
    from newswatch.models import Entry
    from newswatch.pipeline import extract
    from newswatch.pipeline.settings import load_settings

    handler, port = internal
    settings = load_settings(allowed_hosts="127.0.0.1")
    entry = Entry(
        entry_id="e1",
        id_source="guid",
        feed_name="wire",
        feed_url="http://127.0.0.1/feed",
        url=f"http://127.0.0.2:{port}/admin",
        title="Protests in Almaty",
        summary="Protests in Almaty turned violent.",
        published=None,
    )
    (article,) = extract.extract_entries([entry], settings)
    assert article.extraction == "summary" and article.text == entry.summary
    assert article.extraction_note and "refused" in article.extraction_note
    assert "127.0.0.2" in article.extraction_note
    assert handler.hits == 0
