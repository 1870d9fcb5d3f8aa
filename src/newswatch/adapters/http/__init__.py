"""HTTP for newswatch, one module per reason to change:

- `fetcher`: `Fetcher` (conditional GET, total deadline, size cap, redirects hop by hop,
  errors into the tree) and the process's `shared_client`;
- `guard`: `AddressGuard`, the SSRF guard, with its resolver seam;
- `politeness`: `HostLimiter` (requests at once and delay per host) and `shared_limiter`;
- `robots`: `RobotsRules`, robots.txt of article hosts;
- `pages`: `PageMemo`, each article page fetched once (however many entries link to it);
- `dial`: connections opened only to the address the guard checked;
- `decode`: content decoding with bounded output.
"""

from newswatch.adapters.http.decode import ACCEPT_ENCODING
from newswatch.adapters.http.fetcher import DEFAULT_USER_AGENT, Fetcher, shared_client
from newswatch.adapters.http.guard import AddressGuard, IPAddress, Resolver, resolve_host
from newswatch.adapters.http.pages import PageMemo
from newswatch.adapters.http.politeness import HostLimiter, shared_limiter
from newswatch.adapters.http.robots import MemoryRobotsCache, RobotsCache, RobotsRules

__all__ = [
    "ACCEPT_ENCODING",
    "DEFAULT_USER_AGENT",
    "AddressGuard",
    "Fetcher",
    "HostLimiter",
    "IPAddress",
    "Resolver",
    "MemoryRobotsCache",
    "PageMemo",
    "RobotsCache",
    "RobotsRules",
    "resolve_host",
    "shared_client",
    "shared_limiter",
]
