"""HTTP fetching with httpx: conditional GET, a total deadline, a size cap, honest User-Agent.

Failures are translated into newswatch's error tree:
- TransientError: timeouts, connection errors, 429 and 5xx (worth retrying later);
- PermanentError: other 4xx, invalid URLs, too many redirects; TooLargeError when the
  decoded body goes over `max_body_bytes` (this also stops gzip bombs: decoded bytes
  are counted while streaming, so a small compressed body cannot inflate past the cap).

The deadline is total, not per read: a server that drips a byte a second is cut off
after `timeout_seconds`, not kept alive forever.
"""

from __future__ import annotations

import time
from types import TracebackType

import httpx

from newswatch.errors import PermanentError, TooLargeError, TransientError
from newswatch.models import FetchResult

DEFAULT_USER_AGENT = "newswatch/0.1 (+https://github.com/newswatch/newswatch)"


class Fetcher:
    """Fetches URLs; pass a client in to share a pool or to use a test transport."""

    def __init__(
        self,
        client: httpx.Client | None = None,
        *,
        timeout_seconds: float = 20.0,
        max_body_bytes: int = 5_000_000,
        user_agent: str = DEFAULT_USER_AGENT,
        max_redirects: int = 5,
    ) -> None:
        self.timeout_seconds = timeout_seconds
        self.max_body_bytes = max_body_bytes
        self.user_agent = user_agent
        self._own_client = client is None
        self.client = client or httpx.Client(
            follow_redirects=True,
            max_redirects=max_redirects,
            timeout=httpx.Timeout(timeout_seconds),
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
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
        """GET `url`; with validators, a 304 answer gives `not_modified=True` and no body."""
        headers = {"User-Agent": self.user_agent}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if accept:
            headers["Accept"] = accept
        started = time.monotonic()
        deadline = started + self.timeout_seconds
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status == 304:
                    return FetchResult(
                        url=url,
                        final_url=str(response.url),
                        status=status,
                        headers=dict(response.headers),
                        body=b"",
                        not_modified=True,
                        elapsed_seconds=time.monotonic() - started,
                    )
                if status == 429 or status >= 500:
                    raise TransientError("server answered with an error", url=url, status=status)
                if status >= 400:
                    raise PermanentError("server refused the request", url=url, status=status)
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > self.max_body_bytes:
                    raise TooLargeError(
                        f"response of {declared} bytes is over the {self.max_body_bytes}-byte cap",
                        url=url,
                    )
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self.max_body_bytes:
                        raise TooLargeError(
                            f"response is over the {self.max_body_bytes}-byte cap (cut off)", url=url
                        )
                    if time.monotonic() > deadline:
                        raise TransientError(
                            f"response took longer than the {self.timeout_seconds:g} s deadline", url=url
                        )
                    chunks.append(chunk)
                return FetchResult(
                    url=url,
                    final_url=str(response.url),
                    status=status,
                    headers=dict(response.headers),
                    body=b"".join(chunks),
                    elapsed_seconds=time.monotonic() - started,
                )
        except httpx.TooManyRedirects as exc:
            raise PermanentError("too many redirects", url=url) from exc
        except httpx.TimeoutException as exc:
            raise TransientError(f"timed out after {self.timeout_seconds:g} s", url=url) from exc
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise PermanentError(f"invalid URL: {exc}", url=url) from exc
        except httpx.DecodingError as exc:
            raise PermanentError(f"undecodable response body: {exc}", url=url) from exc
        except httpx.TransportError as exc:
            raise TransientError(f"connection failed: {exc}", url=url) from exc

    def close(self) -> None:
        if self._own_client:
            self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
