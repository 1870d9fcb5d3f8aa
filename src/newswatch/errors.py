"""One error tree, sorted by what the caller does with it.

- ConfigError: stop at start-up and say which file, which line, what is wrong.
- TransientError: worth retrying later; the item is kept (timeouts, 5xx, refused connections).
- PermanentError: record it, skip the item and go on (404, not a feed, too large, refused URL).
"""

from __future__ import annotations


class NewswatchError(Exception):
    """Base of every error newswatch raises on purpose."""


class ConfigError(NewswatchError):
    """A configuration file or setting is wrong; nothing can run until it is fixed."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.detail = message
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(f"{where}{message}")


class TransientError(NewswatchError):
    """A failure that may go away by itself: retry later, keep the item."""

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        status: int | None = None,
        retry_after: str | None = None,
    ) -> None:
        self.url = url
        self.status = status
        self.retry_after = retry_after  # the server's Retry-After header, when it sent one
        super().__init__(_with_url(message, url, status))


class PermanentError(NewswatchError):
    """A failure that retrying will not fix: record it, skip the item, go on."""

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None) -> None:
        self.url = url
        self.status = status
        super().__init__(_with_url(message, url, status))


class TooLargeError(PermanentError):
    """A response went over the configured size cap and was cut off."""


class RefusedError(PermanentError):
    """An untrusted URL leads to an address newswatch must not reach (SSRF guard)."""


class UnsafeXMLError(PermanentError):
    """XML from outside that declares a DTD or entities (how XML bombs are built)."""


def _with_url(message: str, url: str | None, status: int | None) -> str:
    parts = [message]
    if status is not None:
        parts.append(f"status {status}")
    if url is not None:
        parts.append(url)
    return " | ".join(parts) if len(parts) > 1 else message


class StoreUnavailableError(TransientError):
    """The database cannot be reached or is busy: PostgreSQL down or restarting, a dropped
    connection, SQLite's "database is locked". `url` is the store's URL, password masked."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message, url=url)


class LockTimeoutError(TransientError):
    """A store lock another run holds was not released within `timeout_seconds`."""

    def __init__(self, lock: str, timeout_seconds: float, *, url: str | None = None) -> None:
        self.lock = lock
        self.timeout_seconds = timeout_seconds
        super().__init__(
            f"the store's {lock} lock is still held by another run after {timeout_seconds:g} s",
            url=url,
        )
