"""How a run's entries are cut into tasks: 25 each, or spread over the batches in
flight when there are more, at most 100 each."""

from __future__ import annotations

from newswatch.models import Entry
from newswatch.pipeline.extract import MAX_BATCH, batches
from newswatch.pipeline.settings import Settings
from tests.support.entries import make_entry


def _entries(n: int) -> list[Entry]:
    return [make_entry(i) for i in range(n)]


def _sizes(n: int, **settings: int) -> list[int]:
    got = batches(_entries(n), Settings(**settings))  # type: ignore[arg-type]
    assert [e.entry_id for b in got for e in b] == [f"e{i}" for i in range(n)]  # all, in order
    return [len(b) for b in got]


def test_a_small_run_keeps_the_batch_size() -> None:
    assert _sizes(0) == []
    assert _sizes(60) == [25, 25, 10]
    assert _sizes(200) == [25] * 8


def test_a_large_run_is_spread_over_the_batches_in_flight() -> None:
    assert _sizes(543) == [68] * 7 + [67]
    assert _sizes(543, batches_in_flight=4) == [100] * 5 + [43]
    assert max(_sizes(5000)) == MAX_BATCH
    assert _sizes(300, article_batch_size=50) == [50] * 6
