"""Backtest: matching and dedup over given articles, in order, with fresh in-memory state.

No network, no store, no clock. Each article gives one JSON-able dict with the stable
keys `id, match, score, threshold, reasons, duplicate_of, story, alert` (more keys may
be added, none renamed): it is how users tune a profile and how quality is measured.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from newswatch import dedup
from newswatch.decision import decide_one
from newswatch.matching import Matcher
from newswatch.models import Article, Profile
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


def run_backtest(items: Iterable[BacktestInput], profile: Profile) -> Iterator[dict[str, Any]]:
    """Decide each article as if it arrived in this order; yield one result per article."""
    matcher = Matcher(profile)
    index = dedup.MemoryIndex()
    story_of: dict[str, str] = {}
    for item in items:
        lang = item.lang or detect_language(f"{item.title}\n{item.text}")
        article = item.to_article(lang)
        decided = decide_one(article, matcher, index, lambda aid: story_of.get(aid, f"s-{aid}"))
        match, decision = decided.match, decided.decision
        index.add(item.id, decided.fingerprint, decision, on_topic=match.is_match)
        story = decision.story_id
        story_of[item.id] = story
        yield {
            "id": item.id,
            "match": match.is_match,
            "score": round(match.score, 4),
            "threshold": round(match.threshold, 4),
            "reasons": [
                {
                    "term": r.label,
                    "kind": r.kind,
                    "weight": round(r.weight, 4),
                    "hits": r.hits,
                    "matched": r.matched,
                    "snippet": r.snippet,
                }
                for r in match.reasons
            ],
            "duplicate_of": decision.duplicate_of,
            "duplicate_kind": decision.kind,
            "story": story,
            "alert": decided.alerts,
            "lang": lang,
            "focus": match.focus,
            "elsewhere": list(match.elsewhere),
        }
