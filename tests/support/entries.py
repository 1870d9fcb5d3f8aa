"""Feed entries for tests that need some and care only about their identity."""

from __future__ import annotations

from datetime import datetime

from newswatch.models import Entry


def make_entry(n: int, *, published: datetime | None = None) -> Entry:
    """Entry number `n` of a feed on 127.0.0.1 (its id `e{n}`)."""
    return Entry(
        entry_id=f"e{n}",
        id_source="guid",
        feed_name="wire",
        feed_url="http://127.0.0.1/feed",
        url=f"http://127.0.0.1/a/{n}",
        title=f"Story {n}",
        summary="summary",
        published=published,
    )
