"""What a headline says, one count per word, quoted names and country abbreviations.

Texts written for these tests (not copied from any publisher).
"""

from __future__ import annotations

from newswatch import places
from newswatch.headline import other_subjects
from newswatch.matching import Matcher
from newswatch.models import Profile, ProfileTerm
from newswatch.profile.candidates import find_candidates, quoted_names
from newswatch.text import raw_key, word_key


def term(label: str, kind: str, weight: float, *aliases: str) -> ProfileTerm:
    key = raw_key if kind == "entity" else (lambda w: word_key(w, "en"))
    return ProfileTerm(
        " ".join(key(w) for w in label.split()),
        label,
        kind,  # type: ignore[arg-type]
        weight,
        (label, *aliases),
        "written for the test",
    )


BANK = Profile(
    "bank",
    (
        term("Zorvan Harbour Bank", "entity", 0.8),
        term("Zorvan", "keyword", 0.3),
        term("collapse", "keyword", 0.3),
        term("depositors", "keyword", 0.3),
    ),
    0.2,
    "",
    languages=("en",),
)


def test_a_word_counts_once_inside_the_name_that_fired_there() -> None:
    match = Matcher(BANK).score(
        "Zorvan Harbour Bank collapse leaves depositors waiting",
        "Depositors of Zorvan Harbour Bank queued on Monday after the collapse.",
    )
    labels = {r.label for r in match.reasons}
    assert labels == {"Zorvan Harbour Bank", "collapse", "depositors"}
    assert match.is_match


def test_capitalised_words_side_by_side_name_another_subject() -> None:
    keys = {raw_key(w) for w in ("Zorvan", "Harbour", "Bank")}
    title = "Buyer found for First Meridian Bank after regulators step in"
    assert other_subjects(title, "en", keys, ()) == ["First", "Meridian"]  # Bank: the story's
    # at the headline's start too
    assert other_subjects("Credit Suisse shares fall again on Monday", "en", keys, ()) == ["Credit"]
    # a run that is itself a place is no other subject; the story's own names are none
    assert other_subjects("Flights resume in New York after the storm", "en", keys, ()) == []
    assert other_subjects("Depositors of Zorvan Harbour Bank wait", "en", keys, ()) == []
    # an opening article is grammar, not the first word of a name ("La Banque")
    title = "La Banque centrale relève son taux directeur"
    assert other_subjects(title, "fr", keys, ("fr",)) == []
    assert other_subjects("The Meridian board resigns after the loss", "en", keys, ()) == [
        "Meridian"
    ]


def test_a_headline_that_says_none_of_the_story_scores_less() -> None:
    matcher = Matcher(BANK)
    text = "Markets recall the collapse of Zorvan Harbour Bank and its depositors."
    about = matcher.score("Zorvan Harbour Bank depositors paid in full", text)
    elsewhere = matcher.score("Why inflation keeps rising in the eurozone", text)
    assert elsewhere.score < 0.5 * about.score
    assert any("says none of the story's terms" in s for s in elsewhere.steps)
    # in a language the profile has no words in, its silence says nothing
    silent = matcher.score("Mengapa inflasi terus naik di zona euro", text, lang="id")
    assert not any("says none of the story's terms" in s for s in silent.steps)


def test_quoted_names_are_names() -> None:
    assert quoted_names("Авария на газопроводе «Северный поток 1 и 2» в море", "ru") == [
        "Северный поток"
    ]
    assert quoted_names("“北溪”管道发生泄漏", "zh") == ["北溪"]
    # English quotes quote speech; a quoted lower-case phrase is no name
    assert quoted_names("He called it “a Big Mistake” today", "en") == []
    assert quoted_names("Mówił o „pewnym problemie” w sejmie", "pl") == []
    cands = find_candidates([("Спор вокруг «Северный поток» продолжается.", "ru")], set())
    assert ("entity", f"{raw_key('Северный')} {raw_key('поток')}") in cands


def test_country_abbreviations_are_places() -> None:
    for name in ("US", "USA", "U.S.", "США"):
        assert places.best(name) is not None and places.best(name).id == "US"  # type: ignore[union-attr]
    assert places.best("UK").id == "GB"  # type: ignore[union-attr]


def test_a_word_of_a_seed_headline_counts_as_one_more_seed() -> None:
    from newswatch.profile.merge import merge_forms
    from newswatch.profile.weights import select_terms

    docs = [
        ("Why did Zorvan Harbour Bank fail?\nRegulators took over Zorvan Harbour Bank.", "en"),
        (
            "Zorvan Harbour Bank shares\nRegulators said depositors of Zorvan Harbour Bank wait.",
            "en",
        ),
        ("Zorvan Harbour Bank news\nThe bankruptcy of Zorvan Harbour Bank shook markets.", "en"),
    ]
    keys = {t.key for t in select_terms(merge_forms(find_candidates(docs, set())), ["en"] * 3)}
    assert word_key("fail", "en") in keys  # one seed, in its headline
    assert word_key("bankruptcy", "en") not in keys  # one seed, in its text
    assert word_key("regulators", "en") in keys  # two seeds
