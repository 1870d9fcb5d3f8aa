"""HTTP fetching with httpx: conditional GET, a total deadline, a size cap, honest User-Agent.

Failures are translated into newswatch's error tree:
- TransientError: timeouts (connect, read, or the total deadline), connection errors,
  broken responses, 429 and 5xx: worth retrying later;
- PermanentError: other 4xx, a 3xx that cannot be followed, invalid or non-http URLs,
  too many redirects, an undecodable or unsupported content encoding;
- TooLargeError (a PermanentError): the *decoded* body went over `max_body_bytes`.

Rules, and why:
- The body is streamed raw and decompressed here, chunk by chunk, with the decompressor's
  output bounded by what is left of the cap: a small gzip bomb is cut off at
  `max_body_bytes + 1` decoded bytes and never inflated in memory. Only the encodings we ask
  for (gzip, deflate) are accepted.
- The deadline is total, not per read: it is checked every time bytes arrive, and each wait
  for bytes is itself bounded by `timeout_seconds`. A server that drips a byte at a time is
  cut off at the deadline; one that goes silent is cut off by the read timeout. So no fetch
  takes longer than about twice `timeout_seconds`.
- The User-Agent names newswatch and where to find it, on every request, even through a
  client passed in by the caller.
- Redirects are followed here, hop by hop, up to `max_redirects`, so each hop is checked.
- SSRF guard (`AddressGuard`): feed URLs come from the user, but article links and every
  redirect come from servers newswatch does not control. Before connecting to an untrusted
  URL its host is resolved, and loopback, private, link-local (cloud metadata at
  169.254.169.254), multicast, reserved and other non-global addresses are refused, unless
  the host or a network holding the address is allowed (`NEWSWATCH_ALLOWED_HOSTS`). After
  connecting, the address actually connected to is checked again, so a DNS answer that
  changes between the check and the connection (rebinding) is refused too, before any
  byte of the body is read. A refusal is a `RefusedError`, recorded like any failure.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
import urllib.robotparser
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx

from newswatch.errors import PermanentError, RefusedError, TooLargeError, TransientError
from newswatch.models import FetchResult

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_REDIRECTS = {301, 302, 303, 307, 308}


class HostLimiter:
    """At most `per_host` requests at once to one host, and `delay_seconds` between the
    starts of two requests to it, for every Fetcher of the process that shares it (feeds
    and article pages alike: the run's tasks run in threads of one process)."""

    def __init__(self, per_host: int = 2, delay_seconds: float = 1.0) -> None:
        self.per_host = max(1, per_host)
        self.delay_seconds = max(0.0, delay_seconds)
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._next_start: dict[str, float] = {}

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        host = (urlsplit(url).hostname or "").lower()
        with self._lock:
            sem = self._slots.setdefault(host, threading.BoundedSemaphore(self.per_host))
        with sem:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next_start.get(host, now))
                self._next_start[host] = start + self.delay_seconds
            if start > now:
                time.sleep(start - now)
            yield


_CLIENTS: dict[float, httpx.Client] = {}


def shared_client(timeout_seconds: float) -> httpx.Client:
    """The process's HTTP client (thread-safe, one connection pool, keep-alive), as
    `Fetcher` would make it; Fetchers given it do not close it."""
    with _LIMITERS_LOCK:
        client = _CLIENTS.get(timeout_seconds)
        if client is None:
            client = httpx.Client(
                follow_redirects=False,
                timeout=httpx.Timeout(timeout_seconds),
                trust_env=False,
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=50),
            )
            _CLIENTS[timeout_seconds] = client
        return client


