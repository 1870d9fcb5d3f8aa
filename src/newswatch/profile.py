"""Learning a topic profile from seed articles, and the profile's YAML form.

How a profile is learned (`learn_profile`):

1. **Boilerplate out.** Each seed is cut into lines. A line goes when it holds a link or
   handle, looks like a dateline or byline (a date, "Sputnik International, 1920,
   06.01.2022"), is a known page furniture phrase ("Subscribe", "Leave a Reply",
   "Discuss", image credits), is shorter than five words without ending a sentence
   (captions, section names, outlet names), or appears verbatim in two seeds. Names seen
   only in such lines, or as the source of a report ("MOSCOW (Sputnik)", "... news agency
   reported"), are outlet names and are never kept as terms.
2. **Candidates.** Entities: runs of capitalised words that do not merely start a
   sentence, and acronyms (with their expansion when the seed spells it out, as in
   "Collective Security Treaty Organization (CSTO)" or "KSSO" next to "Kolektyvinio saugumo
   sutarties organizacija"). Keywords: lemmas of the other words (simplemma), and
   adjacent keyword pairs (phrases). Chinese and Japanese seeds, with neither spaces nor
   capitals, are segmented into words over wordfreq's word list (`text.segment`): places,
   unknown words (transliterated names) and the lexicon's organisations are entities,
   the other words keywords.
3. **One entry per thing.** Surface forms are grouped by their match key (see `text`):
   inflections and transliterations of a name share a key up to an ending (Tokayev,
   Tokayevas, Токаев). Acronyms whose expansions match word by word are one entity
   (CSTO = KSSO). Countries and cities get their names in other languages and scripts
   from CLDR (Babel): Kazakhstan -> Казахстан, 哈萨克斯坦, Kazachstanas, ...
4. **Weights.** weight = rarity x consistency: rarity is how much rarer the word is in
   the seeds than in general language (7 minus its Zipf frequency in wordfreq, over 7),
   consistency is the share of seeds it occurs in (square root). A term must occur in at
   least two seeds (one, when there are fewer than three) and be rarer than everyday
   words (Zipf < 5.0). Entities count 1.5x: names say which story it is. A word the
   word list lacks is as common as its lemma; the forms of one lexicon concept
   (protests, протесты, protestuotojų) pool their seeds, take the Zipf frequency of the
   rarest of them the word lists know, and become one term named by the form the seeds
   use most.
   **Places.** Countries and cities (CLDR, see `places`) named in at least 60% of the
   seeds are where the story happens (`Profile.places`), when together they are named in
   80% of the seeds; matching uses them to tell the story from the same events elsewhere.
5. **Threshold.** Leave-one-out: each seed is scored against a profile learned from the
   others, whole and cut to its first two sentences (a headline and a lead, like a feed
   summary). A bundled background of off-topic texts, written for newswatch and including
   lone mentions of places and names, is scored against the full profile. The threshold
   sits between the highest background score and the lowest leave-one-out score; the
   profile records the numbers in `threshold_how`.

A user's edits survive re-learning: pinned terms stay as written, excluded keys never
come back, and terms, aliases or places added by hand are kept.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from babel import Locale
from wordfreq import zipf_frequency

from newswatch import places
from newswatch.errors import ConfigError
from newswatch.lexicon import concept_ids, translate
from newswatch.models import Profile, ProfileTerm
from newswatch.places import LOCALES
from newswatch.text import (
    SEGMENTED,
    WORD,
    detect_language,
    fold,
    is_unspaced,
    lemma,
    raw_key,
    segment,
    sentences,
    unspaced_chars,
    word_key,
    zipf,
)

MAX_ENTITIES = 60
MAX_KEYWORDS = 120
MAX_PHRASES = 30
MAX_ZIPF = 5.0
RARITY_PIVOT = 5.5  # Zipf frequency at which a word says nothing about a topic
ENTITY_BOOST = 1.5
LOO_FOLDS = 10

_URL = re.compile(r"https?://|www\.|pic\.twitter|@\w{2,}|\b\w+\.(com|org|net|ru|lt|kz)\b", re.I)
_DATE = re.compile(r"\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b")
_FURNITURE = re.compile(
    r"\b(subscribe|leave a reply|discuss|comments?|share (this|on)|follow us|read more|"
    r"all rights reserved|sign up|newsletter|cookie|advertisement|related:|image:|photo:|"
    r"getty images|credit:|copyright|©|click here|log in|register)\b",
    re.I,
)
_DATELINE = re.compile(r"^([A-ZА-Я][A-ZА-Я .-]{2,})\s*\(([^)]{2,40})\)\s*[-–—]")
_AGENCY = re.compile(
    r"\b([A-ZА-Я][\w-]+(?: [A-ZА-Я][\w-]+)?) (?:news agency|agency|reported|TV channel|newspaper)\b"
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
_CONNECTORS = {"of", "the", "for", "and", "de", "du", "la", "von", "van"}


@dataclass(frozen=True)
class SeedDoc:
    """One example article: its file name and text."""

    name: str
    text: str


@dataclass
class _Cand:
    kind: str
    key: str
    forms: Counter[str] = field(default_factory=Counter)
    seeds: set[int] = field(default_factory=set)
    langs: set[str] = field(default_factory=set)
    count: int = 0
    expansions: set[str] = field(default_factory=set)
    in_runs: int = 0


# -- 1. boilerplate ---------------------------------------------------------------


def clean_seed(text: str, repeated: set[str]) -> tuple[str, set[str]]:
    """The seed without boilerplate lines, and the outlet names it revealed."""
    kept: list[str] = []
    outlets: set[str] = set()
    for raw in text.splitlines():
        line = raw.strip().strip("-–—•· ").strip()
        if not line:
            continue
        m = _DATELINE.match(line)
        if m:
            outlets.add(m.group(2).strip())
            line = line[m.end() :].strip()
        for m in _AGENCY.finditer(line):
            outlets.add(m.group(1))
        n_words = len(WORD.findall(line))
        if is_unspaced(line):  # Chinese or Japanese: words by characters
            n_words = round(unspaced_chars(line) / 1.6)
        ends = line.rstrip("\"'”“»)").endswith((".", "!", "?", "。", ":", "“", "”"))
        boiler = (
            _URL.search(line)
            or _FURNITURE.search(line)
            or (_DATE.search(line) and n_words < 10)
            or (n_words < 5 and not ends)
            or line in repeated
        )
        if boiler:
            if _DATE.search(line) and "," in line:  # "Sputnik International, 1920, 06.01.2022"
                outlets.add(line.split(",")[0].strip())
            continue
        kept.append(line)
    return "\n".join(kept), outlets


# -- 2. candidates ----------------------------------------------------------------


def _is_acronym(word: str) -> bool:
    return 2 <= len(word) <= 6 and word.isupper() and word.isalpha()


@lru_cache(maxsize=100_000)
def _common(word: str, lang: str) -> float:
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


def _candidates(docs: list[tuple[str, str]], outlets: set[str]) -> dict[tuple[str, str], _Cand]:
    cands: dict[tuple[str, str], _Cand] = {}
    outlet_keys = {raw_key(w) for o in outlets for w in o.split()}
    calendar = _calendar_keys()

    def add(kind: str, key: str, form: str, seed: int, lang: str, *, in_run: bool = False) -> _Cand:
        c = cands.setdefault((kind, key), _Cand(kind, key))
        c.forms[form] += 1
        c.seeds.add(seed)
        c.langs.add(lang)
        c.count += 1
        c.in_runs += in_run
        return c

    def is_name(tok: str) -> bool:
        return (
            tok[:1].isupper()
            and not _is_acronym(tok)
            and tok not in _STOP_CAPS
            and raw_key(tok) not in calendar
            and raw_key(tok) not in outlet_keys
        )

    for seed, (text, lang) in enumerate(docs):
        if lang in SEGMENTED:
            _segmented_candidates(text, lang, seed, add)
            continue
        for sent in sentences(text):
            toks = [m.group(0) for m in WORD.finditer(sent)]
            if not toks:
                continue
            caps = sum(1 for t in toks if t[:1].isupper())
            title_case = len(toks) >= 4 and caps > 0.6 * len(toks)
            i = 0
            while i < len(toks):
                w = toks[i]
                if _is_acronym(w):
                    if raw_key(w) not in outlet_keys:
                        c = add("entity", raw_key(w), w, seed, lang)
                        exp = _expansion(w, text)
                        if exp:
                            c.expansions.add(exp)
                    i += 1
                    continue
                if not is_name(w):
                    i += 1
                    continue
                run = [w]
                j = i + 1
                while (
                    not title_case
                    and j < len(toks)
                    and (
                        is_name(toks[j])
                        or (toks[j] == "of" and j + 1 < len(toks) and is_name(toks[j + 1]))
                    )
                ):
                    run.append(toks[j])
                    j += 1
                # titles and sentence-initial ordinary words are not part of a name
                while len(run) > 1 and (
                    _common(run[0], lang) >= 5.0 or (i == 0 and _common(run[0], lang) >= 4.0)
                ):
                    run.pop(0)
                while len(run) > 1 and (run[-1] == "of" or _common(run[-1], lang) >= 5.0):
                    run.pop()
                if 1 < len(run) <= 4:
                    add("entity", " ".join(raw_key(x) for x in run), " ".join(run), seed, lang)
                for x in run:
                    if x != "of":
                        add("entity", raw_key(x), x, seed, lang, in_run=len(run) > 1)
                i = j
            keys = [word_key(t, lang) if not t[:1].isupper() else "" for t in toks]
            for t, k in zip(toks, keys, strict=True):
                if len(k) >= 4:
                    add("keyword", k, t.lower(), seed, lang)
            for a, b, ta, tb in zip(keys, keys[1:], toks, toks[1:], strict=False):
                if len(a) >= 4 and len(b) >= 4 and max(_common(ta, lang), _common(tb, lang)) < 6.0:
                    add("phrase", f"{a} {b}", f"{ta.lower()} {tb.lower()}", seed, lang)
    return cands


def _segmented_candidates(text: str, lang: str, seed: int, add: Any) -> None:
    """Candidates of a Chinese or Japanese seed, whose script has neither spaces nor
    capitals: its words as `text.segment` finds them; places the gazetteer knows, words
    the word list does not know (transliterated names, 托卡耶夫) and the lexicon's
    organisations are entities, other words of two or more characters keywords."""
    calendar = _calendar_keys()
    for word in segment(text, lang):
        if len(word) < 2 or not is_unspaced(word) or any(c.isdigit() for c in word):
            continue
        key = raw_key(word)
        if key in calendar:  # 周四, 星期四
            continue
        if places.find(word) or zipf(word, lang) == 0.0 or concept_ids("organisation", {word}):
            add("entity", key, word, seed, lang)
        else:
            add("keyword", key, word, seed, lang)


# -- 3. grouping ------------------------------------------------------------------


def _same_stem(a: str, b: str) -> bool:
    """Keys of one word up to an inflectional ending (tokaev ~ tokaevas)."""
    short, long_ = sorted((a, b), key=len)
    if len(short) < 4 or " " in short or " " in long_:
        return False
    limit = 2 if len(short) < 5 else 3 if len(short) < 7 else 4
    return long_.startswith(short) and len(long_) - len(short) <= limit


def _joins(group: _Cand, other: _Cand) -> bool:
    """Whether `other` is another form of `group`: names by stem in any language;
    keywords (already lemmatised) only across languages (protest ~ protestai)."""
    if not _same_stem(group.key, other.key):
        return False
    return group.kind == "entity" or not (group.langs & other.langs)


def _soft_same(a: str, b: str) -> bool:
    """Words of two languages that are one word (kolektiv- ~ collective, organizac- ~ organization)."""
    a, b = a.replace("c", "k"), b.replace("c", "k")
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n >= 5 or (n >= 4 and n >= 0.6 * min(len(a), len(b)))


def _merge(cands: dict[tuple[str, str], _Cand]) -> list[_Cand]:
    groups: list[_Cand] = []
    by_kind: dict[str, list[_Cand]] = defaultdict(list)
    for c in sorted(cands.values(), key=lambda c: (-c.count, c.key)):
        by_kind[c.kind].append(c)
    for kind, items in by_kind.items():
        merged: list[_Cand] = []
        # Two keys can only join when they share their first 4 letters (see _same_stem):
        # compare within those buckets, in the order groups were made.
        buckets: dict[str, list[_Cand]] = defaultdict(list)
        for c in items:
            home = next((g for g in buckets.get(c.key[:4], ()) if _joins(g, c)), None)
            if home is None:
                group = _Cand(
                    kind,
                    c.key,
                    Counter(c.forms),
                    set(c.seeds),
                    set(c.langs),
                    c.count,
                    set(c.expansions),
                    c.in_runs,
                )
                merged.append(group)
                buckets[c.key[:4]].append(group)
            else:
                home.forms.update(c.forms)
                home.seeds |= c.seeds
                home.langs |= c.langs
                home.count += c.count
                home.expansions |= c.expansions
                home.in_runs += c.in_runs
                if len(c.key) < len(home.key):
                    home.key = c.key
        groups.extend(merged)
    # acronyms with matching expansions are one organisation (CSTO = KSSO)
    acronyms = [g for g in groups if g.expansions]
    for i, a in enumerate(acronyms):
        for b in acronyms[i + 1 :]:
            if b.count == 0 or a.count == 0:
                continue
            ea = [raw_key(w) for w in sorted(a.expansions)[0].split()]
            eb = [raw_key(w) for w in sorted(b.expansions)[0].split()]
            if len(ea) == len(eb) and sum(
                _soft_same(x, y) for x, y in zip(ea, eb, strict=True)
            ) * 2 >= len(ea):
                a.forms.update(b.forms)
                a.seeds |= b.seeds
                a.langs |= b.langs
                a.count += b.count
                a.expansions |= b.expansions
                b.count = 0
    for a in acronyms:
        if a.count == 0:
            continue
        spelled = {" ".join(raw_key(w) for w in WORD.findall(e)) for e in a.expansions}
        for g in groups:
            if g is not a and g.kind == "entity" and g.key in spelled:
                a.count += g.count
                a.seeds |= g.seeds
                g.count = 0
    return [g for g in groups if g.count > 0]


@lru_cache(maxsize=4096)
def _cldr_aliases(label: str) -> tuple[str, ...]:
    """Names of a country or city in many languages, when CLDR knows `label` as one
    (a country before a city of the same name)."""
    place = places.best(label)
    return places.names_of(place.id) if place else ()


# -- 4. weights -------------------------------------------------------------------


def _rarity(group: _Cand) -> tuple[float, float]:
    """(rarity, Zipf): the most common of the term's forms in any of its languages decides."""
    z = 0.0
    for form, _n in group.forms.most_common(4):
        for lang in group.langs:
            if group.kind == "phrase":
                z = max(z, min(_common(p, lang) for p in form.split()) - 0.5)
            else:
                z = max(z, _common(form, lang))
    return max(0.0, RARITY_PIVOT - z), z


