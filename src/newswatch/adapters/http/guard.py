"""SSRF guard: which addresses an untrusted URL may lead to.

Feed URLs come from the user, but article links and every redirect come from servers
newswatch does not control. Before connecting to an untrusted URL its host is resolved,
and loopback, private, link-local (cloud metadata at 169.254.169.254), multicast,
reserved and other non-global addresses are refused, unless the host or a network holding
the address is allowed (`NEWSWATCH_ALLOWED_HOSTS`). A refusal is a `RefusedError`,
recorded like any failure.

IPv6 addresses that carry an IPv4 address are judged by the IPv4 address they carry, so
a forbidden one cannot hide in them: IPv4-mapped (`::ffff:0:0/96`), IPv4-compatible
(`::/96`), 6to4 (`2002::/16`), NAT64 (`64:ff9b::/96` and the local-use `64:ff9b:1::/48`,
IPv4 in the last 32 bits) and Teredo (`2001::/32`, server and client). A 6to4 or NAT64
address of a global IPv4 address passes (that is how IPv6-only networks reach IPv4 sites).

The guard only decides; `dial.py` makes every connection of an untrusted URL go to an
address this guard checked, resolved once (no second lookup that could rebind).
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

    @property
    def key(self) -> tuple[object, ...]:
        """Equal for guards that decide alike (connections may be shared between them)."""
        return (frozenset(self.hosts), frozenset(self.networks), self.resolver)

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
        why = why_forbidden(ip)
        if why:
            raise RefusedError(
                f"refused: {host} is {ip}, {why} (allow it with "
                "NEWSWATCH_ALLOWED_HOSTS if it is meant to be reached)",
                url=url,
            )


_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def why_forbidden(ip: IPAddress) -> str | None:
    """Why `ip` may not be reached from an untrusted URL ("a loopback address", ...), or None."""
    if isinstance(ip, ipaddress.IPv6Address):
        for form, inner, decisive in _embedded_ipv4(ip):
            kind = forbidden_kind(inner)
            if kind:
                return f"{_a(form)} address embedding {inner}, {_a(kind)} address"
            if decisive:
                return None
    kind = forbidden_kind(ip)
    return f"{_a(kind)} address" if kind else None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[tuple[str, ipaddress.IPv4Address, bool]]:
    """(form, IPv4 address carried, whether it alone decides) for each IPv4 address in `ip`."""
    low32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.ipv4_mapped is not None:
        return [("IPv4-mapped", ip.ipv4_mapped, True)]
    if ip.sixtofour is not None:
        return [("6to4", ip.sixtofour, True)]
    if ip in _NAT64 or ip in _NAT64_LOCAL:
        return [("NAT64", low32, True)]
    if ip.teredo is not None:
        server, client = ip.teredo
        return [("Teredo", client, False), ("Teredo", server, False)]
    if ip in _IPV4_COMPATIBLE and int(ip) > 1:
        return [("IPv4-compatible", low32, False)]
    return []


def _a(word: str) -> str:
    return f"{'an' if word[0] in 'aeiouAEIOU' else 'a'} {word}"


def forbidden_kind(ip: IPAddress) -> str | None:
    """The kind of `ip` that may not be reached ("loopback", "private", ...), or None."""
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