_LIMITERS: dict[tuple[int, float], HostLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


def shared_limiter(per_host: int, delay_seconds: float) -> HostLimiter:
    """The process's limiter for these settings (one per process, shared by all fetchers)."""
    with _LIMITERS_LOCK:
        return _LIMITERS.setdefault((per_host, delay_seconds), HostLimiter(per_host, delay_seconds))


class RobotsRules:
    """robots.txt of article hosts, fetched once per host per process and hour.

    Only article pages are checked (a feed is published to be polled). A robots.txt that
    is missing (4xx) allows everything; one that cannot be fetched (5xx, timeout) is
    treated as allowing too, and the next hour tries again."""

    def __init__(self, ttl_seconds: float = 3600.0) -> None:
        self.ttl_seconds = ttl_seconds
        self._lock = threading.Lock()
        self._rules: dict[str, tuple[float, urllib.robotparser.RobotFileParser | None]] = {}

    def allowed(self, fetcher: Fetcher, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            cached = self._rules.get(origin)
        if cached is None or time.monotonic() - cached[0] > self.ttl_seconds:
            parser: urllib.robotparser.RobotFileParser | None = None
            try:
                got = fetcher.fetch(f"{origin}/robots.txt", robots=False)
                parser = urllib.robotparser.RobotFileParser()
                parser.parse(got.body.decode("utf-8", "replace").splitlines())
            except PermanentError:
                parser = None  # no robots.txt (or one we may not read): everything allowed
            except TransientError:
                parser = None
            cached = (time.monotonic(), parser)
            with self._lock:
                self._rules[origin] = cached
        parser = cached[1]
        return parser is None or parser.can_fetch(fetcher.user_agent, url)


ROBOTS = RobotsRules()  # one per process, like the host limiter


class AddressGuard:
    """Which addresses an untrusted URL may lead to: global ones, and what is allowed.

    `allowed` holds host names (matched exactly, case-insensitively) and IP networks in
    CIDR form (`10.0.0.0/8`, `127.0.0.1`), from settings and `NEWSWATCH_ALLOWED_HOSTS`.
    """

    def __init__(self, allowed: Iterable[str] = ()) -> None:
        self.hosts: set[str] = set()
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for item in (a.strip() for a in allowed):
            if not item:
                continue
            try:
                self.networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                self.hosts.add(item.lower().rstrip("."))

    def check_url(self, url: str) -> None:
        """Resolve the URL's host and refuse it if any address it has is not allowed."""
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
        if not host:
            raise PermanentError("URL has no host", url=url)
        if host.lower() in self.hosts:
            return
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise PermanentError(f"invalid port: {exc}", url=url) from exc
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            try:
                infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except (socket.gaierror, UnicodeError) as exc:
                raise TransientError(f"cannot resolve host {host!r}: {exc}", url=url) from exc
            addresses = {ipaddress.ip_address(info[4][0]) for info in infos}
        else:
            addresses = {literal}
        for address in sorted(addresses, key=str):
            self.check_address(address, host=host, url=url)

    def check_address(self, address: IPAddress | str, *, host: str, url: str) -> None:
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
        if host.lower() in self.hosts or any(ip in net for net in self.networks):
            return
        kind = _forbidden_kind(ip)
        if kind:
            raise RefusedError(
                f"refused: {host} is {ip}, {'an' if kind[0] in 'aeiou' else 'a'} {kind} "
                "address (allow it with "
                "NEWSWATCH_ALLOWED_HOSTS if it is meant to be reached)",
                url=url,
            )


def _forbidden_kind(ip: IPAddress) -> str | None:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind, test in (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("unspecified", ip.is_unspecified),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("non-global", not ip.is_global),
    ):
        if test:
            return kind
    return None


DEFAULT_USER_AGENT = "newswatch/0.1 (+https://github.com/newswatch/newswatch)"
ACCEPT_ENCODING = "gzip, deflate"


class Fetcher:
    """Fetches URLs for newswatch; pass a client in to share a pool or use a test transport.

    One Fetcher may be used from several threads (httpx.Client is thread-safe). A client
    passed in is not closed by `close()`: its owner closes it.
    """

    def __init__(
        self,
        client: httpx.Client | None = None,
        *,
        timeout_seconds: float = 20.0,
        max_body_bytes: int = 5_000_000,
        user_agent: str = DEFAULT_USER_AGENT,
        max_redirects: int = 5,
        guard: AddressGuard | None = None,
        limiter: HostLimiter | None = None,
        robots: RobotsRules | None = None,
    ) -> None:
        if timeout_seconds <= 0 or max_body_bytes <= 0 or max_redirects < 0:
            raise ValueError("timeout_seconds and max_body_bytes must be > 0, max_redirects >= 0")
        self.timeout_seconds = timeout_seconds
        self.max_body_bytes = max_body_bytes
        self.user_agent = user_agent
        self.max_redirects = max_redirects
        self.guard = guard
        self.limiter = limiter
        self.robots = robots
        self._own_client = client is None
        # trust_env=False: proxies and certificates come from configuration, not from
        # whatever environment the worker happens to run in.
        self.client = client or httpx.Client(
            follow_redirects=False,
            max_redirects=max_redirects,
            timeout=httpx.Timeout(timeout_seconds),
            trust_env=False,
        )

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
        trusted: bool = False,
        robots: bool = False,
    ) -> FetchResult:
        """GET `url` and return the whole decoded body, or raise (see the module rules).

        With `etag` / `last_modified` the request is conditional; a 304 answer gives
        `FetchResult(not_modified=True, body=b"")`. `final_url` is the URL after redirects;
        `headers` has lower-cased names. `trusted` (a URL the user configured) skips the
        SSRF guard for the first hop only: its redirects are checked like any other.
        With `robots` (article pages) the host's robots.txt must allow the URL.
        """
        if robots and self.robots is not None and not self.robots.allowed(self, url):
            raise PermanentError("robots.txt of the site disallows fetching this page", url=url)
        headers = {"User-Agent": self.user_agent, "Accept-Encoding": ACCEPT_ENCODING}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if accept:
            headers["Accept"] = accept
        started = time.monotonic()
        current = url
        try:
            for hop in range(self.max_redirects + 2):
                if hop > self.max_redirects:
                    raise PermanentError("too many redirects", url=url)
                checked = self.guard is not None and (hop > 0 or not trusted)
                if checked and self.guard is not None:
                    self.guard.check_url(current)
                with (
                    self.limiter.slot(current) if self.limiter else nullcontext(),
                    self.client.stream(
                        "GET",
                        current,
                        headers=headers,
                        follow_redirects=False,
                        timeout=httpx.Timeout(self.timeout_seconds),
                    ) as response,
                ):
                    if checked:
                        self._check_peer(response, current)
                    location = response.headers.get("location")
                    if response.status_code in _REDIRECTS and location:
                        current = urljoin(current, location.strip())
                        if urlsplit(current).scheme not in ("http", "https"):
                            raise PermanentError(f"redirect to a non-http URL {current!r}", url=url)
                        continue
                    return self._finish(response, url, started)
            raise PermanentError("too many redirects", url=url)  # pragma: no cover
        except httpx.TooManyRedirects as exc:
            raise PermanentError("too many redirects", url=url) from exc
        except httpx.TimeoutException as exc:
            raise TransientError(
                f"timed out ({type(exc).__name__}, {self.timeout_seconds:g} s)", url=url
            ) from exc
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise PermanentError(f"invalid URL: {exc}", url=url) from exc
        except httpx.DecodingError as exc:
            raise PermanentError(f"undecodable response body: {exc}", url=url) from exc
        except httpx.TransportError as exc:
            raise TransientError(
                f"connection failed: {type(exc).__name__}: {exc}", url=url
            ) from exc
        except httpx.StreamError as exc:
            raise TransientError(f"response stream failed: {exc}", url=url) from exc

    def _finish(self, response: httpx.Response, url: str, started: float) -> FetchResult:
        status = response.status_code
        final_url = str(response.url)
        response_headers = {k.lower(): v for k, v in response.headers.items()}
        if status == 304:
            return FetchResult(
                url=url,
                final_url=final_url,
                status=status,
                headers=response_headers,
                body=b"",
                not_modified=True,
                elapsed_seconds=time.monotonic() - started,
            )
        self._check_status(status, url, response_headers)
        body = self._read_body(response, url, started)
        return FetchResult(
            url=url,
            final_url=final_url,
            status=status,
            headers=response_headers,
            body=body,
            elapsed_seconds=time.monotonic() - started,
        )

    def _check_peer(self, response: httpx.Response, url: str) -> None:
        """The address actually connected to must pass the guard too (DNS rebinding)."""
        stream = response.extensions.get("network_stream")
        peer = stream.get_extra_info("server_addr") if stream is not None else None
        if self.guard is not None and peer:
            self.guard.check_address(str(peer[0]), host=urlsplit(url).hostname or "", url=url)

    def _check_status(self, status: int, url: str, headers: dict[str, str]) -> None:
        if status == 429 or status >= 500:
            raise TransientError(
                "server answered with an error",
                url=url,
                status=status,
                retry_after=headers.get("retry-after"),
            )
        if status >= 400:
            raise PermanentError("server refused the request", url=url, status=status)
        if status >= 300:
            # A redirect httpx did not follow: no usable Location, or a 300 choice page.
            raise PermanentError("redirect that cannot be followed", url=url, status=status)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            raise TooLargeError(
                f"declared body of {declared} bytes is over the {self.max_body_bytes}-byte cap",
                url=url,
            )

    def _read_body(self, response: httpx.Response, url: str, started: float) -> bytes:
        cap = self.max_body_bytes
        deadline = started + self.timeout_seconds
        decoder = _decoder_for(response.headers.get("content-encoding", ""), url)
        chunks: list[bytes] = []
        size = 0
        for raw in response.iter_raw():
            if time.monotonic() > deadline:
                raise TransientError(
                    f"response not complete within the {self.timeout_seconds:g} s deadline "
                    f"({size} bytes so far)",
                    url=url,
                )
            # Ask the decoder for at most one byte more than the cap allows, so that
            # crossing it is visible without inflating the rest.
            data = decoder.decode(raw, cap - size + 1)
            size += len(data)
            if size > cap:
                raise TooLargeError(f"body is over the {cap}-byte cap (cut off)", url=url)
            chunks.append(data)
        tail = decoder.flush()
        size += len(tail)
        if size > cap:
            raise TooLargeError(f"body is over the {cap}-byte cap (cut off)", url=url)
        chunks.append(tail)
        return b"".join(chunks)

    def close(self) -> None:
        """Close the client if this Fetcher created it."""
        if self._own_client:
            self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class _Decoder:
    """Content decoding with bounded output; identity passes bytes through."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._zlib: zlib._Decompress | None = None
        if encoding == "gzip":
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._zlib = zlib.decompressobj()
        self._first = True

    def decode(self, data: bytes, max_length: int) -> bytes:
        if self._zlib is None:
            return data
        try:
            out = self._zlib.decompress(data, max_length)
        except zlib.error as exc:
            if self.encoding == "deflate" and self._first:
                # Some servers send raw deflate without the zlib header the RFC asks for.
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                self._first = False
                return self.decode(data, max_length)
            raise httpx.DecodingError(f"bad {self.encoding} data: {exc}") from exc
        self._first = False
        return out

    def flush(self) -> bytes:
        if self._zlib is None:
            return b""
        try:
            return self._zlib.flush()
        except zlib.error as exc:
            raise httpx.DecodingError(f"bad {self.encoding} data: {exc}") from exc


def _decoder_for(content_encoding: str, url: str) -> _Decoder:
    codings = [c.strip().lower() for c in content_encoding.split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return _Decoder("identity")
    if len(codings) == 1 and codings[0] in {"gzip", "x-gzip", "deflate"}:
        return _Decoder("gzip" if codings[0] == "x-gzip" else codings[0])
    raise PermanentError(f"unsupported content encoding {content_encoding!r}", url=url)
