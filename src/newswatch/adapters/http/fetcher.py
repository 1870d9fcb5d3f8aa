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
- Untrusted URLs (article links, every redirect, robots.txt) pass the SSRF guard
  (`guard.py`). On the Fetcher's own client (`GuardedClient`, also `shared_client`) the
  host is resolved once, checked, and the connection opened to the checked address
  (`dial.py`): a DNS answer that changes between check and connection (rebinding) never
  gets a request. A client passed in from elsewhere dials by itself: then the URL is
  checked before the request and the address connected to after it (before any byte of
  the body is read), which catches rebinding only once the request was sent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx

from newswatch.adapters.http.decode import ACCEPT_ENCODING, decoder_for
from newswatch.adapters.http.dial import DIAL_EXTENSION, DialPolicy, GuardedClient
from newswatch.adapters.http.guard import AddressGuard
from newswatch.adapters.http.pages import PageMemo
from newswatch.adapters.http.politeness import HostLimiter
from newswatch.adapters.http.robots import RobotsRules
from newswatch.errors import PermanentError, RefusedError, TooLargeError, TransientError
from newswatch.models import FetchResult

_REDIRECTS = {301, 302, 303, 307, 308}


_CLIENTS: dict[float, httpx.Client] = {}
_CLIENTS_LOCK = threading.Lock()


def shared_client(timeout_seconds: float) -> httpx.Client:
    """The process's HTTP client (thread-safe, one connection pool, keep-alive), as
    `Fetcher` would make it; Fetchers given it do not close it."""
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(timeout_seconds)
        if client is None:
            client = GuardedClient(timeout_seconds=timeout_seconds, max_connections=100)
            _CLIENTS[timeout_seconds] = client
        return client


DEFAULT_USER_AGENT = "newswatch/0.1 (+https://github.com/newswatch/newswatch)"


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
        pages: PageMemo | None = None,
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
        self.pages = pages
        self._own_client = client is None
        # trust_env=False (in GuardedClient): proxies and certificates come from
        # configuration, not from whatever environment the worker happens to run in.
        self.client = client or GuardedClient(timeout_seconds=timeout_seconds)
        # Does the client dial only what the guard checked (see dial.py)?
        self._dials_checked = isinstance(self.client, GuardedClient)

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
        With `robots` (article pages) the host's robots.txt must allow the URL, and a page
        fetched lately (`pages`) is not fetched again.
        """
        if robots and self.pages is not None:
            # An article page: one request per page however many entries link to it.
            return self.pages.fetch(
                url, lambda: self._fetch(url, etag, last_modified, accept, trusted, robots)
            )
        return self._fetch(url, etag, last_modified, accept, trusted, robots)

    def _fetch(
        self,
        url: str,
        etag: str | None,
        last_modified: str | None,
        accept: str | None,
        trusted: bool,
        robots: bool,
    ) -> FetchResult:
        if robots and self.robots is not None:
            refusal = self.robots.refusal(self, url)
            if refusal:
                raise PermanentError(refusal, url=url)
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
                if checked and self.guard is not None and not self._dials_checked:
                    self.guard.check_url(current)
                with (
                    self.limiter.slot(current) if self.limiter else nullcontext(),
                    self._stream(current, headers, checked=checked) as response,
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

    def _stream(
        self, url: str, headers: dict[str, str], *, checked: bool
    ) -> AbstractContextManager[httpx.Response]:
        policy = DialPolicy(self.guard, checked=checked)
        return _refusals_name(
            url,
            self.client.stream(
                "GET",
                url,
                headers=headers,
                follow_redirects=False,
                timeout=httpx.Timeout(self.timeout_seconds),
                extensions={DIAL_EXTENSION: policy},
            ),
        )

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
        decoder = decoder_for(response.headers.get("content-encoding", ""), url)
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


@contextmanager
def _refusals_name(
    url: str, stream: AbstractContextManager[httpx.Response]
) -> Iterator[httpx.Response]:
    """A refusal raised while dialling (which knows only the host) names the URL too."""
    try:
        with stream as response:
            yield response
    except RefusedError as exc:
        if exc.url is not None:
            raise
        raise RefusedError(str(exc), url=url) from exc
