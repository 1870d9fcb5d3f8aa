"""Topics of other kinds, learned from a few seeds written for these tests
(`tests/data/invented/`, see its README): every report in another language matches, and
no look-alike does. Each case guards a way a profile crosses languages:

- quake_en: English seeds only; Polish "trzęsienia ziemi" (a case the lemma of the
  nominative misses), Russian, Turkish (the lexicon's earthquake concept reaches deprem
  through its sense in the translation table) and German reports; a flood and an
  election in the same country, an earthquake elsewhere, are look-alikes.
- quake_ru: Russian seeds only; English, Polish, Turkish, German, Ukrainian reports.
- quake_tr: English and Turkish seeds ("Veloria earthquake": a place no gazetteer knows
  anchors no descriptor, so "earthquake" keeps its weight).
- quake_syria: an earthquake across a real border (Turkey and Syria, an invented epicentre
  town), learned from English, German and Polish seeds; Chinese and Japanese reports that
  name only the countries, Russian, Turkish, Italian and Ukrainian ones; a Turkish
  election, a Japanese earthquake (in English and Chinese), shelling in Syria and floods
  in Turkey are look-alikes (the floods matched on the code of the previous round).
- lme: English seeds only about a metal market; "nickel", the element, reaches Polish,
  Russian and Turkish through its main sense; the exchange's other metals and the
  producer's other news are look-alikes.
- dam: English, Ukrainian and German seeds; Russian, Polish, Turkish ("barajı"), Czech
  and Ukrainian reports.
- cholera: an outbreak, learned from English, French and Portuguese seeds; German,
  Spanish, Russian, Polish, Turkish and Italian reports; the same disease in a
  neighbouring country, a cyclone and the president's other news in the same country.
- typhoon: a typhoon with an invented name, learned from English, Chinese, Japanese and
  Russian seeds; German, French, Polish, Spanish, Chinese and Turkish reports; another
  typhoon ("Typhoon Kito": the "Typhoon" of "Typhoon Moran" is a word, not the storm's
  name), a company named Moran, the country's volcano are look-alikes.
- wildfire: a wildfire near an invented Greek town, learned from English, German and
  French seeds; Spanish, Italian, Polish, Russian and Portuguese reports; a wildfire in
  Turkey and in California, an election and a flood in Greece are look-alikes.
- ransomware: an attack on an invented hospital group, learned from English, German and
  Polish seeds; French, Spanish, Italian, Russian, Turkish and Czech reports; an attack on
  another company and a strike at hospitals are look-alikes. Its name "Meridia" is no
  Mérida with an ending: an English seed writes a place's name as it is.
- rates: a central bank's rate rise, learned from English, Turkish and German seeds;
  Russian, Polish, French, Spanish and Chinese reports whose only name is the country
  (the story's place: as common as "Turkey", not as Turkish news' everyday "Türkiye"),
  with "interest rate", a phrase of two everyday words every seed uses, carried to
  their languages by its sense; another central bank's decision, the country's other
  news are look-alikes.
- recall: a company's product recall, learned from English and German seeds; Polish,
  Russian, Turkish, French, Spanish and Czech reports; the company's other news, and
  another carmaker's recall (in German, "Autobauer" is no name of the company: the German
  seed's "der Autobauer Brevik Motors").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newswatch.adapters.seeds import read_seeds
from newswatch.matching import Matcher
from newswatch.profile import learn_profile
from newswatch.render import explain

DATA = Path(__file__).resolve().parents[1] / "data" / "invented"
TOPICS = sorted(p.name for p in DATA.iterdir() if (p / "articles.jsonl").exists())


def test_every_invented_topic_is_here() -> None:
    assert TOPICS == [
        "cholera",
        "dam",
        "lme",
        "quake_en",
        "quake_ru",
        "quake_syria",
        "quake_tr",
        "ransomware",
        "rates",
        "recall",
        "typhoon",
        "wildfire",
    ]


@pytest.mark.parametrize("topic", TOPICS)
def test_reports_in_other_languages_match_and_look_alikes_do_not(topic: str) -> None:
    matcher = Matcher(learn_profile(read_seeds(DATA / topic / "seeds")))
    rows = [json.loads(line) for line in (DATA / topic / "articles.jsonl").open(encoding="utf-8")]
    wrong = []
    for row in rows:
        match = matcher.score(row["title"], row["text"], lang=row["lang"])
        if match.is_match != (row["label"] == "positive"):
            wrong.append(f"{row['lang']} {row['title']!r}\n{explain(match)}")
    assert not wrong, "\n\n".join(wrong)
