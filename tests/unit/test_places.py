"""Where a story happens: the gazetteer, the story's places learned from the seeds, and the
focus that keeps the same events in another country from matching."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from newswatch import places
from newswatch.adapters.seeds import read_seeds
from newswatch.match_keys import name_places
from newswatch.matching import Matcher
from newswatch.models import Profile
from newswatch.profile import SeedDoc, dump_profile, learn_profile, load_profile
from newswatch.render import explain

REPO = Path(__file__).resolve().parents[2]

# Written for these tests (not copied from any publisher).
ELSEWHERE = (
    "CSTO sends a mission to Yerevan after clashes on the border",
    "Leaders of the Collective Security Treaty Organization agreed to send a mission to "
    "Armenia after violent clashes with Azerbaijan; Moscow called for restraint.",
)
ON_THE_GROUND = (
    "CSTO peacekeepers leave Almaty",
    "The last CSTO peacekeepers left Almaty after the unrest; troops flew back to Moscow, "
    "Minsk and Yerevan.",
)
NO_PLACE = (
    "CSTO peacekeepers begin to withdraw",
    "The CSTO said its peacekeepers had begun to withdraw after the violent unrest and "
    "the looting of government buildings.",
)


@pytest.fixture(scope="module")
def profile() -> Profile:
    return learn_profile(read_seeds(REPO / "seeds"))


def test_the_gazetteer_knows_places_in_many_languages() -> None:
    (kz,) = places.find("Казахстан")
    assert kz.id == "KZ" and kz.name == "Kazakhstan"
    assert {"哈萨克斯坦", "Kazachstanas", "Kazakhstan"} <= set(places.names_of("KZ"))
    almaty = [p for p in places.find("Almaty") if "/" in p.id]
    assert almaty and almaty[0].country == "KZ"
    # a city is in its country
    assert places.within(almaty[0].id, frozenset({"KZ"}))
    assert not places.within("AM", frozenset({"KZ"}))


def test_names_in_common_use_beside_cldr_ones() -> None:
    # Babel keeps CLDR's main names only ("Türkiye", "Myanmar (Burma)", "Hong Kong SAR China")
    assert [p.id for p in places.find("Turkey")] == ["TR"]
    assert [p.id for p in places.find("Burma")] == ["MM"] == [p.id for p in places.find("Myanmar")]
    assert "HK" in {p.id for p in places.find("Hong Kong")}
    assert places.gazetteer().places["MM"].name == "Myanmar"


def test_the_story_places_are_learned_from_the_seeds(profile: Profile) -> None:
    assert "KZ" in profile.places  # stored by ISO 3166 code / IANA zone
    assert "AM" not in profile.places  # named in two seeds of five: a CSTO member


def test_one_country_named_in_several_languages_is_one_place_and_one_name() -> None:
    # Written for this test: each seed names the country once, in its own language and
    # case, so no single spelling is in most seeds (Turcji, Турции: inflected)
    seeds = [
        SeedDoc(
            "en.txt",
            "Floods in Turkey: rivers burst their banks after days of rain, "
            "and rescuers evacuated villages along the flooded valley.",
        ),
        SeedDoc(
            "de.txt",
            "Hochwasser in der Türkei: Flüsse traten nach tagelangem Regen "
            "über die Ufer, Retter evakuierten Dörfer im überfluteten Tal.",
        ),
        SeedDoc(
            "pl.txt",
            "Powódź w Turcji: rzeki wystąpiły z brzegów po wielu dniach "
            "deszczu, ratownicy ewakuowali wsie w zalanej dolinie.",
        ),
        SeedDoc(
            "ru.txt",
            "Наводнение в Турции: реки вышли из берегов после многодневных "
            "дождей, спасатели эвакуировали деревни в затопленной долине.",
        ),
        SeedDoc(
            "en2.txt",
            "Rescuers in Turkey evacuated more villages as the flooded "
            "rivers kept rising after the rain.",
        ),
    ]
    profile = learn_profile(seeds, name="floods")
    assert profile.places == ("TR",)
    (country,) = [t for t in profile.terms if "Турции" in t.aliases]
    assert {"Turkey", "Türkei", "Turcji", "Турция"} <= set(country.aliases)
    # a place's name must be the whole name: an airline is no country
    assert name_places("Turcji", "pl", 4) == ("TR",) == name_places("土耳其", "zh", 4)
    assert name_places("Turkish Airlines", "en", 4) == ()


def test_seeds_not_about_one_place_give_no_places() -> None:
    seeds = [
        SeedDoc(
            f"{i}.txt",
            f"The open-source database release {i} adds faster joins. Developers in {city} "
            "praised the new query planner and the faster joins in the release notes.",
        )
        for i, city in enumerate(["Berlin", "Tokyo", "Lagos", "Lima"])
    ]
    assert learn_profile(seeds, name="db").places == ()


def test_the_same_events_in_another_country_are_another_story(profile: Profile) -> None:
    matcher = Matcher(profile)
    elsewhere = matcher.score(*ELSEWHERE, lang="en")
    assert elsewhere.focus == 0.0 and "Armenia" in elsewhere.elsewhere
    assert not elsewhere.is_match, explain(elsewhere)
    without = Matcher(replace(profile, places=())).score(*ELSEWHERE, lang="en")
    assert without.score > elsewhere.score * 5  # geography is what kept it out
    assert "places: 0%" in explain(elsewhere)


def test_an_article_on_the_ground_or_naming_no_place_keeps_its_score(profile: Profile) -> None:
    matcher = Matcher(profile)
    blind = Matcher(replace(profile, places=()))
    ground = matcher.score(*ON_THE_GROUND, lang="en")
    assert ground.focus == 1.0  # the headline names Almaty, a city of the story's country
    assert ground.score == blind.score(*ON_THE_GROUND, lang="en").score
    none = matcher.score(*NO_PLACE, lang="en")
    assert none.focus is None
    assert none.score == blind.score(*NO_PLACE, lang="en").score


def test_a_name_counts_in_its_own_language_or_english() -> None:
    matcher = Matcher(Profile("t", (), 1.0, places=("Kazakhstan",)))
    # Estonian "Soome" is Finland; in an English article "Some" is a word
    english = matcher.score("Some say prices rose", "Some people in Kazakhstan protested.", "en")
    assert english.focus == 1.0
    estonian = matcher.score(
        "Soome ja Kasahstan", "Soome valitsus arutas Kasahstani olukorda.", "et"
    )
    assert estonian.elsewhere == ("Finland",)


def test_places_in_the_profile_yaml(profile: Profile, caplog: pytest.LogCaptureFixture) -> None:
    text = dump_profile(profile)
    assert "- id: KZ\n  name: Kazakhstan\n" in text  # the stable id, the name beside it
    again = load_profile(text)
    assert again.places == profile.places
    # a place the installed CLDR data does not know (Babel renamed it, or a typo) is a
    # warning naming its line, not a dead run
    unknown = text.replace("- id: KZ\n  name: Kazakhstan\n", "- id: XX\n  name: Atlantis\n", 1)
    with caplog.at_level("WARNING"):
        loaded = load_profile(unknown, path="profile.yaml")
    assert "KZ" not in loaded.places and loaded.places
    line = unknown.splitlines().index("- id: XX") + 1
    assert f"profile.yaml:{line}: unknown place 'XX' / 'Atlantis'" in caplog.text
    # a name (as profiles before ids, or a user, write it) or a renamed id with a known name
    named = text.replace(
        "- id: KZ\n  name: Kazakhstan\n", "- Kazakhstan\n- {id: Asia/Nowhere, name: Almaty}\n", 1
    )
    assert {"KZ", "Asia/Almaty"} <= set(load_profile(named).places)
    # places the user adds survive re-learning
    added = replace(profile, places=(*profile.places, "Asia/Bishkek"))
    relearned = learn_profile(read_seeds(REPO / "seeds"), previous=added)
    assert "Asia/Bishkek" in relearned.places


def test_the_shipped_profile_loads_with_the_installed_cldr_data(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # `pip install .` may bring a newer Babel than the lock: every shipped place must
    # still be known by its id
    with caplog.at_level("WARNING"):
        shipped = load_profile((REPO / "config" / "profile.yaml").read_text(encoding="utf-8"))
    assert "unknown place" not in caplog.text
    assert shipped.places and all(places.resolve(p) == (p,) for p in shipped.places)


def test_a_name_an_english_seed_writes_is_a_place_only_as_written() -> None:
    # "Meridia" (a hospital group) is Mérida with an ending in the languages that inflect
    # names; an English seed writes a place's name as it is, so it is no place
    seeds = REPO / "tests" / "data" / "invented" / "ransomware" / "seeds"
    profile = learn_profile(read_seeds(seeds), name="t")
    assert profile.places == ()
    assert name_places("Meridia", "pl", 4) == ("America/Merida",)  # as matching would
