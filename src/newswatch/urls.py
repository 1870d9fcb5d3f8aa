"""URL identity: canonical URLs and the entry id cascade.

Canonical form (each rule exists because publishers and aggregators vary it freely):
- only http(s) URLs have one; anything else gives None;
- https for http (the same page is served on both);
- host lowercased, `www.`, `m.`, `mobile.` and `amp.` prefixes dropped (mobile/AMP mirrors);
- tracking parameters dropped (utm_*, fbclid, gclid, ... via courlan's filter, plus `amp`,
  `output=amp`), remaining parameters sorted;
- `/amp` and `/amp/` path segments and `.amp` suffixes dropped (AMP variants);
- fragment and trailing slash dropped.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from courlan import clean_url

from newswatch.models import IdSource

_HOST_PREFIXES = ("www.", "m.", "mobile.", "amp.")
_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|yclid|igshid|_ga|_gl|ref|ref_src|"
    r"cmpid|ocid|smid|sr_share|at_medium|at_campaign|at_custom\d|ito|amp|outputtype)$",
    re.IGNORECASE,
)


def canonical_url(url: str | None) -> str | None:
    """The canonical form of `url` (see the module rules), or None if it has none."""
    if not url or not isinstance(url, str):
        return None
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        return None
    cleaned = clean_url(url) or url
    try:
        parts = urlsplit(cleaned)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return None
    if not host:
        return None
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
            break
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    path = re.sub(r"/amp(?=/|$)", "", parts.path)
    path = re.sub(r"\.amp(?=\.html?$|$)", "", path)
    path = re.sub(r"/{2,}", "/", path).rstrip("/")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    query = [(k, v) for k, v in query if not (k == "output" and v == "amp")]
    return urlunsplit(("https", netloc, path, urlencode(sorted(query)), ""))


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def entry_id_for(
    guid: str | None, link: str | None, title: str | None, summary: str | None
) -> tuple[str, IdSource]:
    """A feed item's stable id, and which rung of the cascade gave it.

    1. The GUID/Atom id: the publisher's own identity, stable when titles are edited or
       items re-dated (a GUID that is only whitespace does not count).
    2. Else the canonical link: the same page under tracking variants is the same entry.
    3. Else a hash of the normalised title and summary: the only identity left.
    """
    if guid and guid.strip():
        return "g-" + _short_hash(guid.strip()), "guid"
    canon = canonical_url(link)
    if canon:
        return "u-" + _short_hash(canon), "url"
    basis = " ".join(f"{title or ''} {summary or ''}".casefold().split())
    return "h-" + _short_hash(basis), "hash"
