"""Content decoding with bounded output: a gzip bomb is cut off, never inflated in memory.

The body is streamed raw and decompressed chunk by chunk; the caller asks for at most as
many decoded bytes as are left under its cap (plus one, to see the cap crossed). Only
the encodings newswatch asks for (gzip, deflate, and identity) are accepted.
"""

from __future__ import annotations

import zlib

import httpx

from newswatch.errors import PermanentError

ACCEPT_ENCODING = "gzip, deflate"


class BoundedDecoder:
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


def decoder_for(content_encoding: str, url: str) -> BoundedDecoder:
    """The decoder for a Content-Encoding header; PermanentError for one we did not ask for."""
    codings = [c.strip().lower() for c in content_encoding.split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return BoundedDecoder("identity")
    if len(codings) == 1 and codings[0] in {"gzip", "x-gzip", "deflate"}:
        return BoundedDecoder("gzip" if codings[0] == "x-gzip" else codings[0])
    raise PermanentError(f"unsupported content encoding {content_encoding!r}", url=url)
