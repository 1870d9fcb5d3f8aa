"""How stories grow and which articles are indexed: the rules the store and MemoryIndex share."""

from __future__ import annotations

from newswatch import dedup
from newswatch.models import DedupDecision, Fingerprint

ORIGINAL = DedupDecision(None, None, story_id="s-1", new_story=False)
NEW = DedupDecision(None, None, story_id="s-2", new_story=True)
COPY = DedupDecision("a-1", "near", story_id="s-1", new_story=False)


def fp(*terms: str, shingles: int = 10) -> Fingerprint:
    return Fingerprint(None, "h", (1, 2), (3, 4), story_terms=terms, shingles=shingles)


def test_an_article_starting_a_story_gives_it_its_terms() -> None:
    assert dedup.join_story((), fp("almaty", "tokayev"), NEW) == {"almaty", "tokayev"}


def test_an_original_joining_adds_its_terms() -> None:
    grown = dedup.join_story({"almaty", "tokayev"}, fp("tokayev", "kassym"), ORIGINAL)
    assert grown == {"almaty", "tokayev", "kassym"}


def test_a_duplicate_joining_adds_nothing() -> None:
    assert dedup.join_story({"almaty"}, fp("other", "words"), COPY) == {"almaty"}


def test_only_originals_with_text_have_bands() -> None:
    assert dedup.has_bands(fp(), ORIGINAL)
    assert not dedup.has_bands(fp(), COPY)
    assert not dedup.has_bands(fp(shingles=0), ORIGINAL)


def test_memory_index_grows_stories_by_the_same_rule() -> None:
    index = dedup.MemoryIndex()
    index.add("a-1", fp("almaty", "tokayev"), NEW, on_topic=True)
    index.add("a-2", fp("kassym"), DedupDecision(None, None, "s-2", False), on_topic=True)
    index.add("a-3", fp("copyword"), DedupDecision("a-1", "exact", "s-2", False), on_topic=True)
    index.add("a-4", fp("offtopic"), DedupDecision(None, None, "s-9", True), on_topic=False)
    assert dict(index.recent_stories()) == {"s-2": {"almaty", "tokayev", "kassym"}}
