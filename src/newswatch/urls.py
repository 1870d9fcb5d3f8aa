"""URL identity: canonical URLs and the entry id cascade. Pure: no I/O.

Canonical form. Each rule exists because publishers, aggregators and share buttons vary
the same address freely, and dedup must see one page as one URL:

1. Only absolute http(s) URLs with a plausible host have one; anything else (mailto:,
   javascript:, relative paths, strings holding markup or control characters) gives None.
   Whitespace inside is removed (feeds wrap long links).
2. courlan's `clean_url` runs first: it strips stray markup and whitespace, unwraps a URL
   wrapped in another (`...?url=https://...`), drops its list of tracking parameters (utm_*,
   fbclid, gclid, msclkid, ..._source, ref, ...), the default port, `/../` and repeated
   slashes, and percent-quotes the path.
3. https for http: publishers serve the same page on both.
4. Host lowercased; user:password dropped; one `www.`, `m.`, `mobile.` or `amp.` prefix
   dropped (mobile and AMP mirrors), but never down to a bare public suffix.
5. Google AMP cache addresses (`<x>.cdn.ampproject.org/c/s/<host>/<path>`) become the
   publisher's own URL.
6. AMP path variants dropped: an `/amp` path segment (`/news/amp/story`, `/story/amp`) and
   an `.amp` suffix (`story.amp.html`).
7. Tracking and AMP query parameters dropped beyond courlan's list (`amp`, `output=amp`,
   `outputType=amp`, `_ga`, `cmpid`, `ocid`, `smid`, ...); the rest sorted by name, so
   parameter order does not matter.
8. Fragment and trailing slash dropped (`https://example.com/` -> `https://example.com`).

Entry ids (`entry_id_for`) follow the cascade documented on `models.Entry`; each id is a
one-letter source prefix plus 24 hex digits of a sha256, so it is short, stable across
runs and machines, and safe as a database key.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from courlan import clean_url

from newswatch.models import IdSource

_HOST_PREFIXES = ("www.", "m.", "mobile.", "amp.")
# Parameters courlan keeps but that never change which page is served.
_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|yclid|igshid|_ga|_gl|ref|ref_src|"
    r"cmpid|ocid|smid|sr_share|at_medium|at_campaign|at_custom\d|ito|amp|outputtype)$",
    re.IGNORECASE,
)
_AMP_VALUE_PARAMS = ("output", "outputtype", "format")
# Markup characters cannot be part of a URL: a string holding them is not one.
_NOT_IN_URL = re.compile(r'[<>"\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')
_HOST_OK = re.compile(r"^[\w.-]+$")  # \w is Unicode: internationalised hosts are fine
_AMP_CACHE = re.compile(r"^/[cvi]/(?:s/)?(?P<rest>[^/]+\.[^/]+(?:/.*)?)$")
HASH_HEX_CHARS = 24


def canonical_url(url: str | None) -> str | None:
    """The canonical form of `url` (see the module rules), or None if it has none."""
    if not url or not isinstance(url, str):
        return None
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")) or _NOT_IN_URL.search(url):
        return None
    cleaned = clean_url(url) or url
    try:
        parts = urlsplit(cleaned)
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https"):
        return None
    is_ipv6 = ":" in host
    if not host or not (is_ipv6 or _HOST_OK.match(host)):
        return None
    path, query = parts.path, parts.query
    if host.endswith(".cdn.ampproject.org"):
        cached = _AMP_CACHE.match(path)
        if cached:
            return canonical_url("https://" + cached.group("rest") + (f"?{query}" if query else ""))
    if not is_ipv6:
        for prefix in _HOST_PREFIXES:
            if host.startswith(prefix) and host.count(".") >= 2:
                host = host[len(prefix) :]
                break
    hostport = f"[{host}]" if is_ipv6 else host
    netloc = hostport if port in (None, 80, 443) else f"{hostport}:{port}"
    path = re.sub(r"/amp(?=/|$)", "", path)
    path = re.sub(r"\.amp(?=\.html?$|$)", "", path)
    path = re.sub(r"/{2,}", "/", path).rstrip("/")
    kept = [
        (k, v)
        for k, v in parse_qsl(query, keep_blank_values=True)
        if not _TRACKING.match(k) and not (k.lower() in _AMP_VALUE_PARAMS and v.lower() == "amp")
    ]
    return urlunsplit(("https", netloc, path, urlencode(sorted(kept)), ""))


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_HEX_CHARS]


def entry_id_for(
    guid: str | None, link: str | None, title: str | None, summary: str | None
) -> tuple[str, IdSource]:
    """A feed item's stable id, and which rung of the cascade gave it.

    1. `g-<hash>` of the GUID / Atom id, stripped: the publisher's own identity, stable
       when titles are edited or items re-dated. A GUID that is empty or only whitespace
       does not count.
    2. Else `u-<hash>` of the canonical link: the same page under tracking or AMP
       variants is the same entry.
    3. Else `h-<hash>` of title + summary, case-folded with whitespace collapsed: the only
       identity left for an item without either (items with neither text nor link all
       share one id, which is the right answer for "nothing to tell them apart").
    """
    if isinstance(guid, str) and guid.strip():
        return "g-" + _short_hash(guid.strip()), "guid"
    canon = canonical_url(link)
    if canon:
        return "u-" + _short_hash(canon), "url"
    basis = "\x1f".join(" ".join((part or "").casefold().split()) for part in (title, summary))
    return "h-" + _short_hash(basis), "hash"
