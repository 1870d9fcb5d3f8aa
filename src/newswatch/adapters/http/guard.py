"""SSRF guard: which addresses an untrusted URL may lead to.

Feed URLs come from the user, but article links and every redirect come from servers
newswatch does not control. Before connecting to an untrusted URL its host is resolved,
and loopback, private, link-local (cloud metadata at 169.254.169.254), multicast,
reserved and other non-global addresses are refused, unless the host or a network holding
the address is allowed (`NEWSWATCH_ALLOWED_HOSTS`). A refusal is a `RefusedError`,
recorded like any failure.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import urlsplit

from newswatch.errors import PermanentError, RefusedError, TransientError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], Sequence[str]]
"""host name -> its addresses, as strings (the guard's one DNS lookup)."""


def resolve_host(host: str) -> list[str]:
    """The addresses of `host` from the system resolver (`socket.getaddrinfo`)."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class AddressGuard:
    """Which addresses an untrusted URL may lead to: global ones, and what is allowed.

    `allowed` holds host names (matched exactly, case-insensitively) and IP networks in
    CIDR form (`10.0.0.0/8`, `127.0.0.1`), from settings and `NEWSWATCH_ALLOWED_HOSTS`.
    `resolver` is how names become addresses (default: the system resolver); tests pass
    their own.
    """

    def __init__(self, allowed: Iterable[str] = (), *, resolver: Resolver = resolve_host) -> None:
        self.hosts: set[str] = set()
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        self.resolver = resolver
        for item in (a.strip() for a in allowed):
            if not item:
                continue
            try:
                self.networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                self.hosts.add(item.lower().rstrip("."))

    def resolve(self, host: str, *, url: str | None = None) -> list[IPAddress]:
        """`host`'s addresses (a literal is its own), or TransientError when it has none."""
        host = host.strip("[]").rstrip(".")
        try:
            return [ipaddress.ip_address(host)]
        except ValueError:
            pass
        try:
            found = [ipaddress.ip_address(a) for a in self.resolver(host)]
        except (OSError, UnicodeError, ValueError) as exc:
            raise TransientError(f"cannot resolve host {host!r}: {exc}", url=url) from exc
        if not found:
            raise TransientError(f"cannot resolve host {host!r}: no addresses", url=url)
        return found

    def check_url(self, url: str) -> None:
        """Resolve the URL's host and refuse it if any address it has is not allowed."""
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
        if not host:
            raise PermanentError("URL has no host", url=url)
        if host.lower() in self.hosts:
            return
        try:
            _ = parts.port
        except ValueError as exc:
            raise PermanentError(f"invalid port: {exc}", url=url) from exc
        for address in sorted(set(self.resolve(host, url=url)), key=str):
            self.check_address(address, host=host, url=url)

    def check_address(self, address: IPAddress | str, *, host: str, url: str | None) -> None:
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
        if host.lower() in self.hosts or any(ip in net for net in self.networks):
            return
        kind = forbidden_kind(ip)
        if kind:
            raise RefusedError(
                f"refused: {host} is {ip}, {'an' if kind[0] in 'aeiou' else 'a'} {kind} "
                "address (allow it with "
                "NEWSWATCH_ALLOWED_HOSTS if it is meant to be reached)",
                url=url,
            )


def forbidden_kind(ip: IPAddress) -> str | None:
    """Why `ip` may not be reached from an untrusted URL ("loopback", ...), or None."""
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
