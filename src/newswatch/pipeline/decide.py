"""Stage 3, articles -> match, dedup, story, alert: one article at a time, in order.

Serial on purpose: two near-duplicates that arrive in the same run must see each other.
Each article is committed with its decision and its alert (an outbox) in one
transaction, under a database-level lock that concurrent runs share.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from newswatch.decision import decide_one, make_alert
from newswatch.matching import Matcher
from newswatch.models import Alert, Article, ArticleOutcome
from newswatch.pipeline.config import RunInputs
from newswatch.pipeline.runtime import open_store
from newswatch.policy import mode_for


def decide_articles(
    articles: Sequence[Article], inputs: RunInputs, *, now: datetime
) -> tuple[list[ArticleOutcome], list[Alert]]:
    """Score, dedup and group each article, and commit it with its alert in one transaction.

    Each alert gets one pending delivery per target its profile routes to, `instant` or
    `digest` by the target's policy (see `newswatch.policy`)."""
    settings, profile, policy = inputs.settings, inputs.profile, inputs.policy
    matcher = Matcher(profile)
    outcomes: list[ArticleOutcome] = []
    alerts: list[Alert] = []
    routed = [t for t in inputs.targets if policy.routes_to(profile.name, t.tags)]
    with (
        open_store(settings) as store,
        store.decision_lock(timeout_seconds=settings.lock_timeout_seconds),
        store.dedup_index(
            now=now, dedup_days=settings.dedup_window_days, story_days=settings.story_window_days
        ) as index,
    ):
        briefs: dict[str, str | None] = {}

        def story_of(article_id: str) -> str | None:
            brief = store.article_brief(article_id)
            briefs[article_id] = brief[1] if brief else None
            return brief[0] if brief else None

        for article in articles:
            decided = decide_one(article, matcher, index, story_of)
            match, decision = decided.match, decided.decision
            alert = None
            if decided.alerts:
                alert = make_alert(article, match, decision.story_id, now=now)
                alerts.append(alert)
            deliveries = [
                (t.key, t.display, mode_for(match.score, policy.for_target(t.tags))) for t in routed
            ]
            store.record_article(
                article,
                decided.fingerprint,
                match,
                decision,
                alert=alert,
                targets=deliveries,
                now=now,
            )
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
                    story_id=decision.story_id if match.is_match or decision.is_duplicate else None,
                    alerted=alert is not None,
                    reasons=tuple(r.label for r in match.reasons),
                    note=article.extraction_note,
                    source=article.source,
                    duplicate_of_title=briefs.get(decision.duplicate_of or ""),
                )
            )
    return outcomes, alerts
