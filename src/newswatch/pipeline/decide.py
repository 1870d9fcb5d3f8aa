"""Stage 3, articles -> match, dedup, story, alert: one article at a time, in order.

Serial on purpose: two near-duplicates that arrive in the same run must see each other.
A run calls it once per batch of articles, in the batches' order, each batch as soon as
it is extracted (so deciding overlaps the extraction of the later batches).
Each article is scored against every topic and committed with its decision and its
alerts (an outbox: one alert per topic it starts a story in) in one transaction, under
a database-level lock that concurrent runs share.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from newswatch.decision import decide_topics, make_alert
from newswatch.matching import Matcher
from newswatch.models import Alert, Article, ArticleOutcome, Profile
from newswatch.pipeline.config import RunInputs
from newswatch.pipeline.runtime import open_store
from newswatch.policy import mode_for

# A run's matchers remember the scores of its last articles: a re-post or syndicated copy
# (same title, text and language) arriving in the same run is not scored again.
RECENT_SCORES = 256

# The matchers of the last run's profiles: a run decides its articles batch by batch, each
# batch as soon as it is extracted, and building a topic's matcher costs ~40 ms.
_last: tuple[tuple[Profile, ...], list[Matcher]] | None = None


def _matchers(profiles: tuple[Profile, ...]) -> list[Matcher]:
    global _last
    last = _last
    if last is not None and last[0] is profiles:
        return last[1]
    # one reading of an article for every topic
    matchers = Matcher.group(profiles, recent=RECENT_SCORES)
    _last = (profiles, matchers)
    return matchers


def decide_articles(
    articles: Sequence[Article], inputs: RunInputs, *, now: datetime
) -> tuple[list[ArticleOutcome], list[Alert]]:
    """Score, dedup and group each article, and commit it with its alerts in one transaction.

    Each alert gets one pending delivery per target its topic routes to (`routes` in the
    alert policy), `instant` or `digest` by the target's policy (see `newswatch.policy`)."""
    settings, policy = inputs.settings, inputs.policy
    matchers = _matchers(inputs.profiles)
    routed = {
        p.name: [t for t in inputs.targets if policy.routes_to(p.name, t.tags)]
        for p in inputs.profiles
    }
    outcomes: list[ArticleOutcome] = []
    alerts: list[Alert] = []
    with (
        open_store(settings) as store,
        store.decision_lock(timeout_seconds=settings.lock_timeout_seconds),
        store.dedup_index(
            now=now, dedup_days=settings.dedup_window_days, story_days=settings.story_window_days
        ) as index,
    ):
        titles: dict[str, str | None] = {}

        def story_of(article_id: str, topic: str) -> str | None:
            if article_id not in titles:
                brief = store.article_brief(article_id)
                titles[article_id] = brief[1] if brief else None
            return store.story_in_topic(article_id, topic)

        for article in articles:
            decided = decide_topics(article, matchers, index, story_of)
            mine = []
            for td in decided.topics:
                if not td.alerts:
                    continue
                alert = make_alert(article, td.match, td.decision.story_id, now=now, topic=td.topic)
                targets = [
                    (t.key, t.display, mode_for(td.match.score, policy.for_target(t.tags)))
                    for t in routed[td.topic]
                ]
                mine.append((alert, targets))
            alerts += [a for a, _ in mine]
            store.record_decided(article, decided, mine, now=now)
            match, decision = decided.match, decided.decision
            best = decided.best
            outcomes.append(
                ArticleOutcome(
                    article_id=article.article_id,
                    title=article.title,
                    url=article.url,
                    extraction=article.extraction,
                    score=round(match.score, 4),
                    is_match=match.is_match,
                    duplicate_of=decision.duplicate_of,
                    duplicate_kind=decision.kind,
                    story_id=decision.story_id if best.in_story else None,
                    alerted=bool(mine),
                    reasons=tuple(r.label for r in match.reasons),
                    note=article.extraction_note,
                    source=article.source,
                    duplicate_of_title=titles.get(decision.duplicate_of or ""),
                    topic=best.topic if match.is_match else None,
                    topics=tuple(t.topic for t in decided.topics if t.match.is_match),
                    stories=tuple(t.decision.story_id for t in decided.topics if t.in_story),
                )
            )
    return outcomes, alerts
