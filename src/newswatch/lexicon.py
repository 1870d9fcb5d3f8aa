"""Bundled cross-language word lists that let a profile learned in one language match others.

Seeds are usually in one or two languages; the story is reported in many. Names cross
languages by transliteration and CLDR (see `profile`), but event words do not: протесты
is not "protests" in any spelling. `data/lexicon/` holds, for common news-event concepts
and for international organisations, their forms in several languages (written for
newswatch; see the files' headers).

The lexicon only *translates*: a term learned from the seeds that is one of a concept's
forms gets the concept's other forms as aliases, keeping its learned weight. A form much
more common in its language than the learned word is in its own (by wordfreq) is left
out, so a rare word never borrows the weight of an everyday one. Nothing in the lexicon
enters a profile unless the seeds brought it.

Event words of any topic also cross through the translation table (`translations`,
English Wiktionary's translation tables): the seeds pick the senses of a learned word
(`Evidence`: a sense whose forms seeds in two languages use), and the sense's forms fill
the languages where no learned term has one (see `translate`). Pure: reads only the
bundled files.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache, lru_cache
from importlib import resources

import yaml

from newswatch import places, translations
from newswatch.langdata import zipf_frequency
from newswatch.models import ProfileTerm
from newswatch.senses import Evidence, word_senses
from newswatch.text import (
    COMMON_LANGUAGES,
    NO_WORDFREQ,
    SEGMENTED,
    WORD,
    everyday_zipf,
    fold,
    is_unspaced,
    known_words,
    lemma_forms,
    raw_key,
    word_key,
    zipf,
)

# The languages the lexicon's forms are written in.
LANGUAGES = ("en", "ru", "uk", "zh", "de", "fr", "es", "lt", "pl")
# A form may be at most this much more common (Zipf) than the learned word it translates.
MAX_COMMONER = 0.8


@dataclass(frozen=True)
class Concept:
    name: str
    kind: str  # "event" (keywords and phrases) or "organisation" (entities)
    forms: tuple[tuple[str, str], ...]  # (language, form)


@lru_cache(maxsize=1)
def concepts() -> tuple[Concept, ...]:
    folder = resources.files("newswatch.data") / "lexicon"
    events = yaml.safe_load((folder / "events.yaml").read_text(encoding="utf-8"))
    orgs = yaml.safe_load((folder / "organisations.yaml").read_text(encoding="utf-8"))
    out: list[Concept] = []
    for name, by_lang in events["concepts"].items():
        forms = tuple((lang, str(f)) for lang, fs in by_lang.items() for f in fs)
        out.append(Concept(name, "event", forms))
    for entry in orgs["organisations"]:
        by_lang = {k: v for part in entry for k, v in part.items()}
        forms = tuple((lang, str(f)) for lang, fs in by_lang.items() for f in fs)
        out.append(Concept(str(by_lang["en"][0]), "organisation", forms))
    return tuple(out)


def _event_key(form: str, lang: str) -> str:
    return " ".join(word_key(w, lang) for w in WORD.findall(form))


def _name_key(form: str) -> str:
    return " ".join(raw_key(w) for w in WORD.findall(form))


@lru_cache(maxsize=1)
def _index() -> dict[tuple[str, str], tuple[int, ...]]:
    """(kind, key) -> concepts having a form with that match key."""
    table: dict[tuple[str, str], set[int]] = {}
    for i, c in enumerate(concepts()):
        for lang, form in c.forms:
            if is_unspaced(form):  # Chinese and Japanese forms: by their characters
                table.setdefault((c.kind, form.casefold()), set()).add(i)
                continue
            if c.kind == "event":
                keys = {_event_key(form, lang), _name_key(form)}
            else:
                keys = {_name_key(form)}
            for k in keys:
                if k:
                    table.setdefault((c.kind, k), set()).add(i)
    return {k: tuple(sorted(v)) for k, v in table.items()}


def lexicon_words() -> dict[str, set[str]]:
    """{language: words of the event forms} (spaced scripts), for the stored word table."""
    out: dict[str, set[str]] = {}
    for c in concepts():
        if c.kind == "event":
            for lang, form in c.forms:
                if not is_unspaced(form):
                    out.setdefault(lang, set()).update(WORD.findall(form))
    return out


def concept_ids(kind: str, keys: set[str]) -> set[int]:
    """The concepts (of `kind`: "event" or "organisation") having a form with one of `keys`."""
    index = _index()
    return {i for k in keys for i in index.get((kind, k), ())}


def _zipf(form: str, lang: str) -> float:
    parts = WORD.findall(form)
    if not parts or lang in NO_WORDFREQ or is_unspaced(form):
        return 0.0
    # a phrase is as common as its rarest word
    return min(form_zipf(p, lang) for p in parts)


def form_zipf(word: str, lang: str) -> float:
    """wordfreq's Zipf frequency of a word of the lexicon (stored, see `text.known_words`)."""
    stored = known_words()["zipf"].get(lang, {}).get(word)
    return float(stored) if isinstance(stored, int | float) else zipf_frequency(word, lang)


