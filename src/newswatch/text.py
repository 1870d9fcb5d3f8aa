"""Text handling shared by learning and matching: language, tokens, lemmas, match keys.

A *match key* is what a word is compared by, so that the spellings of one name in
several languages and scripts meet:

1. lemmatise in the text's language with simplemma (протестов -> протест, protests -> protest);
2. transliterate to Latin with anyascii (Токаев -> Tokaev, Казахстан -> Kazakhstan);
3. fold case and diacritics (Kazachstaną -> kazachstana);
4. fold spelling variants of transliteration: kh/ch/h -> h, zh -> j, y/j between vowels
   dropped (Tokayev, Tokajev, Tokaev -> tokaev) unless the vowel after it ends the word
   (Turkish "barajı" is "baraj" with an ending: its key must begin as baraj's does),
   y -> i, w -> v, x -> ks, ph -> f, doubled letters single in words longer than four
   letters.

Keys of names are then matched with room for an inflectional ending (Tokayevas,
Kazachstane), see `matching`. Scripts written without spaces (Chinese, Japanese, Thai)
are matched on their own characters instead: see `is_unspaced`.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import threading
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Any

import py3langid
import simplemma
import wordfreq
from anyascii import anyascii

from newswatch import langdata

# Words with inner hyphens (Nur-Sultan, Kassym-Jomart); an apostrophe ends a word, so a
# possessive ('s) is not part of the name.
WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\u0e00-\u0e7f\uac00-\ud7af]")
_VOWELS = "aeiou"
_GLIDE = re.compile(r"(?<=[aeiou])[yji](?=[aeiou].)")
_DOUBLE = re.compile(r"(.)\1+")
_NO_LEMMAS: set[str] = set()
_CHINESE = {"wuu": "zh", "yue": "zh"}
# runs of Han and kana, else words as WORD finds them
_SEGMENT_RUNS = re.compile(rf"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]+|{WORD.pattern}")
# wordfreq needs optional tokenisers (jieba, MeCab) for these; newswatch does not install them
NO_WORDFREQ = frozenset({"zh", "ja", "ko"})
# Languages written without spaces whose words `segment` finds with wordfreq's word list.
SEGMENTED = frozenset({"zh", "ja"})
_MAX_WORD = 8  # characters
_UNKNOWN_CHAR = math.log(1e-9)  # a character that is no word of the list
_COMMON_CHAR = 5.5  # Zipf: a single character this common is a word of its own (的, 了)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language (py3langid), or None for too little text."""
    sample = " ".join(text.split())[:2000]
    if len(sample) < 12:
        return None
    lang, _score = _classify(sample)
    # short Chinese texts are sometimes taken for a regional variety; newswatch's tools
    # (word lists, lexicon, CLDR) know them as Chinese
    return _CHINESE.get(str(lang), str(lang))


# py3langid loads its model (~75 MB, 0.7 s) on the first call, unguarded: the fetching
# threads' first calls at once each loaded a copy (a run's peak memory grew by hundreds of
# MB). The first call is made under a lock, so the model is loaded once.
_LANGID_LOCK = threading.Lock()
_langid_loaded = False


def load_language_model() -> threading.Thread:
    """Start loading py3langid's model on a thread of its own, now (a run does so before
    fetching its pages), so the first article that needs its language does not wait."""
    thread = threading.Thread(
        target=_classify, args=("warm up the language model",), name="newswatch-langid", daemon=True
    )
    thread.start()
    return thread


def _classify(sample: str) -> tuple[str, float]:
    global _langid_loaded
    if not _langid_loaded:
        with _LANGID_LOCK:
            found = py3langid.classify(sample)
            _langid_loaded = True
            return found  # type: ignore[no-any-return]
    return py3langid.classify(sample)  # type: ignore[no-any-return]


def unspaced_chars(text: str) -> int:
    """How many characters of the text are in scripts written without spaces."""
    return len(_UNSPACED.findall(text))


def is_unspaced(text: str) -> bool:
    """True for text mostly in a script written without spaces between words."""
    head = text[:500]
    if not _UNSPACED.search(head):  # most text: no need to count its letters
        return False
    letters = sum(map(str.isalpha, head))
    return letters > 0 and len(_UNSPACED.findall(head)) * 3 > letters


@lru_cache(maxsize=1)
def _combining_marks() -> tuple[re.Pattern[str], dict[int, None]]:
    """Every character unicodedata calls combining: those of the Basic Multilingual Plane
    as one character class (sre tests it as a bitmap: C speed, where a test per character
    in Python is 30 times slower), and the others as a `str.translate` table."""
    marks = [cp for cp in range(sys.maxunicode + 1) if unicodedata.combining(chr(cp))]
    ranges: list[tuple[int, int]] = []
    for cp in (m for m in marks if m <= 0xFFFF):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    bmp = re.compile("[" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges) + "]")
    return bmp, {m: None for m in marks if m > 0xFFFF}


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def strip_marks(text: str) -> str:
    """The text without its combining characters (diacritics once NFKD-decomposed)."""
    if text.isascii():
        return text
    bmp, astral = _combining_marks()
    text = bmp.sub("", text)
    return text.translate(astral) if _ASTRAL.search(text) else text


