"""The stages of one ingest run, each a plain function that a Prefect task calls.

    poll_feed        feed -> new entries          (one per feed; safe to run in parallel)
    extract_entries  entries -> articles          (one per batch; safe to run in parallel)
    decide_articles  articles -> match, dedup, story, alert   (one at a time, in order)
    deliver_alerts   pending alerts -> Apprise    (one message per target per run)

Each stage opens what it needs (store, HTTP client, notifier) from `Settings` and
closes it again, so a stage's inputs are plain data and a failure in one feed, page or
target is recorded and does not stop the others. The deciding stage is serial on
purpose: two near-duplicates that arrive in the same run must see each other.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from newswatch import dedup, polling
from newswatch.adapters.extract import extract_page
from newswatch.adapters.feeds import parse_feed
from newswatch.adapters.http import (
    ROBOTS,
    AddressGuard,
    Fetcher,
    shared_client,
    shared_limiter,
)
from newswatch.adapters.notify import Notifier, Target
from newswatch.adapters.seeds import read_seeds
from newswatch.adapters.store import Store
from newswatch.errors import ConfigError, NewswatchError
from newswatch.matching import Matcher
from newswatch.models import (
    Alert,
    Article,
    ArticleOutcome,
    DeliveryOutcome,
    Entry,
    Feed,
    FeedReport,
    FeedState,
    FeedStatus,
    Match,
    Profile,
    RunSummary,
)
from newswatch.policy import Policy, TargetPolicy, hold_until, mode_for, over_cap
from newswatch.profile import dump_profile, learn_profile, load_profile
from newswatch.render import Templates, render_batch, render_digest
from newswatch.settings import Settings, load_policy
from newswatch.text import detect_language
from newswatch.urls import canonical_url

log = logging.getLogger("newswatch")


@dataclass(frozen=True)
class PollResult:
    report: FeedReport
    new_entries: tuple[Entry, ...]


def prepare_store(settings: Settings) -> None:
    """Create or upgrade the store's schema; once per run, before any stage opens it."""
    Store.open(settings.resolved_db_url(), migrate=True).close()


def open_store(settings: Settings) -> Store:
    """The store, schema already prepared (stages run in parallel: none of them migrates)."""
    return Store.shared(settings.resolved_db_url())


def open_fetcher(settings: Settings) -> Fetcher:
    """A Fetcher on the process's shared HTTP client (one connection pool for the run)."""
    return Fetcher(
        shared_client(settings.timeout_seconds),
        timeout_seconds=settings.timeout_seconds,
        max_body_bytes=settings.max_body_bytes,
        user_agent=settings.user_agent,
        guard=AddressGuard(settings.allowed_hosts.split(",")),
        limiter=shared_limiter(settings.per_host_concurrency, settings.per_host_delay_seconds),
        robots=ROBOTS if settings.respect_robots else None,
    )


# -- profile -------------------------------------------------------------------


def learn(settings: Settings) -> tuple[Profile, Path]:
    """Learn the profile from the seeds folder and write it, keeping a user's edits."""
    path = settings.resolved_profile_file()
    previous = None
    if path.exists():
        previous = load_profile(path.read_text(encoding="utf-8"), path=str(path))
    profile = learn_profile(read_seeds(settings.seeds_dir), previous=previous)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole, then renamed: a run starting meanwhile reads the old file or the new one.
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_text(dump_profile(profile), encoding="utf-8")
    os.replace(partial, path)
    return profile, path


def ensure_profile(settings: Settings) -> Profile:
    """The profile file's content; learned from the seeds first if there is none."""
    path = settings.resolved_profile_file()
    if not path.exists():
        log.info("no profile at %s: learning one from %s", path, settings.seeds_dir)
        profile, _ = learn(settings)
        return profile
    return load_profile(path.read_text(encoding="utf-8"), path=str(path))


def load_notifier(settings: Settings) -> Notifier | None:
    """The configured notification targets, or None when no notify file exists."""
    path = settings.resolved_notify_file()
    if not path.exists():
        return None
    return Notifier.from_file(path)


# -- feed -> entries -------------------------------------------------------------


