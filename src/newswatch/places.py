"""Countries and cities by their names in many languages and scripts (CLDR, via Babel).

A story happens somewhere. The profile learns the story's places (those named in most
seeds, see `profile`); matching counts, in an article, how many of the places it names
are the story's and how many are elsewhere (see `matching`). This module only knows
places: every CLDR territory (two-letter code) and the city of every IANA time zone that
has a country (`Asia/Almaty` -> Almaty, in Kazakhstan), by name in `LOCALES`.

Each name is known with its language: matching counts a name only in an article in that
language or in English (Estonian "Soome" is Finland, not the English word "Some"),
except in articles in a language none of `LOCALES` is. A city is in its country: a story in Kazakhstan takes place in Almaty as well. Antarctic
stations are left out. In scripts with case, matching counts a place only when it is
written with a capital (so "oral" is not Oral, Kazakhstan). Pure: reads Babel's bundled
data only, once per process.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale
from babel.core import get_global

# Locales whose names of places are known: the languages of the seed corpus, of the
# region's press and of the widest-read world languages.
LOCALES = (
    "en",
    "ru",
    "uk",
    "kk",
    "lt",
    "lv",
    "et",
    "pl",
    "cs",
    "de",
    "fr",
    "es",
    "it",
    "pt",
    "tr",
    "zh",
    "zh_Hant",
    "ja",
    "ko",
    "ar",
    "fa",
    "hi",
    "ky",
    "uz",
    "be",
    "ka",
    "hy",
)
# English names in common use that CLDR keeps as alternative forms, which Babel's data
# leaves out (its name for TR is "Türkiye", for HK "Hong Kong SAR China").
EN_VARIANTS = {
    "BA": ("Bosnia",),
    "CD": ("DR Congo", "Democratic Republic of the Congo"),
    "CG": ("Republic of the Congo",),
    "CI": ("Ivory Coast",),
    "CV": ("Cape Verde",),
    "CZ": ("Czech Republic",),
    "GB": ("Britain", "Great Britain", "UK", "U.K."),
    "HK": ("Hong Kong",),
    "MK": ("Macedonia",),
    "MO": ("Macau", "Macao"),
    "PS": ("Palestine",),
    "RU": ("Russian Federation",),
    "SZ": ("Swaziland",),
    "TL": ("East Timor",),
    "TR": ("Turkey",),
    "US": ("United States of America", "US", "USA", "U.S.", "U.S.A."),
    "VA": ("Vatican",),
    "AE": ("UAE",),
}
# Abbreviations of country names in common use in news of other languages (CLDR keeps
# them as alternative forms, which Babel leaves out): "США" is how Russian news names
# the United States far more often than CLDR's "Соединенные Штаты".
ABBREVIATIONS = {
    "US": (("ru", "США"), ("uk", "США"), ("pl", "USA"), ("de", "USA"), ("lt", "JAV")),
    "AE": (("ru", "ОАЭ"),),
    "KP": (("ru", "КНДР"),),
}
_BRACKETS = re.compile(r"\s*[(（]([^)）]*)[)）]")

# The languages of those locales.
LANGUAGES = frozenset(loc.split("_")[0] for loc in LOCALES)


@dataclass(frozen=True)
class Place:
    """A country (`id` its two-letter code) or a city (`id` its IANA zone)."""

    id: str
    name: str  # in English
    country: str  # two-letter code


@dataclass(frozen=True)
class Gazetteer:
    places: dict[str, Place]  # id -> place
    names: tuple[tuple[str, str, str], ...]  # (name, place id, language of the name)
    by_name: dict[str, tuple[str, ...]]  # casefolded name -> place ids


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """Every country and city newswatch knows, by name in every locale of `LOCALES`."""
    zones: Mapping[str, str] = get_global("zone_territories")
    en = Locale("en")
    places: dict[str, Place] = {}
    for code, name in en.territories.items():
        if len(code) == 2 and code.isalpha() and code not in ("ZZ", "EU", "EZ", "UN", "QO"):
            bare = _BRACKETS.sub("", str(name)).strip()  # "Myanmar (Burma)" -> Myanmar
            places[code] = Place(code, bare, code)
    for zone, country in sorted(zones.items()):
        if zone.startswith(("Antarctica/", "Etc/")) or country not in places:
            continue
        city = en.time_zones.get(zone, {}).get("city") or zone.rsplit("/", 1)[-1].replace("_", " ")
        places[zone] = Place(zone, str(city), country)
    names: set[tuple[str, str, str]] = set()
    for loc in LOCALES:
        lang = loc.split("_")[0]
        locale = Locale.parse(loc)
        for pid, place in places.items():
            if "/" in pid:
                name = locale.time_zones.get(pid, {}).get("city") or (
                    place.name if loc == "en" else None
                )
                if name:
                    names.add((str(name), pid, lang))
            else:
                names.update((n, pid, lang) for n in _country_names(locale.territories.get(pid)))
    for pid, variants in EN_VARIANTS.items():
        names.update((n, pid, "en") for n in variants)
    for pid, named in ABBREVIATIONS.items():
        names.update((n, pid, lang) for lang, n in named)
    by_name: dict[str, set[str]] = {}
    for name, pid, _lang in names:
        by_name.setdefault(name.casefold(), set()).add(pid)
    return Gazetteer(
        places,
        tuple(sorted(names)),
        {k: tuple(sorted(v)) for k, v in by_name.items()},
    )


def _country_names(name: str | None) -> set[str]:
    """A country's CLDR name and the forms news use: "Myanmar (Burma)" is also Myanmar
    and Burma, "Hong Kong, RAE da China" also Hong Kong."""
    if not name:
        return set()
    out = {name}
    inner = _BRACKETS.findall(name)
    bare = _BRACKETS.sub("", name).split(",")[0].strip()
    for n in (bare, *inner):
        if len(n) >= 2 and not n.isupper():  # not "SAR", "MMH"
            out.add(n)
    return out


def find(name: str) -> tuple[Place, ...]:
    """The places called `name` in any known locale (case does not matter)."""
    gaz = gazetteer()
    return tuple(gaz.places[pid] for pid in gaz.by_name.get(name.casefold(), ()))


def best(name: str) -> Place | None:
    """The place called `name`: a country before a city of the same name."""
    found = sorted(find(name), key=lambda p: ("/" in p.id, p.id))
    return found[0] if found else None


def resolve(entry: str) -> tuple[str, ...]:
    """The place ids a profile's place entry stands for: the entry itself when it is a
    known id (a two-letter code or an IANA zone), else the ids of the place so named (a
    profile written before places were stored by id names them)."""
    if entry in gazetteer().places:
        return (entry,)
    place = best(entry)
    return (place.id,) if place else ()


def name_of(place_id: str) -> str:
    """A place's English name (its id when the installed data does not know it)."""
    place = gazetteer().places.get(place_id)
    return place.name if place else place_id


def names_of(place_id: str) -> tuple[str, ...]:
    """A place's names in every known locale."""
    return tuple(sorted({n for n, pid, _ in gazetteer().names if pid == place_id}))


def within(place_id: str, story: frozenset[str]) -> bool:
    """Whether a place is one of `story` or a city in one of its countries."""
    if place_id in story:
        return True
    place = gazetteer().places.get(place_id)
    return place is not None and "/" in place_id and place.country in story