def fold(text: str) -> str:
    """Casefold, strip diacritics and transliterate to lower-case ASCII."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return anyascii(strip_marks(decomposed)).lower()


def spelling_key(folded: str) -> str:
    """Fold transliteration variants (see the module rules) of an already folded word."""
    s = folded.replace("'", "").replace("’", "")
    s = (
        s.replace("kh", "h")
        .replace("ch", "h")
        .replace("ph", "f")
        .replace("x", "ks")
        .replace("w", "v")
    )
    s = s.replace("zh", "j").replace("dzh", "j")
    s = _GLIDE.sub("", s)
    s = s.replace("y", "i")
    if len(s) > 4:
        s = _DOUBLE.sub(r"\1", s)
    return s


# simplemma reading its dictionaries in place, their index kept in newswatch's cache
# (see `langdata`): a language costs a few MB and a tenth of a second once cached
_LEMMATIZER = langdata.lemmatizer()
# Lemmas and Zipf frequencies of the words newswatch's own data uses (the lexicon's forms,
# the calibration background), stored by scripts/build_known_words.py: looking them up
# would load a lemma dictionary and a word list per language (seconds each) even when
# the seeds are in one language.
KNOWN_WORDS_FILE = "known_words.json"
# The everyday words of the spaced languages of the translation table (wordfreq, Zipf at
# least COMMON_FLOOR, among each list's COMMON_TOP first), stored in a file of their own,
# which only learning reads: it leaves out a translation that is an everyday word of
# another language, since aliases are matched in articles of every language (see
# `lexicon`), without loading 12 lists; scoring, which lemmatises, loads none of it.
EVERYDAY_WORDS_FILE = "everyday_words.json"
COMMON_LANGUAGES = ("en", "cs", "de", "es", "fr", "it", "lt", "pl", "pt", "ru", "tr", "uk")
COMMON_FLOOR = 4.5
COMMON_TOP = 6000


@lru_cache(maxsize=1)
def known_words() -> dict[str, dict[str, dict[str, object]]]:
    """{"lemma": {language: {word: lemma}}, "zipf": {language: {word: Zipf}}}."""
    return _stored(KNOWN_WORDS_FILE) or {"lemma": {}, "zipf": {}}


@lru_cache(maxsize=1)
def everyday_words() -> dict[str, dict[str, object]]:
    """{language: {everyday word: Zipf}} (see EVERYDAY_WORDS_FILE)."""
    return _stored(EVERYDAY_WORDS_FILE)


def _stored(name: str) -> dict[str, Any]:
    path = resources.files("newswatch.data") / name
    if not path.is_file():
        return {}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def known_words_now(
    texts: list[str], lexicon: dict[str, set[str]]
) -> dict[str, dict[str, dict[str, object]]]:
    """The `known_words` table looked up now (slow: loads every language it needs):
    lemmas of the words of `texts` (in each text's language) and of `lexicon`'s
    ({language: words}), Zipf frequencies of `lexicon`'s words; and, as "common", the
    `everyday_words` table."""
    lemmas: dict[str, dict[str, object]] = {}
    zipfs: dict[str, dict[str, object]] = {}
    for text in texts:
        lang = detect_language(text)
        if lang:
            for w in WORD.findall(text):
                low = w.casefold()
                lemmas.setdefault(lang, {})[low] = _looked_up_lemma(low, lang)
    for lang, found in lexicon.items():
        for w in found:
            low = w.casefold()
            lemmas.setdefault(lang, {})[low] = _looked_up_lemma(low, lang)
            zipfs.setdefault(lang, {})[w] = wordfreq.zipf_frequency(w, lang)
    common: dict[str, dict[str, object]] = {}
    for lang in COMMON_LANGUAGES:
        for w in wordfreq.top_n_list(lang, COMMON_TOP):
            z = wordfreq.zipf_frequency(w, lang)
            if z >= COMMON_FLOOR and w.isalpha():
                common.setdefault(lang, {})[w] = z
    return {"lemma": lemmas, "zipf": zipfs, "common": common}


def everyday_zipf(word: str, lang: str) -> float:
    """The Zipf frequency of an everyday word of `lang` (see COMMON_LANGUAGES), else 0."""
    stored = everyday_words().get(lang, {}).get(word.casefold())
    return float(stored) if isinstance(stored, int | float) else 0.0


@lru_cache(maxsize=200_000)
def lemma(word: str, lang: str | None) -> str:
    """simplemma's lemma in `lang` when it knows the language, else the word itself."""
    if not lang or lang in _NO_LEMMAS:
        return word
    stored = known_words()["lemma"].get(lang, {}).get(word)
    return str(stored) if stored is not None else _looked_up_lemma(word, lang)


def _looked_up_lemma(word: str, lang: str) -> str:
    if lang in _NO_LEMMAS:
        return word
    try:
        if _LEMMATIZER is not None:
            return str(_LEMMATIZER.lemmatize(word, lang=lang))
        return str(simplemma.lemmatize(word, lang=lang))
    except (ValueError, KeyError, LookupError):
        _NO_LEMMAS.add(lang)  # simplemma has no data for this language
        return word


# Languages that capitalise every noun: a capital there does not make a name.
NOUN_CAPITALS = frozenset({"de", "lb"})


@lru_cache(maxsize=20_000)
def is_dictionary_word(word: str, lang: str) -> bool:
    """Whether simplemma's dictionary of `lang` knows the word (a German noun such as
    "Versäumnisse" is known; a name such as "Tokajew" is not)."""
    try:
        return langdata.is_known(word, lang)
    except (ValueError, KeyError, LookupError, TypeError):
        return False


@lru_cache(maxsize=200_000)
def word_key(word: str, lang: str | None) -> str:
    """The match key of one word (see the module rules)."""
    lowered = word.casefold()
    return spelling_key(fold(lemma(lowered, lang)))


@lru_cache(maxsize=400_000)
def raw_key(word: str) -> str:
    """The match key of a word without lemmatising (for names, whose endings vary)."""
    return spelling_key(fold(word))


STRAY_PREFIX = 4


def lemma_strays(word: str, lang: str | None) -> bool:
    """Whether the lemma of `word` is another word than it: the two share fewer than
    STRAY_PREFIX first letters (folded). simplemma gives Polish "trzęsienie" (earthquake)
    the verb "trząść" (to shake) as its lemma, while "trzęsienia" and "trzęsieniu", the
    forms an article uses most, get "trzęsienie": a form stored by its lemma alone would
    match the one case and miss the others."""
    low = word.casefold()
    a, b = fold(low), fold(lemma(low, lang))
    return len(os.path.commonprefix((a, b))) < min(STRAY_PREFIX, len(a), len(b))


def lemma_forms(form: str, lang: str | None) -> tuple[str, ...]:
    """A spaced form as matching needs it: its words' lemmas (articles are lemmatised),
    and, when the lemma of one of its words strays from the word (see `lemma_strays`),
    the form with that word as written too ("trząść ziemia" and "trzęsienie ziemia" for
    Polish "trzęsienie ziemi"), so that every case of it is found."""
    words = [w.casefold() for w in WORD.findall(form)]
    lemmas = [lemma(w, lang) for w in words]
    out = [" ".join(lemmas)]
    kept = [w if lemma_strays(w, lang) else m for w, m in zip(words, lemmas, strict=True)]
    if kept != lemmas:
        out.append(" ".join(kept))
    return tuple(out)


def words(text: str) -> list[tuple[str, int, int]]:
    """(word, start, end) for every word of the text."""
    return [(m.group(0), m.start(), m.end()) for m in WORD.finditer(text)]


def sentences(text: str) -> list[str]:
    """Rough sentence split on end punctuation and line breaks (enough for boilerplate rules)."""
    parts = re.split(r"(?<=[.!?。！？])\s+|\n+", text)
    return [p.strip() for p in parts if p and p.strip()]


def _frequencies(lang: str) -> dict[str, float]:
    return wordfreq.get_frequency_dict(lang)  # cached by wordfreq


def zipf(word: str, lang: str) -> float:
    """Zipf frequency of a word in `lang` (wordfreq). For Chinese and Japanese the word is
    looked up in wordfreq's list directly: its own lookup needs a tokeniser newswatch does
    not install (jieba, MeCab)."""
    if lang in SEGMENTED:
        f = _frequencies(lang).get(word)
        return round(math.log10(f * 1e9), 2) if f else 0.0
    return langdata.zipf_frequency(word, lang)


def segment(text: str, lang: str) -> list[str]:
    """Words of Chinese or Japanese text: the most probable split into words of wordfreq's
    list for `lang` (a unigram model, best path by dynamic programming), other scripts'
    words as `WORD` finds them. A run of characters that are neither words of the list
    nor common on their own is kept as one word: a transliterated name (托卡耶夫)."""
    freqs = _frequencies(lang if lang in SEGMENTED else "zh")
    out: list[str] = []
    for m in _SEGMENT_RUNS.finditer(text):
        run = m.group(0)
        if not _UNSPACED.match(run):
            out.append(run)
            continue
        n = len(run)
        best: list[tuple[float, int]] = [(0.0, 0)] + [(-math.inf, 0)] * n
        for i in range(1, n + 1):
            for j in range(max(0, i - _MAX_WORD), i):
                f = freqs.get(run[j:i])
                if f is None and i - j > 1:
                    continue
                cost = best[j][0] + (math.log(f) if f else _UNKNOWN_CHAR)
                if cost > best[i][0]:
                    best[i] = (cost, j)
        words: list[str] = []
        i = n
        while i > 0:
            j = best[i][1]
            words.append(run[j:i])
            i = j
        words.reverse()
        pending = ""
        for w in words:
            if len(w) == 1 and zipf(w, lang) < _COMMON_CHAR:
                pending += w
                continue
            if pending:
                out.append(pending)
                pending = ""
            out.append(w)
        if pending:
            out.append(pending)
    return out
