"""How an article's words become the keys a profile's terms are found on, and the finding.

Every word of the title and text gets two match keys (see `text`): a *name key*
(transliterated, folded, not lemmatised; a hyphen joins the parts of a name like a space)
and a *word key* (lemmatised first). Each stream is one string of keys with the offset of
every token, so that an Aho-Corasick automaton finds all of a profile's terms in one pass.
The streams of an article are made once, however many topics score it (`name_stream`,
`word_stream` keep the last few). Pure: `newswatch.matching` scores with these.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

import ahocorasick

from newswatch import places
from newswatch.text import WORD, is_unspaced, raw_key, word_key

PLACE_MIN_LETTERS = 4


@dataclass(frozen=True)
class Stream:
    text: str
    starts: list[int]  # offset in `text` of each token


def stream(keys: list[str]) -> Stream:
    # " k0 k1 k2 ": token i starts after the space that precedes it
    # (map and accumulate keep the per-token work in C: this runs for every article)
    starts = list(accumulate(map((1).__add__, map(len, keys[:-1])), initial=1)) if keys else []
    return Stream(" " + " ".join(keys) + " ", starts)


@lru_cache(maxsize=4)
def name_stream(full: str) -> tuple[list[str], Stream]:
    """An article's words and their name keys: made once per article, however many
    topics score it (each topic's Matcher asks for the same text in turn)."""
    words = WORD.findall(full)
    return words, stream(list(map(name_key, words)))


@lru_cache(maxsize=4)
def word_stream(full: str, lemma_lang: str | None) -> Stream:
    """An article's word keys (lemmatised in `lemma_lang`): once per article and language."""
    return stream([word_key(w, lemma_lang) for w in WORD.findall(full)])


@lru_cache(maxsize=400_000)
def name_key(word: str) -> str:
    # a hyphen joins the parts of one name (Nur-Sultan, Алма-Ате); matched as spaced words
    return raw_key(word).replace("-", " ")


def name_patterns(key: str) -> tuple[str, ...]:
    """Patterns of a name's key: as written, and, for a name ending in a vowel, without
    that vowel, since many languages inflect names by replacing it (Alma-Ata, Алма-Ате;
    Moskva, Москве)."""
    key = key.replace("-", " ")
    if len(key) > 5 and key[-1] in "aeiouy":
        return (" " + key, " " + key[:-1])
    return (" " + key,)


# Places a pattern names, by the language of the article: {language: place ids}, with
# "en" for articles in any other language of the gazetteer and "*" for the rest.
Named = dict[str, tuple[str, ...]]


@lru_cache(maxsize=1)
def place_patterns() -> tuple[dict[str, Named], dict[str, Named]]:
    """The gazetteer's names as patterns of the name stream and of unspaced text
    (see `Named`). A name counts in an article in its own language or in English
    (see `places`). Built once per process."""
    spaced: dict[str, set[tuple[str, str]]] = {}
    unspaced: dict[str, set[tuple[str, str]]] = {}
    for name, pid, name_lang in places.gazetteer().names:
        if is_unspaced(name):
            unspaced.setdefault(name.casefold(), set()).add((pid, name_lang))
            continue
        key = " ".join(raw_key(p) for p in WORD.findall(name))
        if len(key.replace(" ", "")) >= PLACE_MIN_LETTERS:
            for pattern in name_patterns(key):
                spaced.setdefault(pattern, set()).add((pid, name_lang))

    def by_language(found: set[tuple[str, str]]) -> Named:
        langs = {lang for _, lang in found} | {"en"}
        out = {lang: tuple(sorted({p for p, n in found if n in (lang, "en")})) for lang in langs}
        out["*"] = tuple(sorted({p for p, _ in found}))
        return out

    return (
        {k: by_language(v) for k, v in spaced.items()},
        {k: by_language(v) for k, v in unspaced.items()},
    )


def find_terms(
    automaton: ahocorasick.Automaton,
    stream: Stream,
    ending: int,
    found: list[tuple[int, int, int]],
    named: list[tuple[Named, int]] | None = None,
) -> None:
    """Every term (and place) of `automaton` in the key stream, as (term, first token,
    last token), allowing an inflectional ending of up to `ending` letters on the last word."""
    if not len(automaton):
        return
    seen: set[tuple[int, int]] = set()
    n_tokens = len(stream.starts)
    for end, (pattern, idxs, pids) in automaton.iter(stream.text):
        start_in_stream = end - len(pattern) + 2
        nxt = stream.text.find(" ", end + 1)
        extra = nxt - end - 1
        if extra > (ending if len(pattern) > 5 else 0):
            continue
        first = bisect.bisect_left(stream.starts, start_in_stream)
        last = bisect.bisect_right(stream.starts, end) - 1
        if first >= n_tokens or last < first:
            continue
        if pids and named is not None:
            named.append((pids, first))
        for idx in idxs:
            if (idx, first) in seen:
                continue
            seen.add((idx, first))
            found.append((idx, first, last))
