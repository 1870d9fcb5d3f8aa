"""How domain objects are stored: JSON payloads for entries, alerts and reasons, packed
MinHash signatures, and datetimes (SQLite hands them back naive; newswatch's are aware UTC)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import numpy as np

from newswatch.models import Alert, Entry, Reason


def utc(value: datetime | None) -> datetime | None:
    """SQLite hands datetimes back naive; everything in newswatch is aware UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def parse_iso(value: str | None) -> datetime | None:
    return utc(datetime.fromisoformat(value)) if value else None


def entry_to_json(entry: Entry) -> str:
    data = asdict(entry)
    data["published"] = iso(entry.published)
    return json.dumps(data, ensure_ascii=False)


def entry_from_json(text: str) -> Entry:
    data = json.loads(text)
    data["published"] = parse_iso(data.get("published"))
    return Entry(**data)


def reasons_to_list(reasons: Sequence[Reason]) -> list[dict[str, Any]]:
    return [asdict(r) for r in reasons]


def reasons_from_list(items: Iterable[dict[str, Any]]) -> tuple[Reason, ...]:
    return tuple(Reason(**item) for item in items)


def alert_to_json(alert: Alert) -> str:
    data = asdict(alert)
    data["published"] = iso(alert.published)
    data["created"] = iso(alert.created)
    return json.dumps(data, ensure_ascii=False)


def alert_from_json(text: str) -> Alert:
    data = json.loads(text)
    data["published"] = parse_iso(data.get("published"))
    data["created"] = parse_iso(data["created"])
    data["reasons"] = reasons_from_list(data.get("reasons", ()))
    return Alert(**data)


def pack_minhash(minhash: Sequence[int]) -> bytes:
    """A MinHash signature as 8 bytes per slot (a BLOB column)."""
    return np.asarray(minhash, dtype=np.uint64).tobytes()


def unpack_minhash(blob: bytes) -> tuple[int, ...]:
    return tuple(int(v) for v in np.frombuffer(blob, dtype=np.uint64))


def terms_to_json(terms: Iterable[str]) -> str:
    return json.dumps(sorted(terms))


def terms_from_json(text: str) -> frozenset[str]:
    return frozenset(json.loads(text))