_CALENDAR: set[str] = set()


def _calendar_keys() -> set[str]:
    """Names of weekdays and months in many languages (CLDR): capitalised, yet not names."""
    if not _CALENDAR:
        for loc in LOCALES:
            locale = Locale.parse(loc)
            for width in ("wide", "abbreviated"):
                for names in (locale.days["format"][width], locale.months["format"][width]):
                    _CALENDAR.update(raw_key(n) for n in names.values())
    return _CALENDAR


def _pool(groups: list[_Cand]) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """Seeds that speak of each group's thing, pooled across case and language.

    1. A single word capitalised in one seed (a headline's "Peacekeeping") and written in
       lower case in another is a common word: the capitalised group joins the keyword.
    2. Keywords that are forms of one lexicon concept (peacekeeping, taikdarių) count the
       seeds of all of them: the story is told in several languages.
    Returns id(group) -> pooled seeds, and id(group) -> its lexicon concepts.
    """
    keywords = {g.key: g for g in groups if g.kind == "keyword"}
    for g in groups:
        if g.kind == "entity" and " " not in g.key and not g.expansions and g.key in keywords:
            home = keywords[g.key]
            home.forms.update(g.forms)
            home.seeds |= g.seeds
            home.langs |= g.langs
            home.count += g.count
            g.count = 0
    by_concept: dict[int, set[int]] = defaultdict(set)
    concepts_of: dict[int, set[int]] = {}
    for g in groups:
        if g.kind != "keyword" or g.count == 0:
            continue
        found = concept_ids("event", _group_keys(g))
        concepts_of[id(g)] = found
        for c in found:
            by_concept[c] |= g.seeds
    pooled: dict[int, set[int]] = {}
    for g in groups:
        seeds = set(g.seeds)
        for c in concepts_of.get(id(g), ()):
            seeds |= by_concept[c]
        pooled[id(g)] = seeds
    return pooled, concepts_of


