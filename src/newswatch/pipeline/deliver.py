"""Stage 4, alerts -> delivery: one message per target holding its due alerts.

Deliveries are claimed first (a lease: concurrent runs never send one twice). Per
target, in its quiet hours an alert below the urgent score waits until they end, and
over the target's hourly cap alerts move to the digest; neither counts as an attempt.
A delivery is marked sent only when Apprise reports success for that target; a failure
leaves it pending with a backoff, and after `max_delivery_attempts` it is marked failed
(and reported, never dropped silently). The digest sends what waited, per target.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from newswatch.adapters.notify import Notifier, Target
from newswatch.adapters.store import Store
from newswatch.models import Alert, DeliveryOutcome
from newswatch.pipeline.runtime import open_store
from newswatch.pipeline.settings import Settings
from newswatch.policy import Policy, TargetPolicy, hold_until, over_cap
from newswatch.render import Templates, render_batch, render_digest, run_footer


def deliver_alerts(
    settings: Settings,
    notifier: Notifier | None,
    *,
    now: datetime,
    clock: Callable[[], datetime] | None = None,
    policy: Policy | None = None,
    only: Sequence[str] | None = None,
    run_url: str | None = None,
) -> list[DeliveryOutcome]:
    """Send every due instant alert (or only the alerts `only` names): one message per
    target holding all its alerts. See the module's rules."""
    if notifier is None:
        return []
    policy = policy or Policy()
    targets = {t.key: t for t in notifier.targets()}
    sender = uuid.uuid4().hex
    with open_store(settings) as store:
        outcomes: list[DeliveryOutcome] = []
        for key, alerts in _claimed(store, sender, settings, now, "instant", only).items():
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
                _send(
                    store,
                    notifier,
                    target,
                    key,
                    ready,
                    rules,
                    settings,
                    clock or (lambda: now),
                    run_url=run_url,
                )
            )
    return outcomes


def _claimed(
    store: Store,
    sender: str,
    settings: Settings,
    now: datetime,
    mode: str,
    only: Sequence[str] | None = None,
) -> dict[str, list[Alert]]:
    """Claim the due deliveries of `mode` for this sender, grouped by target key."""
    due = store.claim_deliveries(
        sender,
        now=now,
        lease=timedelta(seconds=settings.delivery_lease_seconds),
        mode=mode,
        alert_ids=only,
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
    run_url: str | None = None,
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
        if run_url:
            body += run_footer(run_url, fmt)
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
    run_url: str | None = None,
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
                    run_url=run_url,
                )
            )
    return outcomes
