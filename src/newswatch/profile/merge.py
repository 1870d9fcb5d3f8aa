"""Step 3 of learning: one entry per thing.

Surface forms are grouped by their match key (see `text`): inflections and
transliterations of a name share a key up to an ending (Tokayev, Tokayevas, Токаев).
Acronyms whose expansions match word by word are one entity (CSTO = KSSO). A name of
several words that holds a kept single-word name becomes its alias. Countries and cities
get their names in other languages and scripts from CLDR (Babel): Kazakhstan ->
Казахстан, 哈萨克斯坦, Kazachstanas, ...
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from functools import lru_cache

from newswatch import places, translations
from newswatch.match_keys import ENTITY_ENDING, name_places
from newswatch.models import ProfileTerm
from newswatch.profile.candidates import Cand
from newswatch.text import WORD, raw_key

# -- 3. grouping ------------------------------------------------------------------


def same_stem(a: str, b: str) -> bool:
    """Keys of one word up to an inflectional ending (tokaev ~ tokaevas)."""
    short, long_ = sorted((a, b), key=len)
    if len(short) < 4 or " " in short or " " in long_:
        return False
    limit = 2 if len(short) < 5 else 3 if len(short) < 7 else 4
    return long_.startswith(short) and len(long_) - len(short) <= limit


def _joins(group: Cand, other: Cand) -> bool:
    """Whether `other` is another form of `group`: names by stem in any language;
    keywords (already lemmatised) only across languages (protest ~ protestai)."""
    if not same_stem(group.key, other.key):
        return False
    return group.kind == "entity" or not (group.langs & other.langs)


def _soft_same(a: str, b: str) -> bool:
    """Words of two languages that are one word (kolektiv- ~ collective, organizac- ~ organization)."""
    a, b = a.replace("c", "k"), b.replace("c", "k")
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n >= 5 or (n >= 4 and n >= 0.6 * min(len(a), len(b)))


def merge_forms(cands: dict[tuple[str, str], Cand]) -> list[Cand]:
    groups: list[Cand] = []
    by_kind: dict[str, list[Cand]] = defaultdict(list)
    for c in sorted(cands.values(), key=lambda c: (-c.count, c.key)):
        by_kind[c.kind].append(c)
    for kind, items in by_kind.items():
        merged: list[Cand] = []
        # Two keys can only join when they share their first 4 letters (see same_stem):
        # compare within those buckets, in the order groups were made.
        buckets: dict[str, list[Cand]] = defaultdict(list)
        for c in items:
            home = next((g for g in buckets.get(c.key[:4], ()) if _joins(g, c)), None)
            if home is None:
                group = Cand(
                    kind,
                    c.key,
                    Counter(c.forms),
                    set(c.seeds),
                    set(c.langs),
                    c.count,
                    set(c.expansions),
                    c.in_runs,
                    set(c.titles),
                    c.lower,
                )
                merged.append(group)
                buckets[c.key[:4]].append(group)
            else:
                home.absorb(c)
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
    # the names of one place are one entity: seeds in several languages name one country
    # in several ways (US, USA; Turkey, Türkei, Turcji, Турции)
    homes: dict[str, Cand] = {}
    for g in groups:
        place = g.place = place_of(g) if g.kind == "entity" and g.count else None
        if place is None:
            continue
        home = homes.setdefault(place, g)
        if home is not g:
            home.absorb(g)
    return [g for g in groups if g.count > 0]


# Languages that do not inflect names: a name of a seed in them is a place only as written
# (the company "Meridia" is no Mérida with an ending)
UNINFLECTED = frozenset({"en", "fr", "es", "it", "pt"})


def place_of(group: Cand) -> str | None:
    """The place (id) a name group stands for: one of its three commonest forms names
    it, exactly or as its people's name (Turkish), or, when the name is only of languages
    that inflect names, with an
    inflectional ending as matching finds it (`match_keys.name_places`: Turcji, Турции);
    a country before a city."""
    forms = [form for form, _n in group.forms.most_common(3)]
    for form in forms:
        place = places.best(form)
        if place:
            return place.id
    for form in forms:
        country = translations.demonym_country(form)  # its people's (Turkish)
        if country:
            return country
    if group.langs & UNINFLECTED:
        return None  # a seed in such a language writes the place's name as it is
    for form in forms:
        for lang in sorted(group.langs):
            ids = name_places(form, lang, ENTITY_ENDING)
            if ids:
                return ids[0]
    return None


@lru_cache(maxsize=4096)
def _cldr_aliases(label: str) -> tuple[str, ...]:
    """Names of a country or city in many languages, when CLDR knows `label` as one
    (a country before a city of the same name); a country's also with the adjectives and
    nouns of its people in the languages of the translation table (казахстанский,
    kazachstański: an article that says them names the country). A demonym (Kazakhstani)
    gets the country's demonyms in those languages, not the country's names."""
    place = places.best(label)
    if place is not None:
        names = places.names_of(place.id)
        if "/" not in place.id:
            names += tuple(form for _, form in translations.demonyms(place.id))
        return names
    country = translations.demonym_country(label)
    return tuple(form for _, form in translations.demonyms(country)) if country else ()


def one_per_name(entities: list[ProfileTerm]) -> list[ProfileTerm]:
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


def widen(entities: list[ProfileTerm]) -> list[ProfileTerm]:
    out = []
    for t in entities:
        # of every form: the seeds inflect names (Казахстане, Казахстан), and one entity
        # may hold a country's name and its people's (Armėnija, Armenian)
        found = {a for form in (t.label, *t.aliases) for a in _cldr_aliases(form)}
        extra = [a for a in found if a not in t.aliases]
        if extra:
            t = replace(
                t,
                aliases=tuple(sorted(set(t.aliases) | set(extra))),
                why=t.why + "; names in other languages from CLDR",
            )
        out.append(t)
    return out
