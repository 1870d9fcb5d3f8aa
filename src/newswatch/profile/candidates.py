"""Step 2 of learning: candidate terms of the cleaned seeds.

Entities: runs of capitalised words that do not merely start a sentence, and acronyms
(with their expansion when the seed spells it out, as in "Collective Security Treaty
Organization (CSTO)" or "KSSO" next to "Kolektyvinio saugumo sutarties organizacija").
Keywords: lemmas of the other words (simplemma), and adjacent keyword pairs (phrases).
Chinese and Japanese seeds, with neither spaces nor capitals, are segmented into words
over wordfreq's word list (`text.segment`): places, unknown words (transliterated names)
and the lexicon's organisations are entities, the other words keywords.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from babel import Locale

from newswatch import places
from newswatch.langdata import zipf_frequency
from newswatch.lexicon import concept_ids
from newswatch.places import LOCALES
from newswatch.profile.clean import known_outlets
from newswatch.text import (
    NOUN_CAPITALS,
    SEGMENTED,
    WORD,
    is_dictionary_word,
    is_unspaced,
    lemma,
    raw_key,
    segment,
    sentences,
    word_key,
    zipf,
)

_STOP_CAPS = {
    "The",
    "A",
    "An",
    "In",
    "On",
    "At",
    "Of",
    "And",
    "But",
    "As",
    "It",
    "He",
    "She",
    "They",
    "We",
    "I",
    "This",
    "That",
    "These",
    "Those",
    "According",
    "Today",
    "Earlier",
    "After",
    "Before",
    "Within",
    "Both",
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Also",
    "However",
    "While",
}


# Names in quotation marks: Russian, Ukrainian, Polish, German and French news quote the
# names of projects, companies and parties («Северный поток», „Prawo i Sprawiedliwość”),
# Chinese news quote names too (“北溪”). Not English quotes: they quote speech.
_QUOTED = re.compile(r"[«„“‹「]([^«»„“”‹›「」\n.!?;:,，。！？；：]{2,40})[»“”›」]")
QUOTED_WORDS = 4
QUOTED_CHARS = 8


def quoted_names(text: str, lang: str) -> list[str]:
    """The names a text writes in quotation marks (see `_QUOTED`): up to QUOTED_WORDS
    words, the first capitalised, cut before a number ("Северный поток 1 и 2"); in
    Chinese and Japanese a run of up to QUOTED_CHARS characters."""
    out = []
    for m in _QUOTED.finditer(text):
        inner = m.group(1).strip()
        if lang in SEGMENTED:
            if is_unspaced(inner) and 2 <= len(inner) <= QUOTED_CHARS and inner.isalpha():
                out.append(inner)
            continue
        if lang == "en" or m.group(0)[0] in "“":
            continue
        words = []
        for w in WORD.findall(inner):
            if w.isdigit():
                break
            words.append(w)
        if 2 <= len(words) <= QUOTED_WORDS and words[0][:1].isupper():
            out.append(" ".join(words))
    return out


@dataclass
class Cand:
    kind: str
    key: str
    forms: Counter[str] = field(default_factory=Counter)
    seeds: set[int] = field(default_factory=set)
    langs: set[str] = field(default_factory=set)
    count: int = 0
    expansions: set[str] = field(default_factory=set)
    in_runs: int = 0
    titles: set[int] = field(default_factory=set)  # seeds whose headline has it
    lower: int = 0  # uses written in lower case (a German noun's capital says nothing)
    place: str | None = None  # the place a name stands for (set by `merge.merge_forms`)

    def absorb(self, other: Cand) -> None:
        """Take `other`'s uses as this one's (another form of the same thing); `other`
        is left with none."""
        self.forms.update(other.forms)
        self.seeds |= other.seeds
        self.langs |= other.langs
        self.count += other.count
        self.expansions |= other.expansions
        self.in_runs += other.in_runs
        self.titles |= other.titles
        self.lower += other.lower
        other.count = 0


# -- 2. candidates ----------------------------------------------------------------


def is_acronym(word: str) -> bool:
    return 2 <= len(word) <= 6 and word.isupper() and word.isalpha()


@lru_cache(maxsize=100_000)
def common_zipf(word: str, lang: str) -> float:
    """Zipf frequency of a word in its language (or English); an inflected form that the
    word list lacks (Lithuanian "šturmą") is as common as its lemma ("šturmas")."""
    low = word.lower()
    if lang in SEGMENTED:
        return zipf(word, lang)
    try:
        z = max(zipf_frequency(low, lang), zipf_frequency(low, "en"))
        if z == 0.0:
            z = zipf_frequency(lemma(low, lang), lang)
        return z
    except (LookupError, ImportError, ValueError):
        return zipf_frequency(low, "en")


def is_common_noun(word: str, lang: str) -> bool:
    """A capitalised word of a language that capitalises its nouns (German), known to its
    dictionary and not a place: a common noun ("Versäumnisse", "Aufsicht"), not a name."""
    return (
        lang in NOUN_CAPITALS
        and word[:1].isupper()
        and not word.isupper()
        and is_dictionary_word(word, lang)
        and places.best(word) is None
    )


def _common_nouns(toks: list[str], lang: str) -> set[int]:
    """Indices of a sentence's common nouns written with a capital (`is_common_noun`)
    that stand alone: capitalised words side by side are a name even in German
    ("Silicon Valley Bank", "Federal Reserve"), unless the first opens the sentence."""
    if lang not in NOUN_CAPITALS:
        return set()

    def capital(k: int) -> bool:
        return (
            0 <= k < len(toks)
            and toks[k][:1].isupper()
            and toks[k] not in _STOP_CAPS
            and not (k == 0 and is_dictionary_word(toks[k], lang))
        )

    return {
        k
        for k, t in enumerate(toks)
        if is_common_noun(t, lang) and not capital(k - 1) and not capital(k + 1)
    }


def is_sentence_word(word: str, lang: str) -> bool:
    """A word opening a sentence that its language's dictionary knows and that is no place
    (Wycieki, Диверсия, Sejsmolog): capitalised by position, not a name. The one seed in
    a language may use it only there."""
    return lang not in SEGMENTED and is_dictionary_word(word, lang) and places.best(word) is None


@lru_cache(maxsize=4096)
def _expansion(acronym: str, text: str) -> str | None:
    """A run of words in `text` whose initials spell the acronym (its expansion)."""
    toks = [(m.group(0), m.start()) for m in WORD.finditer(text)]
    n = len(acronym)
    target = acronym.casefold()
    for i in range(len(toks) - n + 1):
        window = [w for w, _ in toks[i : i + n]]
        if "".join(w[0].casefold() for w in window) != target or any(w.isupper() for w in window):
            continue
        if n <= 2 and not all(w[:1].isupper() for w in window):
            continue  # "TV" is not "to violent": short acronyms need capitalised words
        if all(len(w) > 2 for w in window) and sum(1 for w in window if len(w) > 3) >= n - 1:
            return " ".join(window)
    return None


def find_candidates(
    docs: list[tuple[str, str]], outlets: set[str], listed: frozenset[str] | None = None
) -> dict[tuple[str, str], Cand]:
    cands: dict[tuple[str, str], Cand] = {}
    # names the seeds revealed as outlets: each word; the bundled list and the feeds'
    # outlets (`listed`): their one-word names (Reuters, Хабар) and their longer names as
    # a whole (New York Times, not York)
    listed = known_outlets() if listed is None else listed
    outlet_keys = {raw_key(w) for o in outlets for w in o.split()}
    outlet_keys |= {raw_key(o) for o in listed if " " not in o}
    outlet_runs = {" ".join(raw_key(w) for w in o.split()) for o in listed if " " in o}
    calendar = calendar_keys()

    def add(kind: str, key: str, form: str, seed: int, lang: str, *, in_run: bool = False) -> Cand:
        c = cands.setdefault((kind, key), Cand(kind, key))
        c.forms[form] += 1
        c.seeds.add(seed)
        c.langs.add(lang)
        c.count += 1
        c.in_runs += in_run
        return c

    def is_name(tok: str, lang: str) -> bool:
        return (
            tok[:1].isupper()
            and not is_acronym(tok)
            and tok not in _STOP_CAPS
            and raw_key(tok) not in calendar
            and raw_key(tok) not in outlet_keys
        )

    for seed, (text, lang) in enumerate(docs):
        if lang in SEGMENTED:
            _segmented_candidates(text, lang, seed, add, outlet_keys)
            continue
        for name in quoted_names(text, lang):
            if raw_key(name) not in outlet_keys:
                add("entity", " ".join(raw_key(w) for w in WORD.findall(name)), name, seed, lang)
        for n_sent, sent in enumerate(sentences(text)):
            toks = [m.group(0) for m in WORD.finditer(sent)]
            if not toks:
                continue
            caps = sum(1 for t in toks if t[:1].isupper())
            title_case = len(toks) >= 4 and caps > 0.6 * len(toks)
            nouns = _common_nouns(toks, lang)
            i = 0
            while i < len(toks):
                w = toks[i]
                if is_acronym(w):
                    if raw_key(w) not in outlet_keys:
                        c = add("entity", raw_key(w), w, seed, lang)
                        exp = _expansion(w, text)
                        if exp:
                            c.expansions.add(exp)
                    i += 1
                    continue
                if (
                    not is_name(w, lang)
                    or i in nouns
                    or (
                        i == 0
                        and not (i + 1 < len(toks) and is_name(toks[i + 1], lang))
                        and is_sentence_word(w, lang)
                    )
                ):
                    i += 1
                    continue
                run = [w]
                j = i + 1
                while (
                    not title_case
                    and j < len(toks)
                    and (
                        (is_name(toks[j], lang) and j not in nouns)
                        or (toks[j] == "of" and j + 1 < len(toks) and is_name(toks[j + 1], lang))
                    )
                ):
                    run.append(toks[j])
                    j += 1
                # an outlet's name, whole or with a title or word before it ("Varnik Post")
                keys_of_run = [raw_key(x) for x in run]
                if any(
                    " ".join(keys_of_run[k:m]) in outlet_runs
                    for k in range(len(run))
                    for m in range(k + 2, len(run) + 1)
                ):
                    i = j
                    continue
                # titles and sentence-initial ordinary words are not part of a name
                while len(run) > 1 and (
                    common_zipf(run[0], lang) >= 5.0
                    or (i == 0 and common_zipf(run[0], lang) >= 4.0)
                ):
                    run.pop(0)
                while len(run) > 1 and (
                    run[-1] == "of" or (len(run) < 3 and common_zipf(run[-1], lang) >= 5.0)
                ):
                    run.pop()
                if 1 < len(run) <= 4:
                    add("entity", " ".join(raw_key(x) for x in run), " ".join(run), seed, lang)
                for x in run:
                    if x != "of":
                        add("entity", raw_key(x), x, seed, lang, in_run=len(run) > 1)
                i = j
            keys = [
                word_key(t, lang)
                if not t[:1].isupper()
                or n in nouns
                or (n == 0 and not is_acronym(t) and is_sentence_word(t, lang))
                else ""
                for n, t in enumerate(toks)
            ]
            for at, (t, k) in enumerate(zip(toks, keys, strict=True)):
                # a number is no word of the story: tolls and figures change every day
                # (a capitalised German word of 3 letters is kept for `weights._pool` to
                # join to a name the other seeds write: "die Fed" is the Fed)
                short_noun = len(k) == 3 and at in nouns and k.isalpha()
                if (len(k) >= 4 or short_noun) and not k.isdigit():
                    c = add("keyword", k, t.lower(), seed, lang)
                    c.lower += t[:1].islower()
                    if n_sent == 0:
                        c.titles.add(seed)
            for a, b, ta, tb in zip(keys, keys[1:], toks, toks[1:], strict=False):
                if (
                    len(a) >= 4
                    and len(b) >= 4
                    and not (a.isdigit() or b.isdigit())
                    and max(common_zipf(ta, lang), common_zipf(tb, lang)) < 6.0
                ):
                    add("phrase", f"{a} {b}", f"{ta.lower()} {tb.lower()}", seed, lang)
    return cands


def _segmented_candidates(text: str, lang: str, seed: int, add: Any, outlet_keys: set[str]) -> None:
    """Candidates of a Chinese or Japanese seed, whose script has neither spaces nor
    capitals: its words as `text.segment` finds them; places the gazetteer knows, words
    the word list does not know (transliterated names, 托卡耶夫) and the lexicon's
    organisations are entities, other words of two or more characters keywords."""
    calendar = calendar_keys()
    unspaced_outlets = [o for o in outlet_keys if is_unspaced(o) and len(o) >= 2]
    quoted = set(quoted_names(text, lang))
    for word in segment(text, lang):
        if len(word) < 2 or not is_unspaced(word) or any(c.isdigit() for c in word):
            continue
        key = raw_key(word)
        if key in calendar or key in outlet_keys:  # 周四, 星期四; 新华社
            continue
        if any(o in key for o in unspaced_outlets):  # 央视网 holds 央视
            continue
        if (
            word in quoted
            or places.find(word)
            or zipf(word, lang) == 0.0
            or concept_ids("organisation", {word})
        ):
            add("entity", key, word, seed, lang)
        else:
            add("keyword", key, word, seed, lang)


_CALENDAR: set[str] = set()


def calendar_keys() -> set[str]:
    """Names of weekdays and months in many languages (CLDR): capitalised, yet not names."""
    if not _CALENDAR:
        for loc in LOCALES:
            locale = Locale.parse(loc)
            for width in ("wide", "abbreviated"):
                for names in (locale.days["format"][width], locale.months["format"][width]):
                    _CALENDAR.update(raw_key(n) for n in names.values())
    return _CALENDAR
