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
- Redirects are followed up to `max_redirects` (a client passed in keeps its own limit).
"""

from __future__ import annotations

import time
import zlib
from types import TracebackType

import httpx

from newswatch.errors import PermanentError, TooLargeError, TransientError
from newswatch.models import FetchResult

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
    ) -> None:
        if timeout_seconds <= 0 or max_body_bytes <= 0 or max_redirects < 0:
            raise ValueError("timeout_seconds and max_body_bytes must be > 0, max_redirects >= 0")
        self.timeout_seconds = timeout_seconds
        self.max_body_bytes = max_body_bytes
        self.user_agent = user_agent
        self._own_client = client is None
        # trust_env=False: proxies and certificates come from configuration, not from
        # whatever environment the worker happens to run in.
        self.client = client or httpx.Client(
            follow_redirects=True,
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
    ) -> FetchResult:
        """GET `url` and return the whole decoded body, or raise (see the module rules).

        With `etag` / `last_modified` the request is conditional; a 304 answer gives
        `FetchResult(not_modified=True, body=b"")`. `final_url` is the URL after redirects;
        `headers` has lower-cased names.
        """
        headers = {"User-Agent": self.user_agent, "Accept-Encoding": ACCEPT_ENCODING}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if accept:
            headers["Accept"] = accept
        started = time.monotonic()
        try:
            with self.client.stream(
                "GET",
                url,
                headers=headers,
                follow_redirects=True,
                timeout=httpx.Timeout(self.timeout_seconds),
            ) as response:
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

    def _check_status(self, status: int, url: str, headers: dict[str, str]) -> None:
        if status == 429 or status >= 500:
            raise TransientError("server answered with an error", url=url, status=status)
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