def due_feeds(feeds: Sequence[Feed], settings: Settings, *, now: datetime) -> list[Feed]:
    """The feeds whose next poll (adaptive, see `polling`) has come, read in one query."""
    with open_store(settings) as store:
        next_poll = {s.url: s.next_poll for s in store.feed_states()}
    return [f for f in feeds if (when := next_poll.get(f.url)) is None or when <= now]


def feed_is_due(feed: Feed, settings: Settings, *, now: datetime) -> bool:
    return bool(due_feeds([feed], settings, now=now))


def poll_feed(feed: Feed, settings: Settings, *, now: datetime) -> PollResult:
    """Fetch one feed with a conditional GET, parse it, and claim the entries never seen.

    The feed's health and next poll are recorded whatever happens (see `polling`)."""
    bounds = {"min_seconds": settings.poll_min_seconds}
    with open_store(settings) as store:
        state = store.feed_state(feed.url) or FeedState(url=feed.url)
        try:
            with open_fetcher(settings) as fetcher:
                # the feed URL is the user's own; where it redirects to is checked
                result = fetcher.fetch(
                    feed.url, etag=state.etag, last_modified=state.last_modified, trusted=True
                )
        except NewswatchError as exc:
            retry = polling.retry_after_seconds(getattr(exc, "retry_after", None), now)
            return _poll_failed(
                store, state, feed, settings, now, str(exc), getattr(exc, "status", None), retry
            )
        headers = {k.lower(): v for k, v in result.headers.items()}
        body_hash = hashlib.sha256(result.body).hexdigest() if not result.not_modified else None
        if result.not_modified or body_hash == state.body_hash:
            # a 304, or a 200 with the very same body (stale validators): nothing new
            plan = polling.after_success(
                now=now,
                published=(),
                previous=state.poll_interval,
                hints=polling.hints_from(headers, now=now),
                max_seconds=settings.poll_max_seconds,
                **bounds,
            )
            store.save_feed_state(
                replace(
                    state,
                    name=feed.name,
                    etag=headers.get("etag") or state.etag,
                    last_modified=headers.get("last-modified") or state.last_modified,
                    last_polled=now,
                    last_success=now,
                    last_error=None,
                    consecutive_failures=0,
                    last_status=result.status,
                    poll_interval=plan.interval,
                    next_poll=plan.next_poll,
                )
            )
            status: FeedStatus = "not_modified" if result.not_modified else "unchanged"
            return PollResult(FeedReport(feed.name, feed.url, status, next_poll=plan.next_poll), ())

        parsed = parse_feed(result.body, result.headers, feed=feed)
        if not parsed.entries and parsed.problem:
            return _poll_failed(
                store, state, feed, settings, now, parsed.problem, result.status, None
            )

        entries = list(parsed.entries)[: settings.max_entries_per_feed]
        fresh = store.claim_entries(entries, now=now)
        plan = polling.after_success(
            now=now,
            published=[e.published for e in entries if e.published],
            previous=state.poll_interval,
            hints=polling.hints_from(
                headers,
                ttl_minutes=parsed.ttl,
                sy_period=parsed.sy_period,
                sy_frequency=parsed.sy_frequency,
                now=now,
            ),
            max_seconds=settings.poll_max_seconds,
            **bounds,
        )
        store.save_feed_state(
            FeedState(
                url=feed.url,
                etag=headers.get("etag"),
                last_modified=headers.get("last-modified"),
                last_polled=now,
                last_success=now,
                last_error=parsed.problem,
                consecutive_failures=0,
                name=feed.name,
                body_hash=body_hash,
                last_status=result.status,
                poll_interval=plan.interval,
                next_poll=plan.next_poll,
            )
        )
    report = FeedReport(
        feed.name,
        feed.url,
        "ok",
        entries=len(entries),
        new_entries=len(fresh),
        error=parsed.problem,
        next_poll=plan.next_poll,
    )
    return PollResult(report, tuple(fresh))


