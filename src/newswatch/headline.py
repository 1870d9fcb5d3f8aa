"""What a headline says about an article's subject (rules `matching` applies).

A headline says what the article is about. Two signs that the story is not its subject:

- It is written in sentence case, names none of the story's names, and does name someone
  or something else: a capitalised word that is not its first and not after a quote or a
  colon, that is no place, no profile term and no common word of its language (wordfreq
  in English, the lemma dictionary elsewhere), or capitalised words side by side, even of
  common words and at the headline's start ("First Republic Bank", "Credit Suisse"),
  unless together they are a place (New York).
- It is HEADLINE_WORDS words or longer and says none of the story's terms at all, in a
  language the profile has words in (in another, its silence says nothing).

Pure: `matching` scores with these.
"""

from __future__ import annotations

from collections.abc import Collection

from newswatch import places
from newswatch.text import WORD, is_dictionary_word, is_unspaced, raw_key, zipf

HEADLINE_WORDS = 4  # a headline this long that says none of the story's terms is elsewhere
TITLE_CASE_SHARE = 0.6  # a headline with more capitalised words is in title case
COMMON_ZIPF = 4.5  # a word this frequent in its language is no name
_SENTENCE_MARKS = tuple(".!?:;\"«»„“”'‘’")


def is_long(title: str) -> bool:
    """A headline long enough to say what the article is about (HEADLINE_WORDS)."""
    return len(WORD.findall(title)) >= HEADLINE_WORDS


def other_subjects(
    title: str, lang: str | None, known_keys: Collection[str], lemma_langs: Collection[str]
) -> list[str]:
    """The names of a sentence-case headline that are not the story's (see the module
    rules); empty for a headline in title case or without such names. `known_keys`: the
    raw keys of the profile's words; `lemma_langs`: languages whose lemma dictionary is
    loaded (a word is common there when the dictionary knows it)."""
    if not title or is_unspaced(title):
        return []
    found = [(m.group(0), m.start()) for m in WORD.finditer(title)]
    if len(found) < 3 or sum(w[:1].isupper() for w, _ in found) > TITLE_CASE_SHARE * len(found):
        return []

    def joined(a: int, b: int) -> bool:
        """Words a and b (neighbours) side by side, no sentence mark between them."""
        lo, hi = min(a, b), max(a, b)
        return not title[found[lo][1] : found[hi][1]].rstrip().endswith(_SENTENCE_MARKS)

    # a headline's opening article (The, La, El, Der, Il) is grammar, not part of a name;
    # the word after it is capitalised as a name, not as the headline's first word
    article = _is_article(found[0][0], lang, lemma_langs)
    if article:
        found = found[1:]
    out = []
    for n, (w, start) in enumerate(found):
        if not w[:1].isupper() or raw_key(w) in known_keys or places.find(w):
            continue
        in_run = any(
            0 <= k < len(found)
            and found[k][0][:1].isupper()
            and joined(n, k)
            and not places.find(f"{found[min(n, k)][0]} {found[max(n, k)][0]}")
            and raw_key(found[k][0]) not in known_keys
            for k in (n - 1, n + 1)
        )
        if in_run:
            out.append(w)
            continue
        if (n == 0 and not article) or title[:start].rstrip().endswith(_SENTENCE_MARKS):
            continue
        if not (w.isupper() and len(w) > 1) and _is_common(w, lang, lemma_langs):
            continue
        out.append(w)
    return out


def _is_article(word: str, lang: str | None, lemma_langs: Collection[str]) -> bool:
    """A short word of the language's grammar opening a headline: up to 3 letters, not an
    acronym, common (see `_is_common`)."""
    return len(word) <= 3 and not word.isupper() and _is_common(word, lang, lemma_langs)


def _is_common(word: str, lang: str | None, lemma_langs: Collection[str]) -> bool:
    """A common word of the article's language: by wordfreq in English, by the lemma
    dictionary in the other languages lemmas are loaded for (no word list is loaded
    for scoring alone), else not."""
    if lang in (None, "en"):
        return zipf(word.casefold(), "en") >= COMMON_ZIPF
    return lang in lemma_langs and is_dictionary_word(word, lang)
