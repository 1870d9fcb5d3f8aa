"""The SSRF guard: untrusted URLs (article links, every redirect) never reach loopback,
private, link-local or other non-global addresses unless allowed.

Refusals are checked only with loopback addresses other than the allowed 127.0.0.1
(servers bind 127.0.0.2 and 127.0.0.3): no test sends traffic anywhere else. Addresses
given as literals are refused before any connection, so they need no server. Names go
through a resolver seam (a dict, or a function that answers differently each time) that
maps them to 127.x addresses; documentation addresses in it are only ever refused.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from newswatch.adapters.http import AddressGuard, Fetcher
from newswatch.adapters.http.dial import GuardedClient
from newswatch.errors import RefusedError, TransientError
from tests.support.httpserver import Answer, LocalHTTPServer
from tests.support.tls import make_tls


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
        # IPv6 forms that carry a forbidden IPv4 address
        ("http://[2002:7f00:2::1]/", "6to4 address embedding 127.0.0.2, a loopback"),
        ("http://[2002:a9fe:a9fe::]/", "6to4 address embedding 169.254.169.254, a link-local"),
        ("http://[64:ff9b::a00:1]/", "NAT64 address embedding 10.0.0.1, a private"),
        ("http://[64:ff9b:1::7f00:2]/", "NAT64 address embedding 127.0.0.2, a loopback"),
        (
            "http://[2001:0:4136:e378:8000:63bf:80ff:fffd]/",
            "Teredo address embedding 127.0.0.2, a loopback",
        ),
        (
            "http://[::ffff:a9fe:a9fe]/",
            "IPv4-mapped address embedding 169.254.169.254, a link-local",
        ),
        ("http://[::7f00:2]/", "IPv4-compatible address embedding 127.0.0.2, a loopback"),
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


def test_a_client_from_elsewhere_still_has_the_connected_address_checked(
    internal: tuple[type[_Page], int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A client passed in dials by itself (the Fetcher's own client never does: see the
    # tests below). The name passes the check, then the connection goes to 127.0.0.2, as
    # a rebinding DNS server would arrange: the address actually connected to is
    # checked, and refused before any of the body is read.
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
    from newswatch.pipeline import extract, runtime
    from newswatch.pipeline.settings import load_settings

    handler, port = internal
    settings = load_settings(allowed_hosts="127.0.0.1", db_url=f"sqlite:///{tmp_path}/s.db")
    runtime.prepare_store(settings)  # robots.txt decisions are kept in the store
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


@pytest.mark.parametrize(
    "address",
    ["2002:7f00:2::1", "64:ff9b::7f00:2", "64:ff9b:1::7f00:2", "::ffff:127.0.0.2", "::7f00:2"],
)
def test_a_name_resolving_to_an_embedded_forbidden_ipv4_is_refused_before_dialling(
    address: str,
) -> None:
    guard = AddressGuard(["127.0.0.1"], resolver={"six.test": [address]}.__getitem__)
    with (
        Fetcher(timeout_seconds=5, guard=guard) as fetcher,
        pytest.raises(RefusedError, match="embedding 127.0.0.2, a loopback address"),
    ):
        fetcher.fetch("http://six.test/page")


def test_6to4_and_nat64_of_a_global_ipv4_address_pass() -> None:
    GUARD.check_url("http://[2002:5db8:d70e::1]/")  # 6to4 of 93.184.215.14 (no connection)
    GUARD.check_url("http://[64:ff9b::5db8:d70e]/")  # NAT64 of the same


@pytest.fixture
def twin_servers() -> Iterator[tuple[LocalHTTPServer, LocalHTTPServer]]:
    """An allowed server on 127.0.0.1 and an 'internal' one on 127.0.0.2, on one port."""
    for _ in range(20):
        internal = LocalHTTPServer("127.0.0.2")
        try:
            allowed = LocalHTTPServer("127.0.0.1", internal.port)
        except OSError:  # that port is taken on 127.0.0.1: try another
            internal.stop()
            continue
        with internal, allowed:
            for server in (internal, allowed):
                server.add("/secret", b"<html><body><p>page</p></body></html>")
                server.add("/robots.txt", b"User-agent: *\nAllow: /\n")
            yield allowed, internal
        return
    pytest.skip("no port free on both 127.0.0.1 and 127.0.0.2")


def _rebinding(answers: list[str], asked: list[str]) -> object:
    """A resolver that gives the next answer on each lookup (the last one from then on)."""

    def resolve(host: str) -> list[str]:
        asked.append(host)
        return [answers[min(len(asked), len(answers)) - 1]]

    return resolve


def test_a_rebinding_name_never_gets_a_request_to_the_address_it_rebinds_to(
    twin_servers: tuple[LocalHTTPServer, LocalHTTPServer],
) -> None:
    # A double lookup (check, then let the HTTP client resolve again) would pass the check
    # on the first answer and deliver the request to the second. The Fetcher's client
    # resolves once, checks that answer and dials it.
    allowed, internal = twin_servers
    asked: list[str] = []
    resolver = _rebinding(["127.0.0.1", "127.0.0.2"], asked)
    guard = AddressGuard(["127.0.0.1"], resolver=resolver)  # type: ignore[arg-type]
    url = f"http://rebind.test:{allowed.port}/secret"
    with Fetcher(timeout_seconds=5, guard=guard) as fetcher:
        assert fetcher.fetch(url).body.startswith(b"<html>")
        assert asked == ["rebind.test"]  # one lookup for one fetch
        with pytest.raises(RefusedError, match="rebind.test is 127.0.0.2, a loopback"):
            fetcher.fetch(url)
    assert asked == ["rebind.test"] * 2
    assert internal.requests == []
    (request,) = allowed.requests
    assert request.headers["host"] == f"rebind.test:{allowed.port}"  # the name, not the IP


def test_redirects_and_robots_txt_dial_the_checked_address_too(
    twin_servers: tuple[LocalHTTPServer, LocalHTTPServer],
) -> None:
    from newswatch.adapters.http import RobotsRules

    allowed, internal = twin_servers
    port = allowed.port
    allowed.redirect("/feed", f"http://inside.test:{port}/secret")
    names = {"feed.test": ["127.0.0.1"], "inside.test": ["127.0.0.2"]}
    guard = AddressGuard(["127.0.0.1"], resolver=names.__getitem__)
    with Fetcher(timeout_seconds=5, guard=guard, robots=RobotsRules()) as fetcher:
        with pytest.raises(RefusedError, match="inside.test is 127.0.0.2"):
            fetcher.fetch(f"http://feed.test:{port}/feed", trusted=True)
        with pytest.raises(RefusedError, match="inside.test is 127.0.0.2"):
            fetcher.fetch(f"http://inside.test:{port}/secret", robots=True)
    assert internal.requests == []
    assert [r.path for r in allowed.requests] == ["/feed"]


def test_https_keeps_sni_and_certificate_checks_on_the_host_name(
    twin_servers: tuple[LocalHTTPServer, LocalHTTPServer],
) -> None:
    server_tls, client_tls = make_tls(["tls.test"])
    seen_sni: list[str | None] = []
    server_tls.sni_callback = lambda _sock, name, _ctx: seen_sni.append(name)  # type: ignore[assignment,misc,return-value]
    names = {"tls.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]}
    guard = AddressGuard(["127.0.0.1"], resolver=names.__getitem__)
    with LocalHTTPServer(tls=server_tls) as server:
        server.handle("/page", lambda _r: Answer(body=b"over tls"))
        client = GuardedClient(timeout_seconds=5, verify=client_tls)
        with client, Fetcher(client, timeout_seconds=5, guard=guard) as fetcher:
            got = fetcher.fetch(f"https://tls.test:{server.port}/page")
            assert got.body == b"over tls"
            assert got.final_url == f"https://tls.test:{server.port}/page"
            # same address, a name the certificate does not hold: refused by TLS
            with pytest.raises(TransientError, match="CERTIFICATE_VERIFY_FAILED|hostname"):
                fetcher.fetch(f"https://other.test:{server.port}/page")
    assert seen_sni[:2] == ["tls.test", "other.test"]
    assert [r.headers["host"] for r in server.requests] == [f"tls.test:{server.port}"]


def test_a_trusted_feed_url_is_dialled_unchecked_and_the_same_url_untrusted_is_refused(
    internal: tuple[type[_Page], int],
) -> None:
    # The user's own feed URL may lead anywhere (its first hop is not checked); the same
    # URL from an untrusted source is refused (and dialled from another connection pool).
    handler, port = internal
    guard = AddressGuard(["127.0.0.1"], resolver={"intranet.test": ["127.0.0.2"]}.__getitem__)
    with Fetcher(timeout_seconds=5, guard=guard) as fetcher:
        fetcher.fetch(f"http://intranet.test:{port}/feed", trusted=True)
        with pytest.raises(RefusedError):
            fetcher.fetch(f"http://intranet.test:{port}/feed")
    assert handler.hits == 1
