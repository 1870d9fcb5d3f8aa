"""How an article's words become the keys a profile's terms are found on, and the finding.

Every word of the title and text gets two match keys (see `text`): a *name key*
(transliterated, folded, not lemmatised; a hyphen joins the parts of a name like a space)
and a *word key* (lemmatised first). Each stream is one string of keys with the offset of
every token, so that an Aho-Corasick automaton finds all of a profile's terms in one pass.
The streams of an article are made once, however many topics score it (`read`,
`word_stream` keep the last few), and so is the scan for the places it names
(`places_named`: the gazetteer's names are one automaton shared by every topic). A word's
keys are looked up in a dict per language, filled on the word's first sight, so that the
words every article repeats cost a dict lookup. Pure: `newswatch.matching` scores with these.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

import ahocorasick

from newswatch import places
from newswatch.models import ProfileTerm
from newswatch.text import WORD, is_unspaced, raw_key, unspaced_chars, word_key

# Letters of an inflectional ending a name may take in an article (Tokayevas, Казахстане).
ENTITY_ENDING = 4

PLACE_MIN_LETTERS = 4


@dataclass(frozen=True)
class Stream:
    text: str
    starts: list[int]  # offset in `text` of each token


def stream(spaced: list[str]) -> Stream:
    """The stream of keys each followed by a space ("k0 ", "k1 ", ...): " k0 k1 k2 ",
    where token i starts after the space that precedes it. (Keys kept with their space,
    and accumulate, keep the per-token work in C: this runs for every article.)"""
    starts = list(accumulate(map(len, spaced[:-1]), initial=1)) if spaced else []
    return Stream(" " + "".join(spaced) if spaced else "  ", starts)


class Article:
    """An article's words, read once however many topics score it: the words, their name
    keys (`names`), where each word is in the text, and whether the text is in a script
    written without spaces."""

    __slots__ = (
        "text",
        "words",
        "names",
        "unspaced",
        "_pieces",
        "_bounds",
        "_folded",
        "_unspaced_chars",
    )

    def __init__(self, text: str) -> None:
        self.text = text
        # one pass of the tokeniser for the words and their offsets: the text split at
        # its words is [gap, word, gap, word, ..., gap], and the running sum of the
        # pieces' lengths gives where each piece ends (all in C: this runs for every article)
        self._pieces = _WORD_SPLIT.split(text)
        self._bounds: list[int] = []
        self.words: list[str] = self._pieces[1::2]
        self.names = stream(list(map(_NAME_KEYS.__getitem__, self.words)))
        self.unspaced = is_unspaced(text)
        self._folded: str | None = None
        self._unspaced_chars: int | None = None

    def folded(self) -> str:
        """The text casefolded (where unspaced aliases are found)."""
        if self._folded is None:
            self._folded = self.text.casefold()
        return self._folded

    def unspaced_chars(self) -> int:
        """How many characters of the text are in scripts written without spaces."""
        if self._unspaced_chars is None:
            self._unspaced_chars = unspaced_chars(self.text)
        return self._unspaced_chars

    def span(self, i: int) -> tuple[int, int]:
        """(start, end) of word `i` in the text."""
        if not self._bounds:  # only for articles where a term fired
            self._bounds = list(accumulate(map(len, self._pieces)))
        return self._bounds[2 * i], self._bounds[2 * i + 1]


_WORD_SPLIT = re.compile(f"({WORD.pattern})")


@lru_cache(maxsize=4)
def read(full: str) -> Article:
    """An article's words and their name keys: made once per article, however many
    topics score it (each topic's Matcher asks for the same text in turn)."""
    return Article(full)


@lru_cache(maxsize=4)
def word_stream(full: str, lemma_lang: str | None) -> Stream:
    """An article's word keys (lemmatised in `lemma_lang`): once per article and language."""
    keys = _WORD_KEYS.get(lemma_lang)
    if keys is None:
        keys = _WORD_KEYS[lemma_lang] = _Keys(lambda word: word_key(word, lemma_lang) + " ")
    return stream(list(map(keys.__getitem__, read(full).words)))


@lru_cache(maxsize=400_000)
def name_key(word: str) -> str:
    # a hyphen joins the parts of one name (Nur-Sultan, Алма-Ате); matched as spaced words
    return raw_key(word).replace("-", " ")


class _Keys(dict[str, str]):
    """word -> its key and a space (see `stream`), made by `make` on a word's first lookup:
    a dict's own lookup (in C, through `map`) for the words every article repeats.
    Forgets all past KEYS_KEPT words."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[str], str]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, word: str) -> str:
        if len(self) >= KEYS_KEPT:
            self.clear()
        key = self[word] = self.make(word)
        return key


KEYS_KEPT = 100_000  # per dict: about 10 MB of keys at most
_NAME_KEYS = _Keys(lambda word: name_key(word) + " ")
_WORD_KEYS: dict[str | None, _Keys] = {}  # by lemma language


def term_automata(terms: Sequence[ProfileTerm]) -> dict[str, ahocorasick.Automaton]:
    """A profile's terms as automata of patterns by kind of key stream: "names" (entities,
    on name keys), "words" (keywords and phrases, on word keys), "unspaced" (aliases in
    scripts without spaces, on the casefolded text). A pattern's value is (pattern, the
    indices of the terms it stands for, `NO_PLACES`)."""
    tables: dict[str, dict[str, set[int]]] = {"names": {}, "words": {}, "unspaced": {}}
    names, words, unspaced = tables.values()
    for idx, term in enumerate(terms):
        forms = set(term.aliases) | {term.label}
        for alias in forms:
            if is_unspaced(alias):
                unspaced.setdefault(alias.casefold(), set()).add(idx)
                continue
            parts = [m.group(0) for m in WORD.finditer(alias)]
            if not parts:
                continue
            if term.kind == "entity":
                for pattern in name_patterns(" ".join(raw_key(p) for p in parts)):
                    names.setdefault(pattern, set()).add(idx)
            else:
                words.setdefault(" " + " ".join(raw_key(p) for p in parts), set()).add(idx)
        if term.kind == "entity":
            for pattern in name_patterns(term.key):
                names.setdefault(pattern, set()).add(idx)
        else:
            words.setdefault(" " + term.key, set()).add(idx)
    automata = {}
    for kind, table in tables.items():
        automaton = automata[kind] = ahocorasick.Automaton()
        for pattern, idxs in table.items():
            automaton.add_word(pattern, (pattern, tuple(sorted(idxs)), NO_PLACES))
        if len(automaton):
            automaton.make_automaton()
    return automata


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
# What an automaton of terms finds in a stream: (end, (pattern, term indices, `Named`)).
Found = tuple[int, tuple[str, tuple[int, ...], Named]]
NO_PLACES: Named = {}  # a term's pattern names no place (never written to)


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


def _automaton_of(patterns: dict[str, Named]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for pattern, named in patterns.items():
        automaton.add_word(pattern, (pattern, (), named))
    if len(automaton):
        automaton.make_automaton()
    return automaton


@lru_cache(maxsize=1)
def place_automaton() -> ahocorasick.Automaton:
    """The gazetteer's spaced names (`place_patterns`) as one automaton over name streams,
    shared by every topic that has places. Built once per process."""
    return _automaton_of(place_patterns()[0])


@lru_cache(maxsize=4)
def places_named(full: str, ending: int) -> list[tuple[Named, int]]:
    """The places an article names, as (`Named`, first token), in text order: one pass
    per article, however many topics score it."""
    named: list[tuple[Named, int]] = []
    article = read(full)
    find_terms(matches_of(place_automaton(), article.names.text), article.names, ending, [], named)
    return named


@lru_cache(maxsize=1)
def unspaced_place_automaton() -> ahocorasick.Automaton:
    """The gazetteer's names written without spaces (`place_patterns`) as one automaton
    over casefolded text, shared by every topic that has places. Built once per process."""
    return _automaton_of(place_patterns()[1])


@lru_cache(maxsize=4)
def unspaced_places_named(full: str) -> list[Found]:
    """The places an article in a script without spaces names by their own characters, as
    the automaton gives them (end, (pattern, (), `Named`)): one pass per article, however
    many topics score it. (Its alphabet is thousands of characters wide: a pass costs
    about 0.15 µs a character.)"""
    automaton = unspaced_place_automaton()
    return list(automaton.iter(read(full).folded())) if len(automaton) else []


def find_terms(
    matches: Iterable[Found],
    stream: Stream,
    ending: int,
    found: list[tuple[int, int, int]],
    named: list[tuple[Named, int]] | None = None,
) -> None:
    """Every term (and place) of `matches` (an automaton's over the key stream), as (term,
    first token, last token), allowing an inflectional ending of up to `ending` letters on
    the last word."""
    seen: set[tuple[int, int]] = set()
    n_tokens = len(stream.starts)
    for end, (pattern, idxs, pids) in matches:
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


def matches_of(automaton: ahocorasick.Automaton, text: str) -> Iterable[Found]:
    """What `automaton` finds in `text` (nothing when it has no pattern)."""
    return automaton.iter(text) if len(automaton) else ()


def in_text_order(
    terms: Iterable[Found],
    named: Iterable[Found],
) -> list[tuple[int, str, tuple[int, ...], Named]]:
    """The topic's terms and the places found in unspaced text, both as an automaton gives
    them, as (end, pattern, terms, places) in the order one automaton of both would give:
    by end, and at one end the longer first; a pattern both a term and a place once."""
    found: dict[tuple[int, int], tuple[int, str, tuple[int, ...], Named]] = {}
    for end, (pattern, idxs, _) in terms:
        found[end, -len(pattern)] = (end, pattern, idxs, {})
    for end, (pattern, _, where) in named:
        key = (end, -len(pattern))
        found[key] = (end, pattern, found[key][2] if key in found else (), where)
    return [found[k] for k in sorted(found)]


class TermGroup:
    """The term automata of several topics (each a dict of automata by kind of key stream:
    "names", "words", "unspaced") as one per kind: each pattern with the (member, term
    indices) of every topic that has it. A stream is read
    once and its matches dealt out to the members, each in the order its own automaton
    gives them (the same patterns, at the same ends, longest first). The last stream of
    each kind is kept: the members of a group score one article in turn."""

    KINDS = ("names", "words", "unspaced")

    def __init__(self, topics: list[dict[str, ahocorasick.Automaton]]) -> None:
        self.size = len(topics)
        self.automata: dict[str, ahocorasick.Automaton] = {}
        for kind in self.KINDS:
            table: dict[str, list[tuple[int, tuple[int, ...]]]] = {}
            for member, automata in enumerate(topics):
                own = automata[kind]
                if len(own):
                    for pattern, (_, idxs, _) in own.items():
                        table.setdefault(pattern, []).append((member, idxs))
            automaton = ahocorasick.Automaton()
            for pattern, members in table.items():
                automaton.add_word(pattern, (pattern, tuple(members)))
            if len(automaton):
                automaton.make_automaton()
            self.automata[kind] = automaton
        self._last: dict[str, tuple[str, list[list[Found]]]] = {}

    def matches(self, kind: str, text: str) -> list[list[Found]]:
        """Each member's matches in `text` (a key stream of `kind`)."""
        last = self._last.get(kind)
        if last is not None and last[0] is text:
            return last[1]
        dealt: list[list[Found]] = [[] for _ in range(self.size)]
        automaton = self.automata[kind]
        if len(automaton):
            for end, (pattern, members) in automaton.iter(text):
                for member, idxs in members:
                    dealt[member].append((end, (pattern, idxs, NO_PLACES)))
        self._last[kind] = (text, dealt)
        return dealt


def name_places(form: str, lang: str, ending: int) -> tuple[str, ...]:
    """The places a name written on its own stands for, found as matching finds them in an
    article in `lang`: with an inflectional ending of up to `ending` letters (Polish
    "Turcji", Russian "Турции": Türkiye) and only when the place's name is the whole of it
    ("Turkish Airlines" names no place). Countries before cities, as `places.best`."""
    own = lang if lang in places.LANGUAGES else "*"
    found: set[str] = set()
    if is_unspaced(form):
        whole = form.casefold()
        for _end, (pattern, _idxs, named) in unspaced_places_named(form):
            if pattern == whole:
                found.update(named.get(own) or named.get("en", ()))
    else:
        stream = read(form).names.text  # " turcji "
        for end, (pattern, _idxs, named) in matches_of(place_automaton(), stream):
            rest = stream[end + 1 :]
            if (
                stream.startswith(pattern)
                and rest.endswith(" ")
                and " " not in rest[:-1]
                and len(rest) - 1 <= (ending if len(pattern) > 5 else 0)
            ):
                found.update(named.get(own) or named.get("en", ()))
    return tuple(sorted(found, key=lambda p: ("/" in p, p)))