def _poll_failed(
    store: Store,
    state: FeedState,
    feed: Feed,
    settings: Settings,
    now: datetime,
    error: str,
    status: int | None,
    retry_after: int | None,
) -> PollResult:
    """Record a failed poll: one more failure in a row, and the backed-off next poll."""
    failures = state.consecutive_failures + 1
    plan = polling.after_failure(
        now=now,
        failures=failures,
        hints=polling.PollHints(retry_after=retry_after),
        min_seconds=settings.poll_min_seconds,
    )
    store.save_feed_state(
        replace(
            state,
            name=feed.name,
            last_polled=now,
            last_error=error,
            consecutive_failures=failures,
            last_status=status,
            next_poll=plan.next_poll,
        )
    )
    report = FeedReport(
        feed.name, feed.url, "error", error=error, next_poll=plan.next_poll, healthy=plan.healthy
    )
    return PollResult(report, ())


def pending_entries(settings: Settings, *, run_id: str, now: datetime) -> list[Entry]:
    """The undecided entries this run takes: its own new ones, and any a crash left behind.

    Each is leased to this run (`entry_lease_minutes`); a run at the same time takes others.
    """
    with open_store(settings) as store:
        entries = store.lease_entries(
            run_id, now=now, lease=timedelta(minutes=settings.entry_lease_minutes)
        )
    # Decide in publication order, so that an original precedes its re-posts even when
    # they arrive in the same run; entries without a date go last, in arrival order.
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(entries, key=lambda e: e.published or far)


# -- entries -> articles -----------------------------------------------------------


def extract_entries(entries: Sequence[Entry], settings: Settings) -> list[Article]:
    """Fetch and extract each entry's page; fall back to the feed's summary, saying why."""
    articles = []
    with open_fetcher(settings) as fetcher:
        for entry in entries:
            articles.append(_extract_one(entry, fetcher, settings))
    return articles


def _outlet(sitename: str | None, url: str, feed_name: str) -> str:
    """The page's own site name, unless it is only the host (then the feed's name says more)."""
    if not sitename:
        return feed_name
    host = urlsplit(url).netloc.lower()
    bare = sitename.strip().lower()
    if bare in {host, host.removeprefix("www."), host.split(":")[0]}:
        return feed_name
    return sitename


def _extract_one(entry: Entry, fetcher: Fetcher, settings: Settings) -> Article:
    note = None
    if entry.url and settings.fetch_articles:
        try:
            page = fetcher.fetch(entry.url, robots=True)
            content = extract_page(page.body, url=page.final_url)
        except NewswatchError as exc:
            note = f"page not used, feed summary instead: {exc}"
        else:
            return Article(
                article_id=entry.entry_id,
                feed_name=entry.feed_name,
                url=entry.url,
                canonical_url=canonical_url(content.canonical_url or page.final_url),
                title=content.title or entry.title,
                text=content.text,
                source=_outlet(content.sitename, page.final_url, entry.feed_name),
                extraction="page",
                published=entry.published or content.published,
                author=content.author or entry.author,
                lang=content.lang or detect_language(f"{entry.title}\n{content.text}"),
            )
    elif not entry.url:
        note = "entry has no link: feed summary used"
    else:
        note = "page fetching is off: feed summary used"
    return Article(
        article_id=entry.entry_id,
        feed_name=entry.feed_name,
        url=entry.url,
        canonical_url=canonical_url(entry.url) if entry.url else None,
        title=entry.title,
        text=entry.summary,
        source=entry.feed_name,
        extraction="summary",
        published=entry.published,
        author=entry.author,
        lang=detect_language(f"{entry.title}\n{entry.summary}"),
        extraction_note=note,
    )


# -- articles -> match, dedup, story, alert ---------------------------------------------


def make_alert(article: Article, match: Match, story_id: str, *, now: datetime) -> Alert:
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