def _zipfs(groups: list[_Cand], concepts_of: dict[int, set[int]]) -> dict[int, float]:
    """id(group) -> the Zipf frequency its weight comes from. The keywords that are forms
    of one lexicon concept all take the frequency of its rarest form that the seeds used
    and the word lists know: they become one term (see `lexicon.translate`), and a form
    missing from the word lists (Zipf 0: unknown, not rare, as Lithuanian "susirėmimus")
    must not make it the heaviest word of the profile."""
    zipfs = {id(g): _rarity(g)[1] for g in groups}
    known: dict[int, float] = {}
    for g in groups:
        z = zipfs[id(g)]
        if z > 0:
            for c in concepts_of.get(id(g), ()):
                known[c] = min(known.get(c, z), z)
    for g in groups:
        if g.kind == "keyword":
            found = [known[c] for c in concepts_of.get(id(g), ()) if c in known]
            if found:
                zipfs[id(g)] = min(found)
    return zipfs


def _group_keys(g: _Cand) -> set[str]:
    keys = {g.key} | {f.casefold() for f in g.forms if is_unspaced(f)}
    for form in g.forms:
        keys.add(" ".join(raw_key(w) for w in WORD.findall(form)))
        keys |= {" ".join(word_key(w, lang) for w in WORD.findall(form)) for lang in g.langs}
    return keys


