"""An article in each topic: its match and story there, the topic's stories, and the
lookups that go by topic (a copy's story in a topic, a story's other outlets).

Written inside the article's one transaction (`ArticleStore.record_decided`).
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import bindparam, case, func, insert, select, update
from sqlalchemy.engine import Connection

from newswatch.adapters import schema as t
from newswatch.adapters.store.codec import (
    alert_from_json,
    reasons_to_list,
    terms_from_json,
    terms_to_json,
    utc,
)
from newswatch.adapters.store.engine import StoreBase
from newswatch.decision import TopicDecided
from newswatch.dedup import join_story
from newswatch.models import Alert, Article, Fingerprint


def write_topic(
    conn: Connection, article: Article, fp: Fingerprint, td: TopicDecided, now: object
) -> None:
    """The article's row in one topic, and the topic's story it starts or joins.

    Only topics the article matched, or whose story it copies, get a row (the others
    are noise). Stories are formed from on-topic articles only; their terms grow by
    `dedup.join_story`, as in `backtest`'s MemoryIndex."""
    match, decision = td.match, td.decision
    if not (match.is_match or td.in_story):
        return
    conn.execute(
        insert(t.article_topics),
        dict(
            article_id=article.article_id,
            topic=td.topic,
            score=match.score,
            is_match=match.is_match,
            reasons=json.dumps(reasons_to_list(match.reasons), ensure_ascii=False),
            story_id=decision.story_id or None,
        ),
    )
    if not match.is_match or not decision.story_id:
        return
    if decision.new_story:
        conn.execute(
            insert(t.stories).values(
                story_id=decision.story_id,
                first_article_id=article.article_id,
                title=article.title,
                terms=terms_to_json(join_story((), fp, decision)),
                article_count=1,
                created=now,
                updated=now,
                topic=td.topic,
            )
        )
        return
    row = conn.execute(
        select(t.stories.c.terms).where(t.stories.c.story_id == decision.story_id)
    ).first()
    terms = join_story(terms_from_json(row.terms) if row else (), fp, decision)
    conn.execute(
        update(t.stories)
        .where(t.stories.c.story_id == decision.story_id)
        .values(
            article_count=t.stories.c.article_count + 1, updated=now, terms=terms_to_json(terms)
        )
    )


# a copy's story in a topic, asked for every copy in every topic: built once
_STORY_IN_TOPIC = select(t.article_topics.c.story_id).where(
    t.article_topics.c.article_id == bindparam("b_article_id"),
    t.article_topics.c.topic == bindparam("b_topic"),
)


class TopicStore(StoreBase):
    def story_in_topic(self, article_id: str, topic: str) -> str | None:
        """The story a recorded article belongs to in `topic`, if any."""
        with self.engine.connect() as conn:
            return conn.execute(  # type: ignore[no-any-return]
                _STORY_IN_TOPIC, {"b_article_id": article_id, "b_topic": topic}
            ).scalar_one_or_none()

    def also_reported(self, story_id: str, article_id: str) -> list[str]:
        """The outlets of a story's other articles (not `article_id`), first seen first, once each."""
        a, at = t.articles.c, t.article_topics.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(a.source)
                .join(t.article_topics, at.article_id == a.article_id)
                .where(at.story_id == story_id, a.article_id != article_id)
                .order_by(a.created, a.article_id)
            ).all()
            own = conn.execute(
                select(a.source).where(a.article_id == article_id)
            ).scalar_one_or_none()
        return [s for s in dict.fromkeys(r.source for r in rows) if s != own]

    def topic_activity(self, *, since: datetime) -> dict[str, tuple[int, datetime | None]]:
        """Per topic: alerts created since `since`, and when its last alert was created."""
        a = t.alerts.c
        recent = func.sum(case((a.created >= since, 1), else_=0))
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(a.topic, recent.label("recent"), func.max(a.created).label("last")).group_by(
                    a.topic
                )
            ).all()
        return {r.topic: (int(r.recent or 0), utc(r.last)) for r in rows}

    def alert_with_text(self, alert_id: str) -> tuple[Alert, str] | None:
        """An alert and its article's text (the alert's snippet once the article is pruned)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.alerts.c.payload, t.articles.c.text)
                .select_from(t.alerts)
                .outerjoin(t.articles, t.articles.c.article_id == t.alerts.c.article_id)
                .where(t.alerts.c.alert_id == alert_id)
            ).first()
        if row is None:
            return None
        alert = alert_from_json(row.payload)
        return alert, row.text if row.text is not None else alert.snippet
