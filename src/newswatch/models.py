"""The data that flows through newswatch, stage by stage.

feed -> entry -> article -> match -> story -> alert -> delivery

Every value here is a frozen dataclass of plain data: it can cross a Prefect task
boundary, be hashed, logged and compared in tests. Times are timezone-aware UTC
datetimes; nothing here reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

TermKind = Literal["entity", "keyword", "phrase"]
IdSource = Literal["guid", "url", "hash"]
ExtractionSource = Literal["page", "summary"]
DuplicateKind = Literal["url", "exact", "near"]
FeedStatus = Literal["ok", "not_modified", "unchanged", "error"]

# The topic of seed articles placed directly in the seeds folder (and of config/profile.yaml):
# what a one-topic install has always had, and what stored rows from before topics belong to.
DEFAULT_TOPIC = "default"


@dataclass(frozen=True)
class Feed:
    """One configured feed: a line of the feeds file."""

    name: str
    url: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeedState:
    """What newswatch remembers of a feed between runs (conditional GET, health)."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    last_polled: datetime | None = None
    last_success: datetime | None = None
    last_error: str | None = None
    consecutive_failures: int = 0
    name: str | None = None
    body_hash: str | None = None
    last_status: int | None = None
    poll_interval: int | None = None  # seconds, adaptive (see `polling`)
    next_poll: datetime | None = None

    @property
    def healthy(self) -> bool:
        from newswatch.polling import UNHEALTHY_AFTER

        return self.consecutive_failures < UNHEALTHY_AFTER


@dataclass(frozen=True)
class FetchResult:
    """A completed HTTP exchange. `not_modified` is a 304 answer to a conditional GET."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    not_modified: bool = False
    elapsed_seconds: float = 0.0


@dataclass(frozen=True)
class Entry:
    """One item of a feed.

    `entry_id` follows a cascade, recorded in `id_source`: the item's GUID (the
    publisher's own identity, stable across title edits and re-dating), else its
    canonical link (stable when the GUID is missing), else a hash of title+summary
    (the only identity left for link-less items).
    """

    entry_id: str
    id_source: IdSource
    feed_name: str
    feed_url: str
    url: str | None
    title: str
    summary: str
    published: datetime | None = None
    author: str | None = None


@dataclass(frozen=True)
class ParsedFeed:
    """The result of parsing a feed body: its entries, or the reason it gave none."""

    feed_url: str
    title: str | None
    entries: tuple[Entry, ...]
    problem: str | None = None
    format: str | None = None
    ttl: str | None = None  # RSS <ttl>, minutes
    sy_period: str | None = None  # sy:updatePeriod
    sy_frequency: str | None = None  # sy:updateFrequency


@dataclass(frozen=True)
class Article:
    """An entry with its text: from the article page, or from the feed's summary."""

    article_id: str
    feed_name: str
    url: str | None
    canonical_url: str | None
    title: str
    text: str
    source: str
    extraction: ExtractionSource
    published: datetime | None = None
    author: str | None = None
    lang: str | None = None
    extraction_note: str | None = None


@dataclass(frozen=True)
class ProfileTerm:
    """One thing the profile looks for, with every surface form that counts as it."""

    key: str
    label: str
    kind: TermKind
    weight: float
    aliases: tuple[str, ...] = ()
    why: str = ""
    pinned: bool = False
    # "country": a name of the country level (a country, its people, its capital, its
    # head of state or government), never the story's specific name (see `matching`)
    level: str = ""


@dataclass(frozen=True)
class Profile:
    """A topic: weighted terms, a threshold and how the threshold was chosen."""

    name: str
    terms: tuple[ProfileTerm, ...]
    threshold: float
    threshold_how: str = ""
    excluded: tuple[str, ...] = ()
    seeds: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    places: tuple[str, ...] = ()  # where the story happens (names `places.find` knows)


@dataclass(frozen=True)
class Reason:
    """One profile term that fired in an article, and where."""

    key: str
    label: str
    kind: TermKind
    weight: float
    contribution: float
    hits: int
    in_title: bool
    matched: str
    snippet: str