def _select(groups: list[_Cand], n_seeds: int) -> list[ProfileTerm]:
    min_df = 2 if n_seeds >= 3 else 1
    pooled, concepts_of = _pool(groups)
    groups = [g for g in groups if g.count > 0]
    zipfs = _zipfs(groups, concepts_of)
    concept_counts: Counter[int] = Counter()
    for g in groups:
        for c in concepts_of.get(id(g), ()):
            concept_counts[c] += g.count
    terms: list[ProfileTerm] = []
    calendar = _calendar_keys()
    lower_counts: Counter[str] = Counter()
    for g in groups:
        if g.kind == "keyword":
            for form, n in g.forms.items():
                lower_counts[raw_key(form)] += n
    for g in groups:
        df = len(pooled.get(id(g), g.seeds))
        if df < min_df or (n_seeds < 3 and g.count < 2):
            continue
        if g.kind == "entity" and " " not in g.key:
            if g.key in calendar:
                continue
            if lower_counts[g.key] >= g.count:
                continue  # mostly written in lower case: a common word starting sentences
            if g.in_runs >= 0.8 * g.count and zipfs[id(g)] >= 3.5:
                continue  # a common word that is part of a longer name (Security, Council)
        z = zipfs[id(g)]
        rarity = max(0.0, RARITY_PIVOT - z)
        if z >= MAX_ZIPF:
            continue
        weight = (rarity / RARITY_PIVOT) * math.sqrt(df / n_seeds)
        if g.kind == "entity":
            weight *= ENTITY_BOOST
        label = g.forms.most_common(1)[0][0]
        aliases = sorted({f for f in g.forms} | g.expansions)
        count = max([g.count] + [concept_counts[c] for c in concepts_of.get(id(g), ())])
        why = f"in {df}/{n_seeds} seeds, {count} times; Zipf frequency {z:.1f} in general language"
        if g.expansions:
            why += "; acronym spelled out in the seeds"
        terms.append(ProfileTerm(g.key, label, g.kind, round(weight, 4), tuple(aliases), why))  # type: ignore[arg-type]
    entities = _one_per_name(
        sorted((t for t in terms if t.kind == "entity"), key=lambda t: -t.weight)[:MAX_ENTITIES]
    )
    # among equal weights (forms of one concept) the most used first: it names the term
    used = {(g.kind, g.key): g.count for g in groups}
    keywords = sorted(
        (t for t in terms if t.kind == "keyword"), key=lambda t: (-t.weight, -used[(t.kind, t.key)])
    )[:MAX_KEYWORDS]
    phrases = sorted((t for t in terms if t.kind == "phrase"), key=lambda t: -t.weight)[
        :MAX_PHRASES
    ]
    # single words inside a kept multi-word entity stay; phrases need both words kept alone
    kept_keys = {t.key for t in keywords}
    phrases = [
        p
        for p in phrases
        if all(any(_same_stem(k, x) or k == x for k in kept_keys) for x in p.key.split())
    ]
    return _widen(entities) + keywords + phrases


