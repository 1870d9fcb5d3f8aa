"""Matchers made together (`Matcher.group`) read an article once for every topic and score
exactly as each topic's own matcher does."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from newswatch import match_keys
from newswatch.adapters.seeds import read_seeds
from newswatch.matching import Matcher
from newswatch.models import Profile
from newswatch.profile import learn_profile
from newswatch.text import WORD

REPO = Path(__file__).resolve().parents[2]

# Written for these tests (not copied from any publisher).
ARTICLES = [
    (
        "Kazakhstan declares state of emergency as protests spread",
        "Protests over fuel prices spread from Zhanaozen to Almaty, and President Tokayev "
        "asked the CSTO for help. Troops from Russia and Armenia arrived in Almaty.",
        "en",
    ),
    (
        "Токаев обратился к ОДКБ",
        "Президент Казахстана Касым-Жомарт Токаев заявил о протестах в Алматы и Жанаозене.",
        "ru",
    ),
    (
        "哈萨克斯坦发生骚乱",
        "哈萨克斯坦多地发生抗议和骚乱，集安组织派出维和部队。阿拉木图机场被占领。",
        "zh",
    ),
    ("", "Kairat Almaty beat Astana 2-1 on Sunday to win the Kazakhstan Premier League.", None),
    ("Recipe: a lemon cake", "Mix flour, sugar, eggs and lemon zest, then bake.", "en"),
]


@pytest.fixture(scope="module")
def profiles() -> list[Profile]:
    whole = learn_profile(read_seeds(REPO / "seeds"))
    # a second topic that shares some of the first one's terms and has no places, and a
    # third with every other term: grouped, their patterns overlap
    names = replace(
        whole, name="names", terms=tuple(t for t in whole.terms if t.kind == "entity"), places=()
    )
    half = replace(whole, name="half", terms=whole.terms[::2])
    return [whole, names, half]


def test_grouped_matchers_score_as_their_own(profiles: list[Profile]) -> None:
    alone = [Matcher(p) for p in profiles]
    grouped = Matcher.group(profiles)
    texts = [(s.text.split("\n", 1)[0], s.text, None) for s in read_seeds(REPO / "seeds")]
    fired = 0
    for title, text, lang in ARTICLES + texts:
        for own, member in zip(alone, grouped, strict=True):
            expected = own.score(title, text, lang=lang)
            assert member.score(title, text, lang=lang) == expected
            fired += bool(expected.reasons)
    assert fired > len(ARTICLES)  # the comparison is over matches, not only empty ones


def test_an_article_is_read_once_with_the_offsets_of_its_words() -> None:
    text = "Nur-Sultan, 5 Jan — Tokayev's_office said: «Алма-Ата» 哈萨克斯坦 and U.S. troops"
    article = match_keys.read(text)
    assert article.words == WORD.findall(text)
    assert [article.span(i) for i in range(len(article.words))] == [
        m.span() for m in WORD.finditer(text)
    ]
    assert match_keys.read(text) is article
    keys = match_keys.read("").names
    assert keys.text == "  " and keys.starts == []
    assert re.fullmatch(r" nur sultan 5 jan .*", article.names.text)


def test_a_matcher_that_remembers_scores_a_copy_once(profiles: list[Profile]) -> None:
    """With `recent`, a copy (same title, text, language) gets the first score back
    without being scored again; another title is scored anew; the oldest is forgotten."""
    plain = Matcher(profiles[0])
    remembering = Matcher(profiles[0], recent=2)
    scored: list[str] = []
    inner = remembering._score

    def counting(title: str, text: str, lang: str | None) -> object:
        scored.append(title)
        return inner(title, text, lang)

    remembering._score = counting  # type: ignore[method-assign]
    first, second = ARTICLES[0], ARTICLES[1]
    a = remembering.score(*first)
    assert remembering.score(*first) is a
    assert a == plain.score(*first)
    retitled = remembering.score("Another headline", first[1], first[2])
    assert retitled == plain.score("Another headline", first[1], first[2])
    remembering.score(*second)  # the third distinct article: the first is forgotten
    remembering.score(*first)
    assert scored == [first[0], "Another headline", second[0], first[0]]