def decide_articles(
    articles: Sequence[Article],
    profile: Profile,
    settings: Settings,
    targets: Sequence[Target],
    *,
    now: datetime,
    policy: Policy | None = None,
) -> tuple[list[ArticleOutcome], list[Alert]]:
    """Score, dedup and group each article, and commit it with its alert in one transaction.

    Each alert gets one pending delivery per target its profile routes to, `instant` or
    `digest` by the target's policy (see `newswatch.policy`)."""
    matcher = Matcher(profile)
    policy = policy or Policy()
    outcomes: list[ArticleOutcome] = []
    alerts: list[Alert] = []
    routed = [t for t in targets if policy.routes_to(profile.name, t.tags)]
    with (
        open_store(settings) as store,
        store.decision_lock(),
        store.dedup_index(
            now=now, dedup_days=settings.dedup_window_days, story_days=settings.story_window_days
        ) as index,
    ):
        for article in articles:
            match = matcher.score(article.title, article.text, lang=article.lang)
            fp = dedup.fingerprint(
                article.text,
                canonical_url=article.canonical_url,
                title=article.title,
                lang=article.lang,
                reasons=match.reasons,
            )
            decision = dedup.decide(article.article_id, fp, index)
            original_title = None
            if decision.is_duplicate:
                story, original_title, _ = store.article_brief(decision.duplicate_of or "") or (
                    None,
                    None,
                    None,
                )
                decision = replace(decision, story_id=story or "")
            alert = None
            if match.is_match and decision.new_story:
                alert = make_alert(article, match, decision.story_id, now=now)
                alerts.append(alert)
            deliveries = [
                (t.key, t.display, mode_for(match.score, policy.for_target(t.tags))) for t in routed
            ]
            store.record_article(
                article, fp, match, decision, alert=alert, targets=deliveries, now=now
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
                    duplicate_of_title=original_title,
                )
            )
    return outcomes, alerts


# -- alerts -> delivery --------------------------------------------------------------


def deliver_alerts(
    settings: Settings,
    notifier: Notifier | None,
    *,
    now: datetime,
    clock: Callable[[], datetime] | None = None,
    policy: Policy | None = None,
) -> list[DeliveryOutcome]:
    """Send every due instant alert: one message per target holding all its alerts.

    Deliveries are claimed first (a lease: concurrent runs never send one twice). Per
    target, in its quiet hours an alert below the urgent score waits until they end, and
    over the target's hourly cap alerts move to the digest; neither counts as an attempt.
    A delivery is marked sent only when Apprise reports success for that target; a
    failure leaves it pending with a backoff, and after `max_delivery_attempts` it is
    marked failed (and reported, never dropped silently).
    """
    if notifier is None:
        return []
    policy = policy or Policy()
    targets = {t.key: t for t in notifier.targets()}
    sender = uuid.uuid4().hex
    with open_store(settings) as store:
        outcomes: list[DeliveryOutcome] = []
        for key, alerts in _claimed(store, sender, settings, now, "instant").items():
            target = targets.get(key)
            rules = policy.for_target(target.tags) if target else TargetPolicy()
            waiting: dict[datetime, list[str]] = {}
            ready: list[Alert] = []
            for alert in alerts:
                until = hold_until(alert.score, rules, now)
                if until is None:
                    ready.append(alert)
                else:
                    waiting.setdefault(until, []).append(alert.alert_id)
            for until, ids in waiting.items():
                store.defer_deliveries(sender, [(i, key) for i in ids], until=until)
                for i in ids:
                    outcomes.append(
                        DeliveryOutcome(
                            (target.display if target else key),
                            False,
                            f"quiet hours: waits until {until.isoformat(timespec='minutes')}",
                            alert_id=i,
                            state="waiting",
                        )
                    )
            if not ready:
                continue
            if target is not None and over_cap(
                store.messages_sent_since(key, now - timedelta(hours=1)), rules
            ):
                store.defer_deliveries(sender, [(a.alert_id, key) for a in ready], mode="digest")
                outcomes.extend(
                    DeliveryOutcome(
                        target.display,
                        False,
                        f"over {rules.max_per_hour} messages an hour: moved to the next digest",
                        alert_id=a.alert_id,
                        state="digest",
                    )
                    for a in ready
                )
                continue
            outcomes.extend(
                _send(store, notifier, target, key, ready, rules, settings, clock or (lambda: now))
            )
    return outcomes


def _claimed(
    store: Store, sender: str, settings: Settings, now: datetime, mode: str
) -> dict[str, list[Alert]]:
    """Claim the due deliveries of `mode` for this sender, grouped by target key."""
    due = store.claim_deliveries(
        sender, now=now, lease=timedelta(seconds=settings.delivery_lease_seconds), mode=mode
    )
    by_target: dict[str, list[Alert]] = {}
    for alert, key, _display, _attempts in due:
        by_target.setdefault(key, []).append(alert)
    return by_target