def _one_per_name(entities: list[ProfileTerm]) -> list[ProfileTerm]:
    """One entry per thing named: a name of several words that holds a kept single-word
    name (Kassym-Jomart Tokayev, Tokayev) becomes an alias of its strongest part, and its
    other parts go with it (Kassym-Jomart): otherwise one mention would count three times."""
    singles = {t.key: t for t in entities if " " not in t.key}
    absorbed: dict[str, set[str]] = {}
    merged_into: dict[str, str] = {}
    for multi in (t for t in entities if " " in t.key):
        parts = [k for k in multi.key.split() if k in singles]
        if not parts:
            continue
        home = max(parts, key=lambda k: singles[k].weight)
        home = merged_into.get(home, home)
        absorbed.setdefault(home, set()).update(multi.aliases + (multi.label,))
        merged_into[multi.key] = home
        for k in parts:
            if k != home and k not in merged_into and k not in absorbed:
                absorbed[home].update(singles[k].aliases + (singles[k].label,))
                merged_into[k] = home
    out = []
    for t in entities:
        if t.key in merged_into:
            continue
        if t.key in absorbed:
            t = replace(t, aliases=tuple(sorted(set(t.aliases) | absorbed[t.key])))
        out.append(t)
    return out


def _widen(entities: list[ProfileTerm]) -> list[ProfileTerm]:
    out = []
    for t in entities:
        # the label, or another form when the seeds inflect it (Казахстане, Казахстан)
        found = _cldr_aliases(t.label) or next(
            (a for form in t.aliases if (a := _cldr_aliases(form))), ()
        )
        extra = [a for a in found if a not in t.aliases]
        if extra:
            t = replace(
                t,
                aliases=tuple(sorted(set(t.aliases) | set(extra))),
                why=t.why + "; names in other languages from CLDR",
            )
        out.append(t)
    return out


