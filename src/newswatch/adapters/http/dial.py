"""Connections that go exactly where the SSRF guard said they may.

A guard that resolves a name, checks the addresses and then lets httpx resolve the name
again is a check on a different answer: a DNS server that rebinds between the two
lookups gets the request delivered to an internal address (a blind SSRF, even when the
answer is refused afterwards). Here the name is resolved once, through the guard's
resolver; every address is checked; and the socket is opened to a checked address. TLS
still verifies the certificate for, and sends SNI with, the host name of the URL (httpcore
starts TLS with the origin's name, not the dialled address), and the Host header is the
URL's, so a site on a shared address is reached as usual.

How a request is dialled rides on the request (`DialPolicy` in its extensions, set by the
Fetcher): checked (an untrusted URL), or not (the first hop of a feed URL the user
configured). Each policy has its own connection pool, so a keep-alive connection opened
for a trusted URL is never reused for an untrusted one.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import httpcore
import httpx

from newswatch.adapters.http.guard import AddressGuard

DIAL_EXTENSION = "newswatch.dial"


@dataclass(frozen=True)
class DialPolicy:
    """How to open connections for a request: through `guard`'s resolver, checked or not.

    With `guard=None` names are resolved by the system and nothing is checked."""

    guard: AddressGuard | None = None
    checked: bool = False

    @property
    def key(self) -> tuple[object, ...]:
        return (self.guard.key if self.guard else None, self.checked)


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's sync backend, dialling only addresses `policy` resolved (and checked)."""

    def __init__(self, policy: DialPolicy) -> None:
        self.policy = policy
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        guard = self.policy.guard
        if guard is None:
            return self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        addresses = guard.resolve(host)
        if self.policy.checked:
            for address in addresses:
                guard.check_address(address, host=host, url=None)
        failure: Exception | None = None
        for address in addresses:
            try:
                return self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # resolve() gives at least one address
        raise failure

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not dialled by newswatch")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport with one connection pool per `DialPolicy` (see the module rules)."""

    def __init__(self, *, limits: httpx.Limits, verify: ssl.SSLContext | bool = True) -> None:
        self.limits = limits
        self._ssl_context = (
            verify
            if isinstance(verify, ssl.SSLContext)
            else httpx.create_ssl_context(verify=verify, trust_env=False)
        )
        self._lock = threading.Lock()
        self._transports: dict[tuple[object, ...], httpx.HTTPTransport] = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        policy = request.extensions.get(DIAL_EXTENSION)
        if not isinstance(policy, DialPolicy):
            policy = DialPolicy()
        return self._transport_for(policy).handle_request(request)

    def _transport_for(self, policy: DialPolicy) -> httpx.HTTPTransport:
        with self._lock:
            transport = self._transports.get(policy.key)
            if transport is None:
                transport = httpx.HTTPTransport(
                    verify=self._ssl_context, trust_env=False, limits=self.limits
                )
                # httpx builds its pool without a network backend argument; this pool is
                # the same one with ours. httpx's exception mapping and streams stay.
                transport._pool = httpcore.ConnectionPool(
                    ssl_context=self._ssl_context,
                    max_connections=self.limits.max_connections,
                    max_keepalive_connections=self.limits.max_keepalive_connections,
                    keepalive_expiry=self.limits.keepalive_expiry,
                    network_backend=GuardedBackend(policy),
                )
                self._transports[policy.key] = transport
            return transport

    def close(self) -> None:
        with self._lock:
            transports = list(self._transports.values())
            self._transports.clear()
        for transport in transports:
            transport.close()


class GuardedClient(httpx.Client):
    """An httpx.Client on a `GuardedTransport`: the Fetcher's requests dial checked addresses."""

    def __init__(
        self,
        *,
        timeout_seconds: float,
        max_connections: int = 100,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        super().__init__(
            follow_redirects=False,
            timeout=httpx.Timeout(timeout_seconds),
            trust_env=False,
            transport=GuardedTransport(
                limits=httpx.Limits(
                    max_connections=max_connections,
                    max_keepalive_connections=max_connections // 2,
                ),
                verify=verify,
            ),
        )
