"""Deciding an article against several topics: stories and alerts per topic, duplicates
whatever the topic, and backtest's `topics` object."""

from __future__ import annotations

from newswatch import dedup
from newswatch.backtest import BacktestInput, run_backtest
from newswatch.decision import alert_id_for, decide_topics
from newswatch.matching import Matcher
from newswatch.models import Article, Profile, ProfileTerm


def _profile(name: str, entity: str, keyword: str) -> Profile:
    return Profile(
        name,
        (
            ProfileTerm(entity.lower(), entity, "entity", 1.0, (entity,)),
            ProfileTerm(keyword, keyword, "keyword", 1.0, (keyword,)),
        ),
        threshold=0.5,
    )


PORTS = _profile("ports", "Varden", "strike")
FLOODS = _profile("floods", "Elbrin", "flood")


def _article(aid: str, title: str, text: str, url: str | None = None) -> Article:
    return Article(aid, "f", url, url, title, text, "src", "summary", lang="en")


def _decide(index: dedup.MemoryIndex, article: Article, stories: dict):  # type: ignore[no-untyped-def]
    decided = decide_topics(
        article,
        [Matcher(PORTS), Matcher(FLOODS)],
        index,
        lambda aid, topic: stories.get((aid, topic)),
    )
    index.add_article(article.article_id, decided.fingerprint, decided.decision)
    for td in decided.topics:
        if td.match.is_match:
            index.add_to_story(td.topic, decided.fingerprint, td.decision)
        stories[(article.article_id, td.topic)] = td.decision.story_id
    return decided


def test_an_article_on_two_topics_starts_a_story_in_each() -> None:
    index, stories = dedup.MemoryIndex(), {}
    both = _article(
        "a1",
        "Varden strike as the Elbrin flood closes roads",
        "Dockworkers in Varden strike again. The Elbrin flood closed the roads to the port.",
    )
    decided = _decide(index, both, stories)
    alerting = {td.topic: td for td in decided.topics if td.alerts}
    assert set(alerting) == {"ports", "floods"}
    assert alerting["ports"].decision.story_id != alerting["floods"].decision.story_id
    assert alert_id_for("a1", "ports") != alert_id_for("a1", "floods")
    assert alert_id_for("a1") == alert_id_for("a1", "default")  # ids from before topics


def test_a_copy_is_a_duplicate_in_every_topic_and_joins_its_stories() -> None:
    index, stories = dedup.MemoryIndex(), {}
    text = "Dockworkers in Varden strike again over cranes, and the terminals stay shut. " * 3
    first = _decide(index, _article("a1", "Varden strike", text, "https://x.test/1"), stories)
    copy = _decide(index, _article("a2", "Strike in Varden", text, "https://y.test/9"), stories)
    assert copy.decision.duplicate_of == "a1" and not copy.alerts
    ports = next(td for td in copy.topics if td.topic == "ports")
    assert ports.decision.story_id == next(
        td.decision.story_id for td in first.topics if td.topic == "ports"
    )
    assert not any(td.alerts for td in copy.topics)


def test_a_page_listed_again_keeps_no_signature_unless_its_text_changed() -> None:
    """A copy found by its URL (the same page under a new feed id) whose text is stored
    already keeps no MinHash of its own; one whose text changed keeps its own, so that a
    later copy of the new text is still found."""
    index, stories = dedup.MemoryIndex(), {}
    text = "Dockworkers in Varden strike again over cranes, and the terminals stay shut. " * 3
    url = "https://x.test/1"
    first = _decide(index, _article("a1", "Varden strike", text, url), stories)
    assert first.fingerprint.minhash
    again = _decide(index, _article("a2", "Varden strike", text, url), stories)
    assert (again.decision.duplicate_of, again.decision.kind) == ("a1", "url")
    assert (again.fingerprint.minhash, again.fingerprint.bands) == ((), ())
    changed_text = text + "The port authority said talks resume on Monday with the union."
    changed = _decide(index, _article("a3", "Varden strike", changed_text, url), stories)
    assert (changed.decision.duplicate_of, changed.decision.kind) == ("a1", "url")
    assert changed.fingerprint.minhash and changed.fingerprint.bands
    later = _decide(index, _article("a4", "Strike", changed_text, "https://y.test/2"), stories)
    assert (later.decision.duplicate_of, later.decision.kind) == ("a3", "exact")


def test_backtest_reports_every_topic_and_the_best_one() -> None:
    items = [
        BacktestInput("f1", "Elbrin flood", "The flood in Elbrin rose overnight.", lang="en"),
        BacktestInput("n1", "Markets", "Shares rose on Monday.", lang="en"),
    ]
    flood, none = list(run_backtest(items, [PORTS, FLOODS]))
    assert flood["topic"] == "floods" and flood["match"] and flood["alert"]
    assert set(flood["topics"]) == {"ports", "floods"}
    assert flood["topics"]["floods"]["match"] and not flood["topics"]["ports"]["match"]
    assert flood["topics"]["floods"]["reasons"][0]["term"] in {"Elbrin", "flood"}
    assert not none["match"] and not any(t["match"] for t in none["topics"].values())
    # one profile, as `--topic` and `--profile` give: today's fields, no topics object
    (only,) = run_backtest(items[:1], FLOODS)
    assert only["match"] and "topics" not in only
