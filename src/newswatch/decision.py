"""One article's decision: match, fingerprint, duplicate or story, and whether it alerts.

The same function decides for a run (against the store's index) and for `backtest`
(against an in-memory one), so the two cannot drift. Rules:

- the article is scored against every topic's profile (`newswatch.matching`);
- it is fingerprinted on its text, or its title when it has no text (a feed entry with
  an empty summary), so that two empty texts are never "the same text";
- whether it repeats an earlier article (whatever the topic) is `dedup.find_duplicate`'s
  rule, taken in two steps: the same URL or text (`dedup.find_copy`) needs only the text
  hash, so an exact copy gets no MinHash (`dedup.exact_copy_fingerprint`), nor does a
  copy at the same URL whose text is stored already (`dedup.text_stored`); only the
  others are fingerprinted in full and looked up for near copies (`dedup.find_near`);
  a duplicate belongs, in each topic, to its original's story there (`story_of`);
- otherwise, in each topic, `dedup.find_story` says which of that topic's stories it
  joins or that it starts one: stories hold within a topic;
- it alerts, once per topic, in each topic it matches and starts a new story there:
  one alert per story, and an article on two topics alerts once for each.

The best topic (matched first, then the highest score over threshold) gives the
article's headline fields (`Decided.match`, `Decided.decision`), which with one topic
are that topic's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from newswatch import dedup
from newswatch.matching import Matcher
from newswatch.models import (
    DEFAULT_TOPIC,
    Alert,
    Article,
    DedupDecision,
    Fingerprint,
    Match,
)


@dataclass(frozen=True)
class TopicDecided:
    """An article in one topic: its match there, and its story there."""

    topic: str
    match: Match
    decision: DedupDecision

    @property
    def alerts(self) -> bool:
        return self.match.is_match and self.decision.new_story

    @property
    def in_story(self) -> bool:
        """Whether the article belongs to a story of this topic (on topic, or a copy of
        an article that is)."""
        return bool(self.decision.story_id) and (self.match.is_match or self.decision.is_duplicate)


@dataclass(frozen=True)
class Decided:
    match: Match
    fingerprint: Fingerprint
    decision: DedupDecision
    topics: tuple[TopicDecided, ...] = ()

    @property
    def alerts(self) -> bool:
        return self.match.is_match and self.decision.new_story

    @property
    def best(self) -> TopicDecided:
        return best_topic(self.topics)


def best_topic(topics: Sequence[TopicDecided]) -> TopicDecided:
    """The topic that describes the article best: a match first, then score over threshold."""
    return max(
        topics,
        key=lambda t: (t.match.is_match, t.match.score / max(t.match.threshold, 1e-9)),
    )


def decide_one(
    article: Article,
    matcher: Matcher,
    index: dedup.DedupIndex,
    story_of: Callable[[str], str | None],
) -> Decided:
    """Decide one article against one topic (see `decide_topics`)."""
    return decide_topics(article, [matcher], index, lambda aid, _topic: story_of(aid))


def decide_topics(
    article: Article,
    matchers: Sequence[Matcher],
    index: dedup.DedupIndex,
    story_of: Callable[[str, str], str | None],
) -> Decided:
    """Decide one article against what came before it (the index) in every topic.

    `matchers` are the topics' (the topic is its profile's name); `story_of(article_id,
    topic)` is the story an earlier article belongs to in a topic, if any."""
    if not matchers:
        raise ValueError("no topic to decide against")
    matches = [
        (m.profile.name, m.score(article.title, article.text, lang=article.lang)) for m in matchers
    ]
    # The story terms leave out the profile terms the article matched (every article on
    # a topic shares them); with several topics, every topic's.
    reasons = tuple(r for _, match in matches for r in match.reasons)
    text = article.text or article.title
    norm = dedup.normalise_text(text)
    hashed = dedup.text_hash(norm)
    key = hashed if norm else None  # a text with no words is never "the same text"
    duplicate = dedup.find_copy(article.article_id, article.canonical_url, key, index)
    # (an exact copy's text is stored by definition: no second lookup)
    if duplicate is not None and (
        duplicate.kind == "exact" or dedup.text_stored(article.article_id, key, index)
    ):
        fp = dedup.exact_copy_fingerprint(article.canonical_url, hashed)
    else:
        fp = dedup.fingerprint(
            text,
            canonical_url=article.canonical_url,
            title=article.title,
            lang=article.lang,
            reasons=reasons,
            normalised=norm,
        )
        duplicate = duplicate or dedup.find_near(article.article_id, fp, index)
    topics = []
    for topic, match in matches:
        if duplicate is not None:
            decision = replace(
                duplicate, story_id=story_of(duplicate.duplicate_of or "", topic) or ""
            )
        else:
            decision = dedup.find_story(article.article_id, fp, index, topic)
        topics.append(TopicDecided(topic, match, decision))
    best = best_topic(topics)
    return Decided(best.match, fp, best.decision, tuple(topics))


def alert_id_for(article_id: str, topic: str = DEFAULT_TOPIC) -> str:
    """An alert's id: stable for the article and topic (the default topic's as before topics)."""
    key = article_id if topic == DEFAULT_TOPIC else f"{topic}\0{article_id}"
    return "a-" + hashlib.sha256(key.encode()).hexdigest()[:20]


def make_alert(
    article: Article, match: Match, story_id: str, *, now: datetime, topic: str = DEFAULT_TOPIC
) -> Alert:
    """The alert for an article that starts a story in `topic`."""
    snippet = match.reasons[0].snippet if match.reasons else article.text[:200]
    return Alert(
        alert_id=alert_id_for(article.article_id, topic),
        article_id=article.article_id,
        story_id=story_id,
        title=article.title,
        url=article.url,
        source=article.source,
        published=article.published,
        score=match.score,
        threshold=match.threshold,
        reasons=match.reasons,
        snippet=snippet,
        created=now,
        topic=topic,
    )
