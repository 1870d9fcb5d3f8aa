"""Where a story happens: the gazetteer, the story's places learned from the seeds, and the
focus that keeps the same events in another country from matching."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from newswatch import places
from newswatch.adapters.seeds import read_seeds
from newswatch.errors import ConfigError
from newswatch.matching import Matcher, explain
from newswatch.models import Profile
from newswatch.profile import SeedDoc, dump_profile, learn_profile, load_profile

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
    assert "Kazakhstan" in profile.places
    assert "Armenia" not in profile.places  # named in two seeds of five: a CSTO member


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


def test_places_in_the_profile_yaml(profile: Profile) -> None:
    again = load_profile(dump_profile(profile))
    assert again.places == profile.places
    text = dump_profile(profile).replace("- Kazakhstan\n", "- Atlantis\n", 1)
    with pytest.raises(ConfigError) as err:
        load_profile(text, path="profile.yaml")
    assert "Atlantis" in str(err.value) and err.value.line is not None
    # places the user adds survive re-learning
    added = replace(profile, places=(*profile.places, "Bishkek"))
    relearned = learn_profile(read_seeds(REPO / "seeds"), previous=added)
    assert "Bishkek" in relearned.places
