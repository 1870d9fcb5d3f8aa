"""Scoring rules: a report on the story goes over the threshold, a lone mention does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswatch.adapters.seeds import read_seeds
from newswatch.matching import Matcher
from newswatch.models import Profile
from newswatch.profile import learn_profile
from newswatch.render import explain

REPO = Path(__file__).resolve().parents[2]

# Written for these tests (not copied from any publisher).
REPORT_SHORT = (
    "Kazakhstan declares state of emergency as protests spread",
    "Protests over fuel prices spread from Zhanaozen to Almaty, and President Tokayev asked the CSTO for help.",
)
LONE_SPORT = (
    "Almaty side wins the cup final",
    "A late goal in Almaty gave the home team a one-nil win on Sunday.",
)
LONE_TRADE = (
    "Grain exports rise",
    "Kazakhstan shipped more wheat through the Caspian ports this spring than a year ago.",
)
LEAGUE = (
    "Kairat Almaty win the league",
    "Kairat Almaty beat Astana 2-1 on Sunday to win the Kazakhstan Premier League title "
    "in front of a sold-out crowd.",
)
SUMMIT = (
    "Tokayev meets Xi in Astana",
    "Kazakhstan's president Kassym-Jomart Tokayev hosted China's Xi Jinping for talks on "
    "trade and transport links; the two leaders signed agreements on energy.",
)
RUSSIAN = (
    "Токаев обратился к ОДКБ",
    "Президент Казахстана Касым-Жомарт Токаев заявил о протестах в Алматы и Жанаозене.",
)


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    profile: Profile = learn_profile(read_seeds(REPO / "seeds"))
    return Matcher(profile)


def test_a_short_report_on_the_story_matches_with_reasons(matcher: Matcher) -> None:
    match = matcher.score(*REPORT_SHORT)
    assert match.is_match, explain(match)
    labels = {r.label for r in match.reasons}
    assert {"Kazakhstan", "Tokayev", "CSTO"} <= labels
    top = match.reasons[0]
    assert top.snippet and top.hits >= 1 and top.contribution > 0
    assert any(r.in_title for r in match.reasons)


@pytest.mark.parametrize("article", [LONE_SPORT, LONE_TRADE, LEAGUE, SUMMIT])
def test_a_lone_mention_stays_under_the_threshold(
    matcher: Matcher, article: tuple[str, str]
) -> None:
    match = matcher.score(*article)
    assert not match.is_match, explain(match)


def test_the_story_places_vouch_for_event_words_less_than_names_do(matcher: Matcher) -> None:
    # "government" is an event word of the profile: with only the story's places beside
    # it, one such word is a local item, not a report
    local = (
        "Almaty city government meets",
        "The Almaty city government met on Monday in Kazakhstan to discuss the new budget "
        "for parks.",
    )
    match = matcher.score(*local, lang="en")
    assert {r.label for r in match.reasons if r.kind == "entity"} <= {"Almaty", "Kazakhstan"}
    assert any(r.kind != "entity" for r in match.reasons)
    assert not match.is_match, explain(match)


def test_names_match_across_scripts_and_inflections(matcher: Matcher) -> None:
    match = matcher.score(*RUSSIAN, lang="ru")
    labels = {r.label for r in match.reasons}
    assert {"Tokayev", "Kazakhstan", "Almaty"} <= labels, explain(match)


def test_unrelated_text_scores_zero(matcher: Matcher) -> None:
    match = matcher.score(
        "Recipe: a lemon cake",
        "Mix flour, sugar, eggs and lemon zest, then bake for forty minutes.",
    )
    assert match.score == 0 and not match.reasons
    assert "no profile term" in explain(match)


def test_chinese_length_counts_characters_not_runs(matcher: Matcher) -> None:
    # Written for this test. Han text has no spaces: a long article must not count as
    # a handful of words, or it escapes the length normalisation.
    short = ("哈萨克斯坦发生骚乱", "哈萨克斯坦多地发生抗议和骚乱，集安组织派出维和部队。")
    filler = "今天天气很好，我们去公园散步，看到很多人在跑步和打球。" * 80
    long_ = (short[0], short[1] + filler)
    a = matcher.score(*short, lang="zh")
    b = matcher.score(*long_, lang="zh")
    assert a.is_match, explain(a)
    assert b.score < a.score / 2, (a.score, b.score)


def test_a_latin_name_late_in_chinese_text_does_not_hide_the_headline_name(
    matcher: Matcher,
) -> None:
    # Written for this test. The story's name opens the Chinese headline; a Latin form of
    # it (a channel's "Kazakh" service) comes much later: the lead is the headline's.
    body = (
        "哈萨克斯坦多地发生抗议和骚乱，集安组织派出维和部队，阿拉木图局势紧张。"
        + "今天天气很好，我们去公园散步，看到很多人在跑步和打球。" * 40
        + "据 Kazakh 电视台报道，部分地区已恢复平静。"
    )
    match = matcher.score("哈萨克斯坦发生骚乱", body, lang="zh")
    assert not any("not in the lead" in s for s in match.steps), match.steps
    assert match.is_match, explain(match)