def _aliases(form: str, lang: str, kind: str) -> tuple[str, ...]:
    """The form as matching needs it: event words as lemmas (articles are lemmatised),
    and as written where a lemma strays from its word (see `text.lemma_forms`)."""
    if kind != "event" or is_unspaced(form):
        return (form,)
    return lemma_forms(form, lang)


# Senses of the translation table are numbered after the lexicon's concepts.
SENSE_BASE = 1_000_000


# A lexicon concept's sense in the translation table is the one whose forms agree with
# the concept's in the most languages, at least this many, and more than any other's.
CONCEPT_AGREEMENT = 3


@cache
def concept_sense(i: int) -> int | None:
    """The translation table's sense of lexicon event concept `i` (earthquake: "earthquake
    (n): shaking of the surface of a planet", whose forms are the concept's in 8
    languages), which carries it to the languages the lexicon is not written in (Turkish
    deprem, Italian terremoto, Czech zemětřesení); None when no one sense agrees best."""
    c = concepts()[i]
    if c.kind != "event":
        return None
    written: dict[str, set[str]] = {}
    keys: set[tuple[str, str]] = set()
    for lang, form in c.forms:
        if is_unspaced(form):
            written.setdefault(lang, set()).add(form.casefold())
            keys.add((lang, form.casefold()))
        else:
            written.setdefault(lang, set()).update(fold(x) for x in lemma_forms(form, lang))
            keys.add((lang, _event_key(form, lang)))
    agree: dict[int, int] = {}
    for s in translations.senses(keys):
        agree[s] = len(
            {
                f.lang
                for f in translations.forms(s)
                if (f.alias.casefold() if is_unspaced(f.alias) else fold(f.alias))
                in written.get(f.lang, ())
            }
        )
    # the sense is a row of an English word's table: that word must be the concept's
    # (seizure's "zająć", "занять" are also forms of "busy (adj): engaged")
    english = written.get("en", set())
    agree = {
        s: n
        for s, n in agree.items()
        if any(f.lang == "en" and fold(f.alias) in english for f in translations.forms(s))
    }
    ranked = sorted(agree.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] < CONCEPT_AGREEMENT:
        return None
    if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
        return None
    return ranked[0][0]