def _story_places(groups: list[_Cand], n_seeds: int) -> tuple[str, ...]:
    """The places the story happens in: countries and cities named in most seeds
    (at least 60%), when together they are named in nearly every seed (80%). Seeds that
    are not about one place (a company, a technology) give none, and matching then
    ignores geography."""
    need = n_seeds if n_seeds < 3 else math.ceil(0.6 * n_seeds)
    found: dict[str, str] = {}
    covered: set[int] = set()
    for g in groups:
        if g.kind != "entity" or g.count == 0 or len(g.seeds) < need:
            continue
        for form, _n in g.forms.most_common(3):
            place = places.best(form)
            if place:
                found.setdefault(place.id, place.name)
                covered |= g.seeds
                break
    if len(covered) < 0.8 * n_seeds:
        return ()
    return tuple(sorted(found.values()))


# -- learning ----------------------------------------------------------------------


def _prepare(seeds: Sequence[SeedDoc]) -> tuple[list[tuple[str, str]], set[str]]:
    line_counts: Counter[str] = Counter()
    for s in seeds:
        line_counts.update({ln.strip() for ln in s.text.splitlines() if ln.strip()})
    repeated = {ln for ln, n in line_counts.items() if n > 1}
    docs: list[tuple[str, str]] = []
    outlets: set[str] = set()
    for s in seeds:
        text, found = clean_seed(s.text, repeated)
        outlets |= found
        docs.append((text, detect_language(text) or "en"))
    return docs, outlets


def _terms_from(
    docs: list[tuple[str, str]], outlets: set[str]
) -> tuple[list[ProfileTerm], tuple[str, ...]]:
    """The learned terms, and the story's places."""
    groups = _merge(_candidates(docs, outlets))
    terms = _select(groups, len(docs))
    story = _story_places(groups, len(docs))
    return translate(terms, tuple(sorted({lang for _, lang in docs}))), story


def learn_profile(
    seeds: Sequence[SeedDoc], *, name: str = "default", previous: Profile | None = None
) -> Profile:
    """Learn a profile from seed articles (see the module rules). Deterministic."""
    if not seeds:
        raise ConfigError("no seed articles to learn from")
    docs, outlets = _prepare(seeds)
    terms, story = _terms_from(docs, outlets)
    terms = _apply_edits(terms, previous)
    if previous is not None:  # places the user added are kept
        story = tuple(sorted(set(story) | set(previous.places)))
    languages = tuple(sorted({lang for _, lang in docs}))
    draft = Profile(
        name,
        tuple(terms),
        0.0,
        "",
        previous.excluded if previous else (),
        tuple(s.name for s in seeds),
        languages,
        story,
    )
    threshold, how = _calibrate(draft, docs, outlets, previous)
    return replace(draft, threshold=threshold, threshold_how=how)