@dataclass(frozen=True)
class Match:
    """An article's score against a profile, with the reasons for it."""

    score: float
    threshold: float
    reasons: tuple[Reason, ...] = ()
    lang: str | None = None
    # share of the places the article names that are the story's (None: the profile has
    # no places, or the article names none), and the others, most named first
    focus: float | None = None
    elsewhere: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()  # how the contributions became the score (see `explain`)

    @property
    def is_match(self) -> bool:
        return self.score >= self.threshold


@dataclass(frozen=True)
class Fingerprint:
    """What dedup compares: canonical URL, exact text hash and a MinHash signature."""

    canonical_url: str | None
    text_hash: str
    minhash: tuple[int, ...]
    bands: tuple[int, ...]
    story_terms: tuple[str, ...] = ()
    shingles: int = 0


@dataclass(frozen=True)
class DedupDecision:
    """Whether an article repeats an earlier one, and which story it belongs to."""

    duplicate_of: str | None
    kind: DuplicateKind | None
    story_id: str
    new_story: bool
    similarity: float | None = None

    @property
    def is_duplicate(self) -> bool:
        return self.duplicate_of is not None


@dataclass(frozen=True)
class Alert:
    """An on-topic article that starts a story: what the message says."""

    alert_id: str
    article_id: str
    story_id: str
    title: str
    url: str | None
    source: str
    published: datetime | None
    score: float
    threshold: float
    reasons: tuple[Reason, ...]
    snippet: str
    created: datetime
    topic: str = DEFAULT_TOPIC


@dataclass(frozen=True)
class DeliveryOutcome:
    """What one notification target said about one send."""

    target: str
    ok: bool
    detail: str = ""
    alert_id: str | None = None
    # sent | pending | failed, or waiting (quiet hours) | digest (over the hourly cap)
    state: str | None = None


@dataclass(frozen=True)
class FeedReport:
    """How one feed's poll went in a run."""

    feed_name: str
    feed_url: str
    status: FeedStatus
    entries: int = 0
    new_entries: int = 0
    error: str | None = None
    next_poll: datetime | None = None
    healthy: bool = True


@dataclass(frozen=True)
class ArticleOutcome:
    """What the run decided about one new entry."""

    article_id: str
    title: str
    url: str | None
    extraction: ExtractionSource
    score: float
    is_match: bool
    duplicate_of: str | None
    duplicate_kind: DuplicateKind | None
    story_id: str | None
    alerted: bool
    reasons: tuple[str, ...] = ()
    note: str | None = None
    source: str = ""
    duplicate_of_title: str | None = None
    # Several topics: the fields above are the best topic's (`topic`); `topics` are all the
    # topics the article matched, `stories` its story in each topic it belongs to.
    topic: str | None = None
    topics: tuple[str, ...] = ()
    stories: tuple[str, ...] = ()


@dataclass
class RunSummary:
    """Counts and details of one ingest run; printed, stored and published as artifacts."""

    started: datetime
    finished: datetime | None = None
    feeds: list[FeedReport] = field(default_factory=list)
    articles: list[ArticleOutcome] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    deliveries: list[DeliveryOutcome] = field(default_factory=list)
    pending_alerts: int = 0
    pruned_articles: int = 0
    feeds_not_due: int = 0

    @property
    def feeds_polled(self) -> int:
        return len(self.feeds)

    @property
    def feeds_failed(self) -> int:
        return sum(1 for f in self.feeds if f.status == "error")

    @property
    def new_entries(self) -> int:
        return sum(f.new_entries for f in self.feeds)

    @property
    def extracted(self) -> int:
        return sum(1 for a in self.articles if a.extraction == "page")

    @property
    def matched(self) -> int:
        return sum(1 for a in self.articles if a.is_match)

    @property
    def duplicates(self) -> int:
        return sum(1 for a in self.articles if a.duplicate_of is not None)

    @property
    def alerts_sent(self) -> int:
        return sum(1 for d in self.deliveries if d.ok)

    def also_reported(self, alert: Alert) -> list[str]:
        """The other outlets of this run that reported an alert's story, each once."""
        return list(
            dict.fromkeys(
                a.source or "?"
                for a in self.articles
                if (a.story_id == alert.story_id or alert.story_id in a.stories)
                and a.article_id != alert.article_id
            )
        )