def translate(
    terms: list[ProfileTerm],
    languages: tuple[str, ...],
    evidence: Evidence | None = None,
    in_phrases: frozenset[str] = frozenset(),
) -> list[ProfileTerm]:
    """Widen learned terms with the lexicon's forms in other languages (see the module),
    and event words with the forms of their senses in the translation table (see
    `translations`; `evidence`, the seeds, picks the senses).

    When two learned terms are forms of one concept (protests, protesters), the lighter
    joins the heavier as aliases, so one word of an article is not counted twice.
    `in_phrases`: keys of the words the seeds use only inside a learned phrase ("toll"
    of "death toll"): such a word means what the phrase does, not its own main sense.
    """
    index = _index()
    table = concepts()
    owner: dict[int, int] = {}  # concept -> position of the heaviest term holding it
    found: dict[int, list[int]] = {}
    written_in: dict[int, set[str]] = {}  # languages a term's lexicon concepts are written in
    readers = tuple(sorted({"en", *languages}))  # languages articles are surely in
    for pos, term in enumerate(terms):
        kind = "organisation" if term.kind == "entity" else "event"
        keys = {term.key, _name_key(term.label)}
        keys |= {_event_key(term.label, lang) for lang in languages if kind == "event"}
        keys |= {_name_key(a) for a in term.aliases}
        keys |= {a.casefold() for a in (term.label, *term.aliases) if is_unspaced(a)}
        hits = sorted({i for k in keys for i in index.get((kind, k), ())})
        if kind == "event" and not term.label[:1].isupper():
            written = (term.label, *term.aliases)
            # a word of a lexicon concept: its main sense is the concept's; a word of a
            # learned phrase may mean only what the phrase does ("toll" of "death toll")
            dominant = not hits and term.key not in in_phrases
            its_own = translations.senses((lang, k) for lang in languages for k in keys)
            meant = word_senses(its_own, keys, languages, evidence, written, dominant=dominant)
            # a word of a lexicon concept the table has no sense of ("quake"): the
            # concept's own sense carries it to the languages the lexicon lacks; a word
            # with senses of its own, none confirmed, takes the concept's only when it
            # is one of them ("strike": the work stoppage; "emergency" is a form of the
            # concept whose best sense is martial law, no sense of "emergency")
            if not meant:
                agreed = {s for i in hits if (s := concept_sense(i)) is not None}
                meant = sorted(agreed & its_own if its_own else agreed)
                # the lexicon's own forms stay its own where it has some
                written_in[pos] = {lang for i in hits for lang, _ in table[i].forms}
            hits += [SENSE_BASE + s for s in meant]
        if hits:
            found[pos] = hits
            for i in hits:
                if i not in owner or terms[owner[i]].weight < term.weight:
                    owner[i] = pos
    # a word the seeds taught in its own language keeps its own weight: the table's forms
    # only fill the languages the learned terms do not cover (and senses merge nothing)
    learned = {
        _event_key(a, lang) if not is_unspaced(a) else a.casefold()
        for t in terms
        if t.kind != "entity"
        for a in (t.label, *t.aliases)
        for lang in languages
    } | {t.key for t in terms if t.kind != "entity"}
    merged_away: set[int] = set()
    extra: dict[int, set[str]] = {}
    why: dict[int, set[str]] = {}
    # the learned words each term stands for: its own and those of the terms joining it
    words_of: dict[int, list[str]] = {pos: [t.label, *t.aliases] for pos, t in enumerate(terms)}
    for pos, hits in found.items():
        term = terms[pos]
        home = owner[hits[0]] if hits[0] < SENSE_BASE else pos
        if home != pos and _same_side(terms[pos], terms[home]) and not term.pinned:
            merged_away.add(pos)
            extra.setdefault(home, set()).update((term.label, *term.aliases))
            words_of[home] += [term.label, *term.aliases]
    for pos, hits in found.items():
        if pos in merged_away:
            continue
        term = terms[pos]
        # (a Chinese or Japanese word learned from the seeds counts by its own frequency;
        # the lexicon's forms in those scripts are not checked: their word lists count
        # one word where English has several forms, so they are not comparable)
        own = max(
            (
                zipf(form, lang) if is_unspaced(form) and lang in SEGMENTED else _zipf(form, lang)
                for form in words_of[pos]
                for lang in languages
            ),
            default=0.0,
        )
        for i in hits:
            if i >= SENSE_BASE:
                if owner[i] != pos:
                    continue  # one term per sense: the heaviest that holds it translates it
                why.setdefault(pos, set()).add(translations.name(i - SENSE_BASE))
                forms = translations.forms(i - SENSE_BASE)
                # how common the meaning is: the learned word's frequency, or the sense's
                # English form's when that is higher (frequencies differ between
                # languages' word lists: Russian "афтершок" 1.6, "aftershock" 2.5)
                english = [f.zipf for f in forms if f.lang == "en" and f.zipf > 0]
                bound = max(own, min(english, default=0.0))
                for f in forms:
                    if f.lang in written_in.get(pos, ()):
                        continue
                    # (the seeds taught words in their own languages only: a form in
                    # another is keyed as written, loading no lemma dictionary for it)
                    if is_unspaced(f.alias):
                        key = f.alias.casefold()
                    elif f.lang in languages:
                        key = _event_key(f.alias, f.lang)
                    else:
                        key = _name_key(f.alias)
                    if (
                        f.zipf <= bound + MAX_COMMONER
                        and key not in learned
                        and not _false_friend(f.alias, f.lang, bound, readers)
                    ):
                        extra.setdefault(pos, set()).add(f.alias)
                continue
            c = table[i]
            why.setdefault(pos, set()).add(c.name)
            for lang, form in c.forms:
                if c.kind == "event" and _zipf(form, lang) > own + MAX_COMMONER:
                    continue
                extra.setdefault(pos, set()).update(
                    a
                    for a in _aliases(form, lang, c.kind)
                    # (a lemma is matched in every language: "died" is "die", German's "the")
                    if c.kind != "event" or a == form or not _false_friend(a, lang, own, readers)
                )
    out: list[ProfileTerm] = []
    for pos, term in enumerate(terms):
        if pos in merged_away:
            continue
        if term.kind == "entity" and pos not in found:
            proper = _proper_name(term, readers)
            if proper:
                why.setdefault(pos, set()).add(translations.proper_name(proper[0]))
                extra.setdefault(pos, set()).update(proper[1])
            for proper_id, compounds in _unspaced_compounds(term):
                why.setdefault(pos, set()).add(translations.proper_name(proper_id))
                extra.setdefault(pos, set()).update(compounds)
        add = extra.get(pos, set()) - set(term.aliases) - {term.label}
        if add:
            found_in = why.get(pos, set())
            # a sense is named "leak (n): ...", a proper name "Anatolia: ...", a concept
            # of the lexicon by its English form
            senses = sorted(n for n in found_in if "):" in n)
            names = sorted(n for n in found_in if "):" not in n and ": " in n)
            mine = sorted(n for n in found_in if ": " not in n and "):" not in n)
            sources = [f"the bundled lexicon ({', '.join(mine)})"] if mine else []
            sources += [f"the translation table ({'; '.join(senses)})"] if senses else []
            if names:
                sources += [f"the translation table's proper names ({'; '.join(names)})"]
            source = " and ".join(sources) or "a related term"
            term = replace(
                term,
                aliases=tuple(sorted(set(term.aliases) | add)),
                why=f"{term.why}; forms in other languages from {source}",
            )
        out.append(term)
    return out