def _apply_edits(terms: list[ProfileTerm], previous: Profile | None) -> list[ProfileTerm]:
    if previous is None:
        return terms
    excluded = set(previous.excluded)
    old = {t.key: t for t in previous.terms}
    out: list[ProfileTerm] = []
    for t in terms:
        if t.key in excluded:
            continue
        before = old.get(t.key)
        if before is not None and before.pinned:
            out.append(before)
            continue
        if before is not None:
            user_aliases = set(before.aliases) - set(t.aliases)
            if user_aliases:
                t = replace(t, aliases=tuple(sorted(set(t.aliases) | user_aliases)))
        out.append(t)
    learned = {t.key for t in out}
    for t in previous.terms:
        if (
            t.key not in learned
            and t.key not in excluded
            and (t.pinned or t.why.startswith("added by"))
        ):
            out.append(t)
    return out


def _background() -> list[str]:
    folder = resources.files("newswatch.data") / "background"
    texts: list[str] = []
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".txt"):
            texts.extend(
                t.strip() for t in item.read_text(encoding="utf-8").split("\n---\n") if t.strip()
            )
    return texts


def _calibrate(
    profile: Profile, docs: list[tuple[str, str]], outlets: set[str], previous: Profile | None
) -> tuple[float, str]:
    from newswatch.matching import Matcher  # matching depends on profiles, not the reverse

    positives: list[float] = []
    if len(docs) >= 3:
        # leave-one-out; with more than LOO_FOLDS seeds, held out in LOO_FOLDS folds
        # (seed i in fold i mod LOO_FOLDS), so learning stays linear in the seeds
        folds = min(len(docs), LOO_FOLDS)
        for f in range(folds):
            held = [d for i, d in enumerate(docs) if i % folds == f]
            rest = [d for i, d in enumerate(docs) if i % folds != f]
            sub = Matcher(
                replace(
                    profile,
                    terms=tuple(_apply_edits(_terms_from(rest, outlets)[0], previous)),
                    threshold=0.0,
                )
            )
            for text, lang in held:
                lead = " ".join(sentences(text)[:3])
                positives.append(sub.score("", text, lang=lang).score)
                positives.append(sub.score("", lead, lang=lang).score)
    full = Matcher(replace(profile, threshold=0.0))
    negatives = [full.score("", t).score for t in _background()]
    top_neg = max(negatives, default=0.0)
    if positives:
        low_pos = sorted(positives)[max(0, len(positives) // 10 - 1)]
        if low_pos > top_neg:
            threshold = top_neg + 0.4 * (low_pos - top_neg)
            how = (
                f"leave-one-out on {len(docs)} seeds (whole and first sentences): lowest score "
                f"{low_pos:.3f}; {len(negatives)} bundled off-topic texts: highest score {top_neg:.3f}; "
                "threshold at 40% of the gap above the background"
            )
        else:
            threshold = top_neg * 1.05
            how = (
                f"leave-one-out scores (lowest {low_pos:.3f}) overlap the background (highest "
                f"{top_neg:.3f}): threshold just above the background"
            )
    else:
        threshold = top_neg * 1.2
        how = (
            f"fewer than 3 seeds: threshold 20% above the highest of {len(negatives)} background "
            f"scores ({top_neg:.3f})"
        )
    if not positives or low_pos <= top_neg:  # the seeds could not calibrate it: a floor
        minimal = _minimal_report(full, profile)
        threshold = max(threshold, minimal)
        how += (
            ", and at least the score of a typical name with a typical event word "
            f"({minimal:.3f}); add more seeds"
        )
    return round(threshold, 4), how


def _minimal_report(matcher: Any, profile: Profile) -> float:
    """The score of the least an article on the story says: the profile's median name and
    median event word, once each. The threshold's floor when the seeds cannot calibrate
    it (too few, or too short to tell from the background)."""
    entities = sorted((t for t in profile.terms if t.kind == "entity"), key=lambda t: t.weight)
    events = sorted((t for t in profile.terms if t.kind != "entity"), key=lambda t: t.weight)
    if not entities or not events:
        return 0.5
    name, word = entities[len(entities) // 2], events[len(events) // 2]
    lang = profile.languages[0] if profile.languages else None
    return float(matcher.score("", f"{name.label}; {word.label}.", lang=lang).score)


# -- YAML -----------------------------------------------------------------------------

_HEADER = """\
# newswatch topic profile. Written by `newswatch learn`; edit it freely.
#
# An article matches when its score reaches `threshold`. Each term that occurs in the
# title or text adds its weight (more for repeated hits, up to twice the weight; half
# again in the title); an article needs both a name (entity) and an event word
# (keyword or phrase) to score fully. `newswatch explain FILE` shows the sum.
#
# Your edits survive re-learning:
#   pinned: true       keep this term exactly as you wrote it
#   excluded: [key]    never learn these keys again
#   a term whose `why` starts with "added by" is yours and kept
#   aliases you add to a learned term are kept
#   places you add are kept
#
# `places` are where the story happens (countries and cities named in most seeds): an
# article whose places are mostly elsewhere is another story and scores less. Empty when
# the seeds are not about one place; then geography is ignored.
"""


def dump_profile(profile: Profile) -> str:
    """The profile as commented, editable YAML."""
    data: dict[str, Any] = {
        "name": profile.name,
        "threshold": profile.threshold,
        "threshold_how": profile.threshold_how,
        "seeds": list(profile.seeds),
        "languages": list(profile.languages),
        "excluded": list(profile.excluded),
        "places": list(profile.places),
        "terms": [
            {
                "key": t.key,
                "label": t.label,
                "kind": t.kind,
                "weight": t.weight,
                "aliases": list(t.aliases),
                "why": t.why,
                **({"pinned": True} if t.pinned else {}),
            }
            for t in profile.terms
        ],
    }
    return _HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def load_profile(text: str, *, path: str | None = None) -> Profile:
    """Parse profile YAML; a bad field raises ConfigError naming its line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise ConfigError(f"not valid YAML: {exc.problem}", path=path, line=line) from exc
    if not isinstance(data, dict) or root is None:
        raise ConfigError("a profile is a mapping with 'threshold' and 'terms'", path=path, line=1)
    term_lines = _term_lines(root)
    try:
        threshold = float(data["threshold"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            "'threshold' must be a number", path=path, line=_key_line(root, "threshold")
        ) from exc
    terms = []
    for n, item in enumerate(data.get("terms") or []):
        line = term_lines[n] if n < len(term_lines) else None
        if not isinstance(item, dict):
            raise ConfigError("each term must be a mapping", path=path, line=line)
        try:
            kind = item.get("kind", "keyword")
            if kind not in ("entity", "keyword", "phrase"):
                raise ValueError(f"kind must be entity, keyword or phrase, not {kind!r}")
            label = str(item.get("label") or item["key"])
            aliases = item.get("aliases") or []
            if not isinstance(aliases, list):
                raise ValueError("aliases must be a list")
            terms.append(
                ProfileTerm(
                    key=str(item.get("key") or raw_key(label)),
                    label=label,
                    kind=kind,
                    weight=float(item["weight"]),
                    aliases=tuple(str(a) for a in aliases) or (label,),
                    why=str(item.get("why") or "added by hand"),
                    pinned=bool(item.get("pinned", False)),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"bad term: {exc}", path=path, line=line) from exc
    story: list[str] = []
    for name in data.get("places") or ():
        if not places.find(str(name)):
            raise ConfigError(
                f"unknown place {name!r} in 'places': write a country or city as CLDR names it",
                path=path,
                line=_key_line(root, "places"),
            )
        story.append(str(name))
    return Profile(
        name=str(data.get("name") or "default"),
        terms=tuple(terms),
        threshold=threshold,
        threshold_how=str(data.get("threshold_how") or ""),
        excluded=tuple(str(x) for x in data.get("excluded") or ()),
        seeds=tuple(str(x) for x in data.get("seeds") or ()),
        languages=tuple(str(x) for x in data.get("languages") or ()),
        places=tuple(story),
    )


def _key_line(root: yaml.Node, key: str) -> int | None:
    if isinstance(root, yaml.MappingNode):
        for k, _v in root.value:
            if k.value == key:
                return k.start_mark.line + 1
    return None


def _term_lines(root: yaml.Node) -> list[int]:
    if isinstance(root, yaml.MappingNode):
        for k, v in root.value:
            if k.value == "terms" and isinstance(v, yaml.SequenceNode):
                return [n.start_mark.line + 1 for n in v.value]
    return []


def alias_is_unspaced(alias: str) -> bool:
    return is_unspaced(alias)


def alias_fold(alias: str) -> str:
    return fold(alias)
