"""Step 4c of learning: names of the country level.

A story is told by its specific names: the places below the country, the people and the
organisations of the event. The country itself, its people (Kazakh, казахстанский), its
capital and its head of state or government are in every piece of news about that
country: elections, diplomacy, trade. Such a name is marked `level: country`; when an
article's only names are of that level, they count no more than its event words (see
`matching`).

- a country: CLDR knows the name as one (`places`);
- its people: a demonym of the translation table (`translations.demonyms`);
- its capital: a city the translation table glosses as a country's capital;
- its head of state or government: a name the seeds write after a leader's title
  (LEADER_TITLES, in the languages of the language table) at least once.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from newswatch import places, translations
from newswatch.models import ProfileTerm
from newswatch.text import WORD, is_unspaced, raw_key

# Titles of heads of state and of government, in the languages newswatch reads (general
# vocabulary of news, not of any topic). Matched as written, with an inflected ending of
# up to ENDING letters on each word (президента, prezydenta, Präsidenten).
LEADER_TITLES = (
    # en
    "president",
    "prime minister",
    "premier",
    "chancellor",
    "king",
    "queen",
    "emperor",
    "head of state",
    # ru, uk
    "президент",
    "премьер-министр",
    "премьер",
    "канцлер",
    "король",
    "прем'єр-міністр",
    "прем'єр",
    # pl, cs
    "prezydent",
    "kanclerz",
    "król",
    "prezident",
    "premiér",
    "kancléř",
    "král",
    # de
    "präsident",
    "bundespräsident",
    "staatspräsident",
    "kanzler",
    "bundeskanzler",
    "ministerpräsident",
    "könig",
    # fr, es, it, pt
    "président",
    "premier ministre",
    "chancelier",
    "roi",
    "presidente",
    "primer ministro",
    "canciller",
    "rey",
    "presidente del consiglio",
    "cancelliere",
    "re",
    "primeiro-ministro",
    "chanceler",
    "rei",
    # tr, lt
    "cumhurbaşkanı",
    "başbakan",
    "kral",
    "prezidentas",
    "premjeras",
    "kancleris",
    "karalius",
    # zh, ja
    "总统",
    "總統",
    "国家主席",
    "总理",
    "總理",
    "首相",
    "国王",
    "大統領",
)
ENDING = 3
SHORT = 3
NEAR = 2  # words between a title and the name (President Kassym-Jomart Tokayev)


@lru_cache(maxsize=1)
def _titles() -> tuple[tuple[tuple[tuple[str, int], ...], ...], tuple[str, ...]]:
    """The spaced titles as (word, the ending it may take) each, and the unspaced ones.
    A title word of up to SHORT letters takes no ending: Italian "re" (king) is no
    "reach"."""
    spaced = [
        tuple(
            (k, ENDING if len(k) > SHORT else 0)
            for k in (raw_key(w) for w in WORD.findall(t.replace("-", " ")))
        )
        for t in LEADER_TITLES
        if not is_unspaced(t)
    ]
    return tuple(t for t in spaced if t), tuple(t for t in LEADER_TITLES if is_unspaced(t))


@lru_cache(maxsize=64)
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(raw_key(w) for w in WORD.findall(text.replace("-", " ")))


def _is(token: str, word: str, ending: int = ENDING) -> bool:
    return token.startswith(word) and len(token) - len(word) <= ending


def _titled(term: ProfileTerm, docs: list[tuple[str, str]]) -> bool:
    """Whether a seed writes the name right after a leader's title."""
    spaced, unspaced = _titles()
    forms = [f for f in (term.label, *term.aliases) if f]
    name_first = {raw_key(WORD.findall(f.replace("-", " "))[0]) for f in forms if WORD.findall(f)}
    for text, _lang in docs:
        if is_unspaced(text[:2000]):
            for f in forms:
                if is_unspaced(f) and any(
                    f"{t}{f}" in text or f"{t} {f}" in text for t in unspaced
                ):
                    return True
        toks = _tokens(text)
        firsts = [n for n in name_first if len(n) >= 3]
        for i, tok in enumerate(toks):
            if not any(_is(tok, n) for n in firsts):
                continue
            for title in spaced:
                for gap in range(NEAR + 1):
                    end = i - gap
                    start = end - len(title)
                    if start >= 0 and all(
                        _is(toks[start + k], w, e) for k, (w, e) in enumerate(title)
                    ):
                        return True
    return False


def is_country_level(term: ProfileTerm, docs: list[tuple[str, str]]) -> bool:
    forms = (term.label, *term.aliases)
    if any(p.country == p.id for f in forms for p in places.find(f)):
        return True
    if any(translations.demonym_country(f) or translations.capital_country(f) for f in forms):
        return True
    return _titled(term, docs)


def mark_country_level(terms: list[ProfileTerm], docs: list[tuple[str, str]]) -> list[ProfileTerm]:
    """The terms with the names of the country level marked (see the module rules)."""
    out = []
    for t in terms:
        if t.kind == "entity" and not t.level and is_country_level(t, docs):
            t = replace(t, level="country", why=t.why + "; a name of the country level")
        out.append(t)
    return out