def _proper_name(term: ProfileTerm, readers: tuple[str, ...]) -> tuple[int, set[str]] | None:
    """A learned name that is one proper name of the translation table (Silicon Valley,
    Red Crescent, Anatolia; places come from CLDR instead): the name and its forms in other
    languages (硅谷, Dolina Krzemowa, Кремниевая долина). A form much more common in its
    language than the name is in the seeds' (Turkish "Anadolu", the news agency too) is
    left out, as is a form that is a common word of another language."""
    written = (term.label, *term.aliases)
    if any(places.find(f) or translations.demonym_country(f) for f in written):
        return None  # a place or its people: CLDR and the demonyms widen it
    keys = {_name_key(f) for f in written if not is_unspaced(f)}
    keys |= {f.casefold() for f in written if is_unspaced(f)}
    found = translations.proper_names(keys)
    if len(found) != 1:
        return None  # not a proper name of the table, or not one only
    (proper,) = found
    forms = translations.proper_forms(proper)
    # how common the name is: as the seeds write it, or its English form
    bound = max(
        [_zipf(f, lang) for f in written for lang in readers if not is_unspaced(f)]
        + [f.zipf for f in forms if f.lang == "en"]
    )
    return proper, {
        f.alias
        for f in forms
        if f.zipf <= bound + MAX_COMMONER and not _false_friend(f.alias, f.lang, bound, readers)
    }


def _unspaced_compounds(term: ProfileTerm) -> list[tuple[int, set[str]]]:
    """A name of a proper name and an English noun (Silicon Valley Bank), in Chinese and
    Japanese: the proper name's form there and the noun's, written together as those
    languages write such names (硅谷银行, シリコンバレー銀行). The noun's forms of its most
    translated senses are all taken: a bank's shore makes a string no article writes."""
    out = []
    for alias in {term.label, *term.aliases}:
        words = WORD.findall(alias)
        if len(words) < 2 or is_unspaced(alias) or not words[-1].isascii():
            continue
        found = translations.proper_names({" ".join(raw_key(w) for w in words[:-1])})
        if len(found) != 1:
            continue
        (proper,) = found
        senses = translations.senses([("en", word_key(words[-1], "en"))])
        width = {s: len({f.lang for f in translations.forms(s)}) for s in senses}
        top = sorted(set(width.values()), reverse=True)[:1]
        heads = [
            f
            for s in senses
            if width[s] in top
            for f in translations.forms(s)
            if f.lang in SEGMENTED
        ]
        names = [f for f in translations.proper_forms(proper) if f.lang in SEGMENTED]
        compounds = {n.alias + h.alias for n in names for h in heads if n.lang == h.lang}
        if compounds:
            out.append((proper, compounds))
    return out


def _same_side(a: ProfileTerm, b: ProfileTerm) -> bool:
    """Both names, or both event words (a keyword and a phrase: "death" joins "death
    toll", both forms of one concept, so an article's "жертв" counts once)."""
    return (a.kind == "entity") == (b.kind == "entity")


def _false_friend(form: str, lang: str, bound: float, readers: tuple[str, ...]) -> bool:
    """Whether a translation is a common word of another language articles come in: an
    alias is matched in every article, whatever its language, so Turkish "set" (dam) would
    fire on English "set". Too common there is more common than the meaning (`bound`)
    allows (Zipf + MAX_COMMONER), in English or a language of the seeds (by their word
    lists), or in any spaced language of the table (by its stored everyday words: "die",
    the lemma of "died", is German's "the" when no seed is German)."""
    if is_unspaced(form):
        return False
    words = WORD.findall(form)
    if not words:
        return False
    limit = bound + MAX_COMMONER
    if any(other != lang and _zipf(form, other) > limit for other in readers):
        return True
    return any(
        other != lang and min(everyday_zipf(w, other) for w in words) > limit
        for other in COMMON_LANGUAGES
    )
