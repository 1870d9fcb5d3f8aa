"""Backtest: matching and dedup over given articles, in order, with fresh in-memory state.

No network, no store, no clock. Each article gives one JSON-able dict with the stable
keys `id, match, score, threshold, reasons, duplicate_of, story, alert` (more keys may
be added, none renamed): it is how users tune a profile and how quality is measured.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from newswatch import dedup
from newswatch.decision import decide_topics
from newswatch.matching import Matcher
from newswatch.models import Article, Match, Profile
from newswatch.text import detect_language
from newswatch.urls import canonical_url


@dataclass(frozen=True)
class BacktestInput:
    id: str
    title: str
    text: str
    url: str | None = None
    lang: str | None = None
    published: str | None = None

    @classmethod
    def from_json(cls, line: str) -> BacktestInput:
        data = json.loads(line)
        if not isinstance(data, dict):
            raise ValueError("each line must be a JSON object")
        for key in ("id", "title", "text"):
            if key not in data:
                raise KeyError(f"missing {key!r}")
        return cls(
            id=str(data["id"]),
            title=str(data.get("title") or ""),
            text=str(data.get("text") or ""),
            url=data.get("url"),
            lang=data.get("lang"),
            published=data.get("published"),
        )

    def to_article(self, lang: str | None) -> Article:
        return Article(
            article_id=self.id,
            feed_name="backtest",
            url=self.url,
            canonical_url=canonical_url(self.url) if self.url else None,
            title=self.title,
            text=self.text,
            source="backtest",
            extraction="summary",
            lang=lang,
        )


def run_backtest(
    items: Iterable[BacktestInput],
    profile: Profile | Sequence[Profile],
    *,
    topics: bool = False,
) -> Iterator[dict[str, Any]]:
    """Decide each article as if it arrived in this order; yield one result per article.

    With several profiles (topics) the stable keys are the best topic's (see
    `decision.best_topic`), `topic` names it, and with `topics` (always with several) a
    `topics` object holds each topic's match, score, threshold, reasons, story and alert."""
    profiles = [profile] if isinstance(profile, Profile) else list(profile)
    matchers = Matcher.group(profiles)  # one reading of an article for every topic
    index = dedup.MemoryIndex()
    story_of: dict[tuple[str, str], str] = {}
    for item in items:
        lang = item.lang or detect_language(f"{item.title}\n{item.text}")
        article = item.to_article(lang)
        decided = decide_topics(
            article, matchers, index, lambda aid, topic: story_of.get((aid, topic), f"s-{aid}")
        )
        index.add_article(item.id, decided.fingerprint, decided.decision)
        for td in decided.topics:
            if td.match.is_match:
                index.add_to_story(td.topic, decided.fingerprint, td.decision)
            story_of[(item.id, td.topic)] = td.decision.story_id
        match, decision = decided.match, decided.decision
        result: dict[str, Any] = {
            "id": item.id,
            "match": match.is_match,
            "score": round(match.score, 4),
            "threshold": round(match.threshold, 4),
            "reasons": _reasons(match),
            "duplicate_of": decision.duplicate_of,
            "duplicate_kind": decision.kind,
            "story": decision.story_id,
            "alert": decided.alerts,
            "lang": lang,
            "focus": match.focus,
            "elsewhere": list(match.elsewhere),
            "topic": decided.best.topic,
        }
        if topics or len(profiles) > 1:
            result["topics"] = {
                td.topic: {
                    "match": td.match.is_match,
                    "score": round(td.match.score, 4),
                    "threshold": round(td.match.threshold, 4),
                    "reasons": _reasons(td.match),
                    "story": td.decision.story_id,
                    "alert": td.alerts,
                }
                for td in decided.topics
            }
        yield result


def _reasons(match: Match) -> list[dict[str, Any]]:
    return [
        {
            "term": r.label,
            "kind": r.kind,
            "weight": round(r.weight, 4),
            "hits": r.hits,
            "matched": r.matched,
            "snippet": r.snippet,
        }
        for r in match.reasons
    ]
