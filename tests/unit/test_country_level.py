"""Names of the country level (a country, its people, its capital, its head of state):
marked when learned, kept in the profile file, and never the story's specific name."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswatch.adapters.seeds import read_seeds
from newswatch.matching import Matcher
from newswatch.models import Profile, ProfileTerm
from newswatch.profile import dump_profile, learn_profile, load_profile
from newswatch.profile.levels import is_country_level

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def profile() -> Profile:
    return learn_profile(read_seeds(REPO / "seeds"))


def _entity(label: str, *aliases: str) -> ProfileTerm:
    return ProfileTerm(label.casefold(), label, "entity", 0.5, (label, *aliases), "test")


def test_the_shipped_profile_marks_the_country_and_its_leader(profile: Profile) -> None:
    level = {t.label: t.level for t in profile.terms if t.kind == "entity"}
    assert level["Kazakhstan"] == "country"
    assert level["Tokayev"] == "country"  # "President Kassym-Jomart Tokayev" in the seeds
    assert level["CSTO"] == "" and level["Almaty"] == "" and level["Zhanaozen"] == ""


def test_capitals_demonyms_and_titles_in_other_languages() -> None:
    assert is_country_level(_entity("Astana"), [])
    assert is_country_level(_entity("Варшава"), [])
    assert is_country_level(_entity("Kazakhstani"), [])
    assert not is_country_level(_entity("Gdańsk"), [])
    docs = [("Prezydenta Andrzeja Dudę odwiedził minister.", "pl")]
    assert is_country_level(_entity("Andrzej Duda", "Andrzeja Dudę"), docs)
    # a minister is not a head of state or government
    docs = [("Foreign Minister Lavrov met the envoy.", "en")]
    assert not is_country_level(_entity("Lavrov"), docs)
    assert is_country_level(_entity("托卡耶夫"), [("哈萨克斯坦总统托卡耶夫发表讲话。", "zh")])


def test_a_short_title_is_a_whole_word() -> None:
    # Italian "re" (king) takes no ending: "Aid convoys reach Marsk" names no king
    assert not is_country_level(_entity("Marsk"), [("Aid convoys reach Marsk.", "en")])
    assert is_country_level(_entity("Carlo"), [("Il re Carlo ha parlato.", "it")])
    assert is_country_level(_entity("Carlos"), [("O rei Carlos falou.", "pt")])


def test_the_level_survives_the_profile_file(profile: Profile) -> None:
    again = load_profile(dump_profile(profile))
    assert {t.label: t.level for t in again.terms} == {t.label: t.level for t in profile.terms}


def test_country_level_names_vouch_no_more_than_the_event_words(profile: Profile) -> None:
    # Written for this test: the country's leader and a weak word (diplomacy), against
    # the same words with one of the story's own names
    matcher = Matcher(profile)
    leader = matcher.score("Tokayev meets envoy", "President Tokayev met an envoy in Astana.")
    assert not leader.is_match
    assert any("names count at most 1x" in s for s in leader.steps), leader.steps
    story = matcher.score(
        "Tokayev asks CSTO for help", "President Tokayev asked the CSTO to send troops."
    )
    assert story.score > leader.score
