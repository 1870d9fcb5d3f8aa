"""The stored lemmas and Zipf frequencies of newswatch's own words
(scripts/build_known_words.py) are what simplemma and wordfreq say today, so the table
changes no result: rebuild it when the lexicon, the background, simplemma or wordfreq
change."""

from __future__ import annotations

from newswatch.lexicon import lexicon_words
from newswatch.profile.calibrate import background_texts
from newswatch.text import everyday_words, known_words, known_words_now


def test_stored_known_words_are_current() -> None:
    fresh = known_words_now(background_texts(), lexicon_words())
    stored = {**known_words(), "common": everyday_words()}
    assert stored == fresh, "run scripts/build_known_words.py"
