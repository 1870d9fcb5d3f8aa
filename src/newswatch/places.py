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
            places[code] = Place(code, str(name), code)
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
            else:
                name = locale.territories.get(pid)
            if name:
                names.add((str(name), pid, lang))
    by_name: dict[str, set[str]] = {}
    for name, pid, _lang in names:
        by_name.setdefault(name.casefold(), set()).add(pid)
    return Gazetteer(
        places,
        tuple(sorted(names)),
        {k: tuple(sorted(v)) for k, v in by_name.items()},
    )


def find(name: str) -> tuple[Place, ...]:
    """The places called `name` in any known locale (case does not matter)."""
    gaz = gazetteer()
    return tuple(gaz.places[pid] for pid in gaz.by_name.get(name.casefold(), ()))


def names_of(place_id: str) -> tuple[str, ...]:
    """A place's names in every known locale."""
    return tuple(sorted({n for n, pid, _ in gazetteer().names if pid == place_id}))


def within(place_id: str, story: frozenset[str]) -> bool:
    """Whether a place is one of `story` or a city in one of its countries."""
    if place_id in story:
        return True
    place = gazetteer().places.get(place_id)
    return place is not None and "/" in place_id and place.country in story