def _send(
    store: Store,
    notifier: Notifier,
    target: Target | None,
    key: str,
    alerts: Sequence[Alert],
    rules: TargetPolicy,
    settings: Settings,
    clock: Callable[[], datetime],
    *,
    digest: bool = False,
) -> list[DeliveryOutcome]:
    """One message to one target holding `alerts`; each delivery marked by the outcome."""
    if target is None:
        outcome = DeliveryOutcome(
            target=key, ok=False, detail="target no longer in the notify config"
        )
    else:
        fmt = rules.format or target.format
        templates = Templates(rules.title_template, rules.item_template)
        also = {a.alert_id: _also_reported(store, a) for a in alerts}
        if digest:
            title, body = render_digest([(a, also[a.alert_id]) for a in alerts], fmt, templates)
        else:
            title, body = render_batch(alerts, fmt, templates, also)
        outcome = notifier.send(target, title, body)
    when = clock()
    outcomes = []
    for alert in alerts:
        state = store.mark_delivery(
            alert.alert_id,
            key,
            ok=outcome.ok,
            detail=outcome.detail,
            now=when,
            max_attempts=settings.max_delivery_attempts,
            backoff_seconds=settings.retry_backoff_seconds,
        )
        detail = outcome.detail if outcome.ok else f"{outcome.detail} (now {state})"
        outcomes.append(
            DeliveryOutcome(
                target=outcome.target,
                ok=outcome.ok,
                detail=detail,
                alert_id=alert.alert_id,
                state=state,
            )
        )
    return outcomes


def _also_reported(store: Store, alert: Alert) -> list[str]:
    """The other outlets of an alert's story, first seen first, each once."""
    return store.also_reported(alert.story_id, alert.article_id)


def send_digest(
    settings: Settings,
    notifier: Notifier | None,
    *,
    now: datetime,
    policy: Policy | None = None,
    clock: Callable[[], datetime] | None = None,
) -> list[DeliveryOutcome]:
    """Send the digest: per target, one message with every waiting story (and its outlets)."""
    if notifier is None:
        return []
    policy = policy or Policy()
    targets = {t.key: t for t in notifier.targets()}
    sender = uuid.uuid4().hex
    outcomes: list[DeliveryOutcome] = []
    with open_store(settings) as store:
        for key, alerts in _claimed(store, sender, settings, now, "digest").items():
            target = targets.get(key)
            rules = policy.for_target(target.tags) if target else TargetPolicy()
            outcomes.extend(
                _send(
                    store,
                    notifier,
                    target,
                    key,
                    alerts,
                    rules,
                    settings,
                    clock or (lambda: now),
                    digest=True,
                )
            )
    return outcomes


def load_alert_policy(settings: Settings) -> Policy:
    return load_policy(settings.resolved_alerts_file())


def check_config(settings: Settings) -> None:
    """Fail fast, before anything runs, on a config file that cannot be used."""
    from newswatch.settings import load_feeds

    load_feeds(settings.resolved_feeds_file())
    ensure_profile(settings)
    load_notifier(settings)
    load_alert_policy(settings)
    if not settings.seeds_dir.exists() and not settings.resolved_profile_file().exists():
        raise ConfigError(
            "no profile and no seeds folder to learn one from", path=str(settings.seeds_dir)
        )


def pending_delivery_count(settings: Settings) -> int:
    with open_store(settings) as store:
        return store.delivery_counts().get("pending", 0)


def prune(settings: Settings, *, now: datetime) -> int:
    """Drop articles past the retention age (never inside the dedup window)."""
    days = max(settings.retention_days, settings.dedup_window_days, settings.story_window_days)
    with open_store(settings) as store:
        return store.prune(before=now - timedelta(days=days))


def save_run(settings: Settings, summary: RunSummary, data: dict[str, object]) -> None:
    run_id = hashlib.sha256(summary.started.isoformat().encode()).hexdigest()[:16]
    with open_store(settings) as store:
        store.save_run(run_id, summary, json.dumps(data, ensure_ascii=False))
