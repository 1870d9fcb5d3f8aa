"""Which senses of the translation table a word learned from the seeds means.

The table (`translations`) holds rows of English words' translation tables; a learned
word finds every row that has it as a form. The seeds pick among them (`Evidence`: a
sense whose forms seeds in two languages use); without a second language, a word the
seeds repeat means its only sense or, an English word, its main one. Pure: reads only
the bundled table.
"""

from __future__ import annotations

from dataclasses import dataclass

from newswatch import translations
from newswatch.text import (
    NOUN_CAPITALS,
    SEGMENTED,
    WORD,
    fold,
    is_unspaced,
    lemma_forms,
    raw_key,
    word_key,
)

# An event word no second language confirms is translated only when the seeds repeat it
# and it has at most this many senses (one: a word of several meanings would bring them
# all; with 3, unconfirmed words such as "extensive" brought everyday Chinese forms).
MAX_UNCONFIRMED_SENSES = 1
DOMINANT = 2
DOMINANT_LANGUAGES = 6


@dataclass(frozen=True)
class Evidence:
    """What the seeds say, per language: in how many seeds each word's match key is, and
    their text in the unspaced scripts (Chinese, Japanese). Picks the senses of a learned
    word that the seeds in another language confirm."""

    keys: dict[str, dict[str, int]]
    text: dict[str, str]

    @classmethod
    def of(cls, docs: list[tuple[str, str]]) -> Evidence:
        keys: dict[str, dict[str, int]] = {}
        text: dict[str, list[str]] = {}
        for body, lang in docs:
            if is_unspaced(body[:2000]) or lang in SEGMENTED:
                text.setdefault(lang, []).append(body)
                continue
            have = keys.setdefault(lang, {})
            # a capitalised word inside a sentence is part of a name ("Stream" of Nord
            # Stream is no stream), except where nouns are capitalised
            words = [
                m.group(0)
                for m in WORD.finditer(body)
                if lang in NOUN_CAPITALS
                or not m.group(0)[:1].isupper()
                or _opens_sentence(body, m.start())
            ]
            for k in {word_key(w, lang) for w in words}:
                have[k] = have.get(k, 0) + 1
        return cls(keys, {k: "\n".join(v) for k, v in text.items()})

    def says(self, form: translations.Form) -> bool:
        if is_unspaced(form.alias):
            return form.alias in self.text.get(form.lang, "")
        have = self.keys.get(form.lang)
        # an alias word as written stands for the case forms whose lemma it is (see
        # `text.lemma_forms`)
        return bool(have) and all(
            word_key(w, form.lang) in have or raw_key(w) in have  # type: ignore[operator]
            for w in WORD.findall(form.alias)
        )

    def seeds_with(self, keys: set[str], languages: tuple[str, ...]) -> int:
        """In how many seeds of one language a key is at most (a phrase's: in as many as
        its rarest word)."""
        return max(
            (
                min(self.keys.get(lang, {}).get(w, 0) for w in k.split())
                for lang in languages
                for k in keys
                if k.strip()
            ),
            default=0,
        )


def _verb_form(written: tuple[str, ...], found: set[int]) -> bool:
    """Whether an English word is written only as a verb's -ing or -ed form of the
    senses' head ("forcing", "raised": the table's senses are of the nouns "force" and
    "raise", and the main one, armed forces, is not what "forcing the evacuation" says)."""
    heads = {fold(f.alias) for s in found for f in translations.forms(s) if f.lang == "en"}
    return bool(written) and all(
        w.casefold().endswith(("ing", "ed")) and fold(w) not in heads for w in written
    )


def _opens_sentence(text: str, at: int) -> bool:
    before = text[max(0, at - 3) : at].rstrip(" \t\"'«“„(")
    return not before or before[-1] in ".!?:\n"


def word_senses(
    found: set[int],
    keys: set[str],
    languages: tuple[str, ...],
    evidence: Evidence | None,
    written: tuple[str, ...] = (),
    dominant: bool = True,
) -> list[int]:
    """The table's senses of a learned event word: those the seeds in a second language
    confirm (a form of the sense in that language is in its seeds); with none confirmed,
    when the seeds repeat it, its only sense, or (`dominant`) its main one. `found`: the
    senses having a form with one of the word's `keys` (`translations.senses`). Match keys
    fold spelling variants, so two words can share one ("rubble" and "ruble"): when some
    of the senses have the word itself (`written`, or its lemma) as a form, only those are
    its senses."""
    spelled = {fold(w) for w in written} | {
        fold(x) for w in written for lang in languages for x in lemma_forms(w, lang)
    }
    if len(found) > 1 and written:
        exact = {
            s
            for s in found
            if any(f.lang in languages and fold(f.alias) in spelled for f in translations.forms(s))
        }
        found = exact or found
    if not found or evidence is None:
        return sorted(found)
    support = {s: len({f.lang for f in translations.forms(s) if evidence.says(f)}) for s in found}
    best = max(support.values())
    if best >= 2:
        return sorted(s for s, n in support.items() if n == best)
    if evidence.seeds_with(keys, languages) < 2:
        return []
    if len(found) <= MAX_UNCONFIRMED_SENSES:
        return sorted(found)
    # the word's main sense, when one is: translated into DOMINANT times as many languages
    # as any other, and into at least DOMINANT_LANGUAGES (nickel, the element: 12; the
    # coin: 3). Only for an English word: the table's senses are rows of English words'
    # tables, so another language's word has the senses of the English words it
    # translates, not its own (Russian "завал", rubble, translates "backlog" and "cave-in")
    english = all(
        any(f.lang == "en" and fold(f.alias) in spelled for f in translations.forms(s))
        for s in found
    )
    if not dominant or not english or _verb_form(written, found):
        return []
    width = sorted(((len({f.lang for f in translations.forms(s)}), s) for s in found), reverse=True)
    if width[0][0] >= DOMINANT_LANGUAGES and width[0][0] >= DOMINANT * width[1][0]:
        return [width[0][1]]
    return []
