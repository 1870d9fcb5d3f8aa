"""One article's decision: match, fingerprint, duplicate or story, and whether it alerts.

The same function decides for a run (against the store's index) and for `backtest`
(against an in-memory one), so the two cannot drift. Rules:

- the article is scored against the profile (`newswatch.matching`);
- it is fingerprinted on its text, or its title when it has no text (a feed entry with
  an empty summary), so that two empty texts are never "the same text";
- `dedup.decide` says whether it repeats an earlier article or which story it joins;
  a duplicate belongs to its original's story (`story_of`);
- it alerts when it matches and starts a new story: one alert per story.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from newswatch import dedup
from newswatch.matching import Matcher
from newswatch.models import Alert, Article, DedupDecision, Fingerprint, Match


@dataclass(frozen=True)
class Decided:
    match: Match
    fingerprint: Fingerprint
    decision: DedupDecision

    @property
    def alerts(self) -> bool:
        return self.match.is_match and self.decision.new_story


def decide_one(
    article: Article,
    matcher: Matcher,
    index: dedup.DedupIndex,
    story_of: Callable[[str], str | None],
) -> Decided:
    """Decide one article against what came before it (the index); see the module rules."""
    match = matcher.score(article.title, article.text, lang=article.lang)
    fp = dedup.fingerprint(
        article.text or article.title,
        canonical_url=article.canonical_url,
        title=article.title,
        lang=article.lang,
        reasons=match.reasons,
    )
    decision = dedup.decide(article.article_id, fp, index)
    if decision.is_duplicate:
        decision = replace(decision, story_id=story_of(decision.duplicate_of or "") or "")
    return Decided(match, fp, decision)


def make_alert(article: Article, match: Match, story_id: str, *, now: datetime) -> Alert:
    """The alert for an article that starts a story; its id is stable for the article."""
    snippet = match.reasons[0].snippet if match.reasons else article.text[:200]
    return Alert(
        alert_id="a-" + hashlib.sha256(article.article_id.encode()).hexdigest()[:20],
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
    )
