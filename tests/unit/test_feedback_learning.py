"""Learning from negatives (articles marked wrong) and the account of what re-learning
changed: terms that fire more in the negatives than in the seeds lose weight, the
threshold rises over the negatives (as far as the seeds allow), the user's edits win."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from newswatch.adapters.seeds import read_seeds
from newswatch.matching import Matcher
from newswatch.models import Profile, ProfileTerm
from newswatch.profile import (
    SeedDoc,
    describe_changes,
    diff_profiles,
    learn_profile,
    render_changes,
)
from newswatch.profile.negatives import as_article, threshold_over, weigh_against
from newswatch.text import raw_key

REPO = Path(__file__).resolve().parents[2]

# Written for this test: the story's names in a story of another kind.
WRONG = """Kazakhstan protests fuel prices at the Almaty stadium as Tokayev opens football season

President Kassym-Jomart Tokayev opened the football season in Almaty on Saturday. Fans
protested against ticket prices outside the stadium, and police said the protesters left
peacefully. Kazakhstan's league begins with twelve clubs, and the government promised new
stadiums in Almaty and Astana.
"""


def entity(label: str, weight: float, **kw: object) -> ProfileTerm:
    return ProfileTerm(raw_key(label), label, "entity", weight, (label,), "learned", **kw)  # type: ignore[arg-type]


def profile(*terms: ProfileTerm, threshold: float = 0.5) -> Profile:
    return Profile("t", tuple(terms), threshold, "calibrated", languages=("en",))


# -- weighing terms against the negatives -------------------------------------------


SEEDS = [
    ("Acme Corporation said on Monday that Acme workers in Gotham went on strike.", "en"),
    ("The Acme strike in Gotham entered its second week, Acme managers said.", "en"),
    ("Acme and the Gotham union met again; Zubrowka mediators joined the talks.", "en"),
    ("Gotham police watched as Acme strikers marched to the city hall.", "en"),
]
NEGATIVES = [
    ("Zubrowka wins", "Zubrowka beat Borduria at football; Acme sponsored the match.", "en"),
    ("Borduria votes", "Voters in Borduria and Zubrowka chose a new parliament.", "en"),
]


def test_a_term_of_the_negatives_loses_weight_in_proportion() -> None:
    terms = [entity("Acme", 1.0), entity("Zubrowka", 0.8), entity("Borduria", 0.6)]
    out, demoted = weigh_against(terms, SEEDS, NEGATIVES, profile(*terms))
    weights = {t.label: t.weight for t in out}
    assert weights["Acme"] == 1.0  # in every seed: the story's own name stays
    # in 1 of 4 seeds, both negatives: x 0.25
    assert weights["Zubrowka"] == pytest.approx(0.2)
    assert "Borduria" not in weights  # in no seed: dropped
    assert {d.label: d.after for d in demoted} == {"Zubrowka": 0.2, "Borduria": 0.0}
    zub = next(t for t in out if t.label == "Zubrowka")
    assert "negatives" in zub.why


def test_pinned_and_hand_added_terms_keep_their_weight() -> None:
    terms = [
        entity("Acme", 1.0),
        entity("Zubrowka", 0.8, pinned=True),
        replace(entity("Borduria", 0.6), why="added by hand"),
    ]
    out, demoted = weigh_against(terms, SEEDS, NEGATIVES, profile(*terms))
    assert [t.weight for t in out] == [1.0, 0.8, 0.6]
    assert demoted == ()


def test_without_negatives_nothing_changes() -> None:
    terms = [entity("Acme", 1.0), entity("Borduria", 0.6)]
    out, demoted = weigh_against(terms, SEEDS, [], profile(*terms))
    assert out == terms and demoted == ()


def test_a_term_is_compared_with_the_seeds_in_its_language() -> None:
    # a name only the one Russian seed has is no sign of the Russian negatives
    seeds = [*SEEDS, ("Забастовка на заводе Акме в Готэме продолжается, сообщил Лукич.", "ru")]
    negatives = [("Лукич", "Лукич открыл новый мост через реку в Готэме.", "ru")]
    terms = [entity("Acme", 1.0), entity("Лукич", 0.5)]
    out, _ = weigh_against(terms, seeds, negatives, profile(*terms))
    assert {t.label: t.weight for t in out}["Лукич"] == 0.5


def test_an_event_word_loses_a_form_only_the_negatives_use_again_and_again() -> None:
    strike = ProfileTerm(
        "strike", "strike", "keyword", 0.5, ("assault", "strike", "walkout"), "learned"
    )
    acme = entity("Acme", 1.0)
    acme = replace(acme, aliases=("Acme", "Akme"))
    negatives = [
        ("Akme assault", "The assault on Akme's depot was the second assault this month.", "en"),
        ("Depot closed", "A short walkout followed at the Acme depot.", "en"),
    ]
    out, _ = weigh_against([acme, strike], SEEDS, negatives, profile(acme, strike))
    by_label = {t.label: t for t in out}
    # said twice in the negatives, never in a seed: gone; said once: kept
    assert by_label["strike"].aliases == ("strike", "walkout")
    assert "without assault" in by_label["strike"].why
    assert by_label["Acme"].aliases == ("Acme", "Akme")  # a name keeps its forms
    pinned = replace(strike, pinned=True)
    out, _ = weigh_against([acme, pinned], SEEDS, negatives, profile(acme, pinned))
    assert out[1] == pinned


def test_a_negative_file_is_read_as_title_and_text() -> None:
    title, text, lang = as_article(SeedDoc("n.txt", WRONG))
    assert title.startswith("Kazakhstan protests fuel prices")
    assert text.startswith("President Kassym-Jomart Tokayev") and lang == "en"
    title, text, _ = as_article(SeedDoc("n.txt", "One line\nand another, no title."))
    assert title == "" and text.startswith("One line")


# -- the threshold ------------------------------------------------------------------


def test_the_threshold_rises_just_over_the_negatives() -> None:
    p = profile(entity("Acme", 1.0), entity("Zubrowka", 0.8), threshold=0.01)
    top = max(Matcher(p).score(t, x, lang=g).score for t, x, g in NEGATIVES)
    assert top > 0.01
    threshold, how = threshold_over(0.01, "calibrated", p, NEGATIVES, seed_scores=[5.0, 6.0])
    assert top < threshold <= top * 1.03
    assert "raised" in how and "2 negatives" in how
    # already over them: unchanged
    assert threshold_over(9.0, "calibrated", p, NEGATIVES)[0] == 9.0


def test_the_threshold_stops_at_the_lower_quartile_of_the_seed_scores() -> None:
    p = profile(entity("Acme", 1.0), entity("Zubrowka", 0.8), threshold=0.01)
    scores = sorted(Matcher(p).score(t, x, lang=g).score for t, x, g in NEGATIVES)
    low, top = scores[0], scores[-1]
    assert low < top
    # a seed the others find nothing in (0) tells nothing; of the others, the lower quartile
    ceiling = (low + top) / 2
    threshold, how = threshold_over(0.01, "calibrated", p, NEGATIVES, [0.0, ceiling, top * 3])
    assert low < threshold <= low * 1.03  # the negative it can keep out is out
    assert "still match" in how
    # none can be kept out under the ceiling: a raise would only cost true articles
    threshold, how = threshold_over(0.01, "calibrated", p, NEGATIVES, [low / 2, top * 3])
    assert threshold == 0.01
    assert "still match" in how


# -- learning with negatives --------------------------------------------------------


@pytest.fixture(scope="module")
def seeds() -> list[SeedDoc]:
    return read_seeds(REPO / "seeds")


@pytest.fixture(scope="module")
def learned(seeds: list[SeedDoc]) -> Profile:
    return learn_profile(seeds)


def test_learning_without_negatives_is_unchanged(seeds: list[SeedDoc], learned: Profile) -> None:
    assert learn_profile(seeds, negatives=()) == learned


def test_a_negative_lifts_the_threshold_and_the_edits_win(
    seeds: list[SeedDoc], learned: Profile
) -> None:
    title, text, lang = as_article(SeedDoc("wrong.txt", WRONG))
    assert Matcher(learned).score(title, text, lang=lang).is_match
    police = next(t for t in learned.terms if t.label == "police")
    edited = replace(
        learned,
        terms=tuple(replace(t, pinned=True) if t is police else t for t in learned.terms),
        excluded=("fuel",),
    )
    again = learn_profile(seeds, previous=edited, negatives=[SeedDoc("wrong.txt", WRONG)])
    # it tells the story's own names and words (9 times the threshold): the threshold
    # cannot keep it out without dropping the seeds' summaries, so it stays, and says so
    assert again.threshold == learned.threshold
    assert "negatives (articles marked wrong)" in again.threshold_how
    assert "still match" in again.threshold_how
    assert next(t for t in again.terms if t.label == "police") == replace(police, pinned=True)
    assert "fuel" not in {t.key for t in again.terms} and again.excluded == ("fuel",)
    assert learn_profile(seeds, previous=edited, negatives=[SeedDoc("wrong.txt", WRONG)]) == again


# -- what changed -------------------------------------------------------------------


def test_the_diff_names_every_change() -> None:
    old = profile(entity("Acme", 1.0), entity("Zubrowka", 0.8), entity("Borduria", 0.6))
    new = profile(
        entity("Acme", 1.0), entity("Zubrowka", 0.2), entity("Gotham", 0.4), threshold=0.7
    )
    changes = diff_profiles(old, new)
    assert [t.label for t in changes.dropped] == ["Borduria"]
    assert [(r.label, r.before, r.after) for r in changes.lowered] == [("Zubrowka", 0.8, 0.2)]
    assert changes.raised == ()
    assert [t.label for t in changes.added] == ["Gotham"]
    assert (changes.threshold_before, changes.threshold_after) == (0.5, 0.7)
    text = render_changes(changes)
    assert text.splitlines() == [
        "threshold 0.500 -> 0.700",
        "dropped (1): Borduria (0.600)",
        "down-weighted (1): Zubrowka 0.800 -> 0.200",
        "added (1): Gotham (0.400)",
    ]
    assert describe_changes(old, new) == text
    fewer = replace(new, terms=(replace(new.terms[0], aliases=()), *new.terms[1:]))
    narrowed = diff_profiles(new, fewer)
    assert [(n.label, n.forms) for n in narrowed.narrowed] == [("Acme", ("Acme",))]
    assert render_changes(narrowed).splitlines()[1] == "forms dropped (1): Acme (Acme)"


def test_the_diff_of_equal_profiles_is_empty_and_long_lists_are_cut() -> None:
    p = profile(entity("Acme", 1.0))
    assert diff_profiles(p, p).is_empty and describe_changes(p, p) == "profile unchanged"
    many = profile(*(entity(f"Name{chr(97 + i)}", 0.1 + i / 100) for i in range(15)))
    text = describe_changes(profile(), many, limit=3)
    assert "added (15): Nameo (0.240), Namen (0.230), Namem (0.220), and 12 more" in text
    assert "threshold unchanged at 0.500" in text
