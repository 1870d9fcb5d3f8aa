"""Alerts delivered through Apprise to a real SMTP server (aiosmtpd) and real webhooks.

The SMTP test reads the mail that arrived: subject, HTML and text parts, link, matched
terms. Delivery through the outbox: a target that fails stays pending and does not make
the others resend; a later pass delivers it once.
"""

from __future__ import annotations

import email
import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiosmtpd.controller import Controller

from newswatch import dedup
from newswatch.adapters.notify import Notifier
from newswatch.adapters.store import Store
from newswatch.errors import ConfigError
from newswatch.models import Alert, Article, DedupDecision, Match, Reason
from newswatch.pipeline import config, decide, deliver
from newswatch.pipeline.config import RunInputs
from newswatch.pipeline.settings import load_settings
from newswatch.render import render_batch
from tests.support.webhook import WebhookReceiver

NOW = datetime(2022, 1, 6, 12, 0, tzinfo=UTC)
REASONS = (
    Reason(
        "kazahstan",
        "Kazakhstan",
        "entity",
        0.7,
        1.4,
        4,
        True,
        "Kazakhstan",
        "…protests in Kazakhstan spread…",
    ),
    Reason("csto", "CSTO", "entity", 1.2, 1.8, 2, False, "CSTO", "…asked the CSTO for help…"),
    Reason("protest", "protests", "keyword", 0.4, 0.5, 3, False, "protests", "…protests…"),
)


def alert(n: int, title: str = "Tokayev asks CSTO for help") -> Alert:
    return Alert(
        alert_id=f"a-{n}",
        article_id=f"e{n}",
        story_id=f"s-{n}",
        title=f"{title} <b>{n}</b>",
        url=f"https://news.example.org/story/{n}",
        source="Steppe Wire",
        published=NOW,
        score=2.5,
        threshold=1.0,
        reasons=REASONS,
        snippet="Kazakhstan's president asked the CSTO for help.",
        created=NOW,
    )


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[_Mailbox, int]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    box = _Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@pytest.fixture
def hooks() -> Iterator[tuple[WebhookReceiver, WebhookReceiver, str, str]]:
    with WebhookReceiver(200) as ok, WebhookReceiver(500) as bad:
        yield ok, bad, ok.apprise_url, bad.apprise_url


def test_email_arrives_with_html_and_text_parts(smtp: tuple[_Mailbox, int]) -> None:
    box, port = smtp
    notifier = Notifier.from_yaml(
        yaml.safe_dump(
            {
                "urls": [
                    f"mailto://127.0.0.1:{port}?from=newswatch@example.org&to=analyst@example.org"
                ]
            }
        )
    )
    (target,) = notifier.targets()
    assert target.format == "html"
    title, body = render_batch([alert(1), alert(2)], target.format)
    outcome = notifier.send(target, title, body)
    assert outcome.ok, outcome.detail
    (mail,) = box.messages
    assert mail["Subject"] == "newswatch: 2 new stories"
    assert "analyst@example.org" in mail["To"]
    html_part = mail.get_body(preferencelist=("html",))
    text_part = mail.get_body(preferencelist=("plain",))
    assert html_part is not None and text_part is not None
    html = html_part.get_content()
    assert '<a href="https://news.example.org/story/1">' in html
    assert "&lt;b&gt;1&lt;/b&gt;" in html  # titles from the web are escaped
    assert "Kazakhstan" in html and "CSTO" in html and "score 2.50" in html
    assert "https://news.example.org/story/2" in text_part.get_content()


def test_one_failing_target_does_not_resend_to_the_others(
    tmp_path: Path, hooks: tuple[WebhookReceiver, WebhookReceiver, str, str]
) -> None:
    ok, bad, ok_url, bad_url = hooks
    notify = tmp_path / "notify.yaml"
    notify.write_text(yaml.safe_dump({"urls": [ok_url, bad_url]}))
    settings = load_settings(
        db_url=f"sqlite:///{tmp_path / 'store.db'}",
        notify_file=notify,
        max_delivery_attempts=3,
        retry_backoff_seconds=60,
    )
    notifier = Notifier.from_file(notify)
    targets = notifier.targets()
    with Store.open(settings.resolved_db_url()) as store:
        for n in (1, 2):
            art = Article(
                f"e{n}",
                "wire",
                f"https://news.example.org/story/{n}",
                None,
                f"t{n}",
                f"text {n} " * 30,
                "Wire",
                "page",
            )
            fp = dedup.fingerprint(art.text, canonical_url=None)
            store.record_article(
                art,
                fp,
                Match(2.5, 1.0, REASONS),
                DedupDecision(None, None, f"s-{n}", True),
                alert=alert(n),
                targets=[(t.key, t.display) for t in targets],
                now=NOW,
            )

    first = deliver.deliver_alerts(settings, notifier, now=NOW)
    assert sorted((d.alert_id, d.ok) for d in first) == [
        ("a-1", False),
        ("a-1", True),
        ("a-2", False),
        ("a-2", True),
    ]
    assert (
        len(ok.received) == 1 and len(bad.received) == 1
    )  # one message per target, both alerts in it
    assert "t1" in ok.received[0]["message"] or "Tokayev" in ok.received[0]["message"]

    # before the backoff has passed nothing is retried
    assert deliver.deliver_alerts(settings, notifier, now=NOW + timedelta(seconds=30)) == []
    bad.status = 200
    later = deliver.deliver_alerts(settings, notifier, now=NOW + timedelta(seconds=61))
    assert [d.ok for d in later] == [True, True]
    assert len(ok.received) == 1 and len(bad.received) == 2
    with Store.open(settings.resolved_db_url()) as store:
        assert store.delivery_counts() == {"sent": 4}


def test_attempts_run_out_and_the_delivery_is_marked_failed(
    tmp_path: Path, hooks: tuple[WebhookReceiver, WebhookReceiver, str, str]
) -> None:
    _ok, bad, _ok_url, bad_url = hooks
    notify = tmp_path / "notify.yaml"
    notify.write_text(yaml.safe_dump({"urls": [bad_url]}))
    settings = load_settings(
        db_url=f"sqlite:///{tmp_path / 'store.db'}",
        notify_file=notify,
        max_delivery_attempts=2,
        retry_backoff_seconds=0,
    )
    notifier = Notifier.from_file(notify)
    (target,) = notifier.targets()
    with Store.open(settings.resolved_db_url()) as store:
        art = Article("e1", "wire", "https://x/1", None, "t", "text " * 30, "Wire", "page")
        store.record_article(
            art,
            dedup.fingerprint(art.text, canonical_url=None),
            Match(2.5, 1.0, REASONS),
            DedupDecision(None, None, "s-1", True),
            alert=alert(1),
            targets=[(target.key, target.display)],
            now=NOW,
        )
    assert "now pending" in deliver.deliver_alerts(settings, notifier, now=NOW)[0].detail
    assert "now failed" in deliver.deliver_alerts(settings, notifier, now=NOW)[0].detail
    assert deliver.deliver_alerts(settings, notifier, now=NOW) == []
    with Store.open(settings.resolved_db_url()) as store:
        ((_alert, states),) = store.recent_alerts()
        assert states[0]["state"] == "failed" and states[0]["attempts"] == 2


def test_a_target_with_nothing_listening_fails_without_raising() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    notifier = Notifier.from_yaml(yaml.safe_dump({"urls": [f"json://127.0.0.1:{port}/x"]}))
    (target,) = notifier.targets()
    outcome = notifier.send(target, "t", "b")
    assert not outcome.ok and outcome.detail


def test_config_that_loads_nothing_or_is_malformed_is_refused() -> None:
    with pytest.raises(ConfigError, match="notify.yaml:2:"):
        Notifier.from_yaml("urls:\n  - nosuchservice://x\n", path="notify.yaml")
    with pytest.raises(ConfigError, match="no notification target"):
        Notifier.from_yaml("urls: []\n", path="notify.yaml")
    with pytest.raises(ConfigError, match="not valid YAML"):
        Notifier.from_yaml("urls:\n  - [unclosed\n", path="notify.yaml")


def test_secrets_never_show(smtp: tuple[_Mailbox, int]) -> None:
    notifier = Notifier.from_yaml(
        yaml.safe_dump(
            {
                "urls": [
                    "mailtos://alerts:S3cretPassw0rd@smtp.example.org?to=a@example.org",
                    "slack://T00000000/B00000000/SECRETSECRETSECRETSECRET/#news",
                ]
            }
        )
    )
    shown = " ".join(t.display + repr(t) for t in notifier.targets())
    assert "S3cretPassw0rd" not in shown and "SECRETSECRETSECRETSECRET" not in shown


def test_alerts_retry_resends_only_what_did_not_arrive(
    tmp_path: Path, hooks: tuple[WebhookReceiver, WebhookReceiver, str, str]
) -> None:
    from typer.testing import CliRunner

    from newswatch.cli import app

    ok, bad, ok_url, bad_url = hooks
    notify = tmp_path / "notify.yaml"
    notify.write_text(yaml.safe_dump({"urls": [ok_url, bad_url]}))
    db = f"sqlite:///{tmp_path / 'store.db'}"
    settings = load_settings(db_url=db, notify_file=notify, max_delivery_attempts=1)
    notifier = Notifier.from_file(notify)
    with Store.open(db) as store:
        art = Article("e1", "wire", "https://x/1", None, "t", "text " * 30, "Wire", "page")
        store.record_article(
            art,
            dedup.fingerprint(art.text, canonical_url=None),
            Match(2.5, 1.0, REASONS),
            DedupDecision(None, None, "s-1", True),
            alert=alert(1),
            targets=[(t.key, t.display) for t in notifier.targets()],
            now=NOW,
        )
    deliver.deliver_alerts(settings, notifier, now=NOW)  # one target fails for good
    assert len(ok.received) == 1 and len(bad.received) == 1
    bad.status = 200
    runner = CliRunner()
    listing = runner.invoke(app, ["alerts", "--ids", "--db", db], terminal_width=250)
    assert "a-1" in listing.output and "failed" in listing.output
    result = runner.invoke(
        app, ["alerts", "retry", "a-1", "--db", db, "--notify", str(notify)], terminal_width=250
    )
    assert result.exit_code == 0, result.output
    assert len(ok.received) == 1 and len(bad.received) == 2  # only the target that missed it
    again = runner.invoke(app, ["alerts", "retry", "a-1", "--db", db, "--notify", str(notify)])
    assert again.exit_code == 1 and len(bad.received) == 2


def _record_alerts(settings: Any, notifier: Notifier, ns: tuple[int, ...]) -> None:
    with Store.open(settings.resolved_db_url()) as store:
        for n in ns:
            art = Article(
                f"e{n}", "wire", f"https://news.example.org/story/{n}", None, f"t{n}",
                f"text {n} " * 30, "Wire", "page",
            )  # fmt: skip
            store.record_article(
                art,
                dedup.fingerprint(art.text, canonical_url=None),
                Match(2.5, 1.0, REASONS),
                DedupDecision(None, None, f"s-{n}", True),
                alert=alert(n),
                targets=[(t.key, t.display) for t in notifier.targets()],
                now=NOW,
            )


def test_concurrent_senders_claim_disjoint_deliveries(db_url: str) -> None:
    notifier = Notifier.from_yaml(
        yaml.safe_dump({"urls": ["json://127.0.0.1:9/a", "json://127.0.0.1:9/b"]})
    )
    settings = load_settings(db_url=db_url)
    _record_alerts(settings, notifier, tuple(range(1, 31)))
    taken: dict[str, list[tuple[str, str]]] = {}
    barrier = threading.Barrier(3)

    def claim(sender: str) -> None:
        with Store.open(db_url, migrate=False) as store:
            barrier.wait()
            got = store.claim_deliveries(sender, now=NOW, lease=timedelta(minutes=5))
            taken[sender] = [(a.alert_id, key) for a, key, _, _ in got]

    threads = [threading.Thread(target=claim, args=(f"s{i}",)) for i in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    every = [d for ds in taken.values() for d in ds]
    assert len(every) == len(set(every)) == 60  # 30 alerts x 2 targets, each claimed once
    with Store.open(db_url, migrate=False) as store:
        # held while the lease runs; free again once it ran out (the sender died)
        assert store.claim_deliveries("late", now=NOW, lease=timedelta(minutes=5)) == []
        again = store.claim_deliveries(
            "late", now=NOW + timedelta(minutes=6), lease=timedelta(minutes=5)
        )
        assert len(again) == 60


_SENDER = """
import sys
from datetime import datetime
from newswatch.pipeline import config, deliver
from newswatch.pipeline.settings import load_settings
settings = load_settings(db_url=sys.argv[1], notify_file=sys.argv[2])
deliver.deliver_alerts(settings, config.load_notifier(settings), now=datetime.fromisoformat(sys.argv[3]))
"""


def test_a_sender_killed_mid_send_loses_nothing_and_repeats_at_most_the_message_in_flight(
    tmp_path: Path,
) -> None:
    import os
    import signal
    import subprocess
    import sys

    fast, stuck = WebhookReceiver().start(), WebhookReceiver().start()
    stuck.hold()  # the first send hangs until the sender is killed
    try:
        urls = [fast.apprise_url, stuck.apprise_url]
        notify = tmp_path / "notify.yaml"
        notify.write_text(yaml.safe_dump({"urls": urls}))
        db = f"sqlite:///{tmp_path / 'store.db'}"
        settings = load_settings(db_url=db, notify_file=notify)
        _record_alerts(settings, Notifier.from_file(notify), (1, 2, 3))

        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        sender = subprocess.Popen(
            [sys.executable, "-c", _SENDER, db, str(notify), NOW.isoformat()], env=env
        )
        assert stuck.arrived.wait(120), "the stuck target never got the first send"
        os.kill(sender.pid, signal.SIGKILL)  # killed while the send is in flight
        sender.wait(30)
        stuck.release()

        # before the lease ends the next run leaves the in-flight delivery alone ...
        assert deliver.deliver_alerts(settings, config.load_notifier(settings), now=NOW) == []
        # ... and after it, delivers everything that was not delivered
        later = NOW + timedelta(seconds=settings.delivery_lease_seconds + 1)
        outcomes = deliver.deliver_alerts(settings, config.load_notifier(settings), now=later)
        assert outcomes and all(o.ok for o in outcomes)
        with Store.open(db) as store:
            assert store.delivery_counts() == {"sent": 6}
    finally:
        fast.stop()
        stuck.stop()

    # every alert reached both targets; only the message in flight was repeated
    def titles(received: list[dict[str, Any]]) -> list[str]:
        return [f"<b>{n}</b>" for m in received for n in (1, 2, 3) if f"<b>{n}</b>" in m["message"]]

    assert sorted(set(titles(fast.received))) == sorted(set(titles(stuck.received)))
    assert len(set(titles(stuck.received))) == 3
    assert len(fast.received) == 1  # the fast target got its one message, never repeated
    assert len(stuck.received) == 2  # the message in flight, and its repeat
    assert stuck.received[0]["message"] == stuck.received[1]["message"]


# -- policy: digests, quiet hours, hourly caps, routing, templates ------------------


def _record(settings: Any, notifier: Notifier, n: int, *, score: float, story: str, policy: Any,
            source: str = "Steppe Wire", when: datetime = NOW, alerted: bool = True) -> None:  # fmt: skip
    from newswatch.policy import mode_for

    art = Article(
        f"e{n}", "wire", f"https://news.example.org/story/{n}", None, f"t{n}",
        f"text {n} " * 30, source, "page",
    )  # fmt: skip
    a = alert(n)
    a = Alert(**{**a.__dict__, "score": score, "story_id": story, "source": source})
    with Store.open(settings.resolved_db_url()) as store:
        store.claim_entries([], now=when)
        store.record_article(
            art,
            dedup.fingerprint(art.text, canonical_url=None),
            Match(score, 1.0, REASONS),
            DedupDecision(None, None, story, alerted),
            alert=a if alerted else None,
            targets=[
                (t.key, t.display, mode_for(score, policy.for_target(t.tags)))
                for t in notifier.targets()
            ],
            now=when,
        )


def test_a_digest_of_several_stories_arrives_as_one_real_mail_and_one_webhook(
    tmp_path: Path,
    smtp: tuple[_Mailbox, int],
    hooks: tuple[WebhookReceiver, WebhookReceiver, str, str],
) -> None:
    from newswatch.policy import parse_policy

    box, port = smtp
    ok, _bad, ok_url, _ = hooks
    mail_url = f"mailto://127.0.0.1:{port}?from=newswatch@example.org&to=analyst@example.org"
    notify = tmp_path / "notify.yaml"
    notify.write_text(yaml.safe_dump({"urls": [{mail_url: [{"tag": "email"}]}, ok_url]}))
    policy = parse_policy("targets:\n  - tags: ['*']\n    instant_min_score: 100\n")
    settings = load_settings(db_url=f"sqlite:///{tmp_path / 's.db'}", notify_file=notify)
    notifier = Notifier.from_file(notify)
    _record(settings, notifier, 1, score=2.5, story="s-1", policy=policy)
    _record(settings, notifier, 2, score=3.5, story="s-2", policy=policy)
    # a second outlet's write-up joins story 1 (no alert of its own)
    _record(settings, notifier, 3, score=2.0, story="s-1", policy=policy,
            source="Regional Aggregator", alerted=False)  # fmt: skip

    # below instant_min_score: the ingest run sends nothing, the digest sends all of it
    assert deliver.deliver_alerts(settings, notifier, now=NOW, policy=policy) == []
    assert box.messages == [] and ok.received == []
    sent = deliver.send_digest(settings, notifier, now=NOW, policy=policy)
    assert len(sent) == 4 and all(d.ok for d in sent)
    (mail,) = box.messages
    assert mail["Subject"] == "newswatch digest: 2 stories"
    html_part = mail.get_body(preferencelist=("html",))
    text_part = mail.get_body(preferencelist=("plain",))
    assert html_part is not None and text_part is not None
    html = html_part.get_content()
    for n in (1, 2):
        assert f'<a href="https://news.example.org/story/{n}">' in html
    assert "Kazakhstan" in html and "CSTO" in html
    assert "also reported by: Regional Aggregator" in html
    assert "https://news.example.org/story/2" in text_part.get_content()
    (hook,) = ok.received
    assert hook["title"] == "newswatch digest: 2 stories"
    assert "also reported by: Regional Aggregator" in hook["message"]
    # sent once: a second digest has nothing left
    assert deliver.send_digest(settings, notifier, now=NOW, policy=policy) == []
    assert len(box.messages) == 1 and len(ok.received) == 1


def test_quiet_hours_hold_alerts_until_they_end_unless_urgent(
    tmp_path: Path, hooks: tuple[WebhookReceiver, WebhookReceiver, str, str]
) -> None:
    from newswatch.policy import parse_policy

    ok, _bad, ok_url, _ = hooks
    notify = tmp_path / "notify.yaml"
    notify.write_text(yaml.safe_dump({"urls": [ok_url]}))
    policy = parse_policy(
        "targets:\n  - tags: ['*']\n    urgent_score: 9\n"
        "    quiet_hours: {from: '22:00', to: '07:00', timezone: UTC}\n"
    )
    settings = load_settings(db_url=f"sqlite:///{tmp_path / 's.db'}", notify_file=notify)
    notifier = Notifier.from_file(notify)
    night = datetime(2022, 1, 6, 23, 0, tzinfo=UTC)
    _record(settings, notifier, 1, score=2.5, story="s-1", policy=policy, when=night)
    _record(settings, notifier, 2, score=9.5, story="s-2", policy=policy, when=night)

    first = deliver.deliver_alerts(settings, notifier, now=night, policy=policy)
    assert {(d.alert_id, d.state) for d in first} == {("a-1", "waiting"), ("a-2", "sent")}
    assert len(ok.received) == 1 and "<b>2</b>" in ok.received[0]["message"]
    dawn = datetime(2022, 1, 7, 6, 59, tzinfo=UTC)
    assert deliver.deliver_alerts(settings, notifier, now=dawn, policy=policy) == []
    morning = datetime(2022, 1, 7, 7, 0, tzinfo=UTC)
    later = deliver.deliver_alerts(settings, notifier, now=morning, policy=policy)
    assert [(d.alert_id, d.state) for d in later] == [("a-1", "sent")]
    assert len(ok.received) == 2 and "<b>1</b>" in ok.received[1]["message"]
    with Store.open(settings.resolved_db_url()) as store:
        assert store.delivery_counts() == {"sent": 2}  # waiting was never an attempt


def test_over_the_hourly_cap_alerts_wait_for_the_digest_and_are_never_dropped(
    tmp_path: Path, hooks: tuple[WebhookReceiver, WebhookReceiver, str, str]
) -> None:
    from newswatch.policy import parse_policy

    ok, _bad, ok_url, _ = hooks
    notify = tmp_path / "notify.yaml"
    notify.write_text(yaml.safe_dump({"urls": [ok_url]}))
    policy = parse_policy("targets:\n  - tags: ['*']\n    max_per_hour: 1\n")
    settings = load_settings(db_url=f"sqlite:///{tmp_path / 's.db'}", notify_file=notify)
    notifier = Notifier.from_file(notify)
    _record(settings, notifier, 1, score=2.5, story="s-1", policy=policy)
    assert [
        d.state for d in deliver.deliver_alerts(settings, notifier, now=NOW, policy=policy)
    ] == ["sent"]
    t2 = NOW + timedelta(minutes=10)
    _record(settings, notifier, 2, score=2.5, story="s-2", policy=policy, when=t2)
    _record(settings, notifier, 3, score=2.5, story="s-3", policy=policy, when=t2)
    capped = deliver.deliver_alerts(settings, notifier, now=t2, policy=policy)
    assert {(d.alert_id, d.state) for d in capped} == {("a-2", "digest"), ("a-3", "digest")}
    assert len(ok.received) == 1
    # an hour later new instant alerts flow again; the capped ones stay for the digest
    digest = deliver.send_digest(settings, notifier, now=t2 + timedelta(minutes=5), policy=policy)
    assert sorted(d.alert_id for d in digest if d.ok) == ["a-2", "a-3"]
    assert len(ok.received) == 2 and ok.received[1]["title"] == "newswatch digest: 2 stories"
    with Store.open(settings.resolved_db_url()) as store:
        assert store.delivery_counts() == {"sent": 3}


def test_routes_and_templates_decide_who_gets_what_and_how(
    tmp_path: Path, hooks: tuple[WebhookReceiver, WebhookReceiver, str, str]
) -> None:
    from newswatch.models import Profile, ProfileTerm
    from newswatch.policy import parse_policy

    ok, other, ok_url, other_url = hooks
    other.status = 200
    notify = tmp_path / "notify.yaml"
    notify.write_text(
        yaml.safe_dump({"urls": [{ok_url: [{"tag": "desk"}]}, {other_url: [{"tag": "ops"}]}]})
    )
    policy = parse_policy(
        "routes:\n  default: [desk]\n"
        "targets:\n  - tags: [desk]\n    format: text\n"
        "    title: 'NEWS {score}: {title}'\n    item: '{title} | {source} | {terms} | {url}'\n"
    )
    settings = load_settings(db_url=f"sqlite:///{tmp_path / 's.db'}", notify_file=notify)
    notifier = Notifier.from_file(notify)
    profile = Profile(
        "default",
        (
            ProfileTerm("kazahstan", "Kazakhstan", "entity", 1.0, ("Kazakhstan",)),
            ProfileTerm("protest", "protests", "keyword", 0.5, ("protests",)),
        ),
        0.5,
        "test",
    )
    art = Article(
        "e9", "wire", "https://news.example.org/story/9", None,
        "Protests spread across Kazakhstan", "Protests spread across Kazakhstan. " * 3,
        "Steppe Wire", "page",
    )  # fmt: skip
    with Store.open(settings.resolved_db_url()) as store:
        store.claim_entries([], now=NOW)
    inputs = RunInputs(settings, (), profile, policy, tuple(notifier.targets()))
    _, alerts = decide.decide_articles([art], inputs, now=NOW)
    assert len(alerts) == 1
    sent = deliver.deliver_alerts(settings, notifier, now=NOW, policy=policy)
    assert [d.state for d in sent] == ["sent"]
    assert other.received == []  # the profile routes to 'desk' only
    (msg,) = ok.received
    assert msg["title"].startswith("NEWS ") and "Protests spread across Kazakhstan" in msg["title"]
    assert msg["message"] == (
        "Protests spread across Kazakhstan | Steppe Wire | "
        f"{', '.join(r.label for r in alerts[0].reasons)} | https://news.example.org/story/9"
    )


def test_a_token_in_an_apprise_url_shows_nowhere(tmp_path: Path) -> None:
    # A webhook whose URL carries a password, failing (nothing listens): its outcome is
    # stored, listed, summarised and shown by notify-test, and the secret is in none of it.
    from sqlalchemy import text as sql
    from typer.testing import CliRunner

    from newswatch.cli import app
    from newswatch.policy import Policy
    from newswatch.report import summary_markdown, summary_to_dict

    secret = "T0kenS3cretValue"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    notify = tmp_path / "notify.yaml"
    notify.write_text(yaml.safe_dump({"urls": [f"json://user:{secret}@127.0.0.1:{dead_port}/x"]}))
    db = f"sqlite:///{tmp_path / 's.db'}"
    settings = load_settings(db_url=db, notify_file=notify)
    notifier = Notifier.from_file(notify)
    _record(settings, notifier, 1, score=2.5, story="s-1", policy=Policy())
    outcomes = deliver.deliver_alerts(settings, notifier, now=NOW)
    assert outcomes and not outcomes[0].ok

    from newswatch.models import RunSummary

    summary = RunSummary(started=NOW, deliveries=outcomes)
    shown = [json.dumps(summary_to_dict(summary)), summary_markdown(summary)]
    runner = CliRunner()
    shown.append(runner.invoke(app, ["alerts", "--db", db], terminal_width=300).output)
    shown.append(runner.invoke(app, ["notify-test", "--notify", str(notify)]).output)
    shown.append(runner.invoke(app, ["run", "--help"]).output)
    with Store.open(db) as store, store.engine.connect() as conn:
        for table in ("deliveries", "alerts"):
            shown.extend(str(row) for row in conn.execute(sql(f"SELECT * FROM {table}")))
    everything = "\n".join(shown)
    assert "user:" in everything or "json://" in everything  # the target is shown ...
    assert secret not in everything  # ... in its privacy form only


def test_a_receiver_that_times_out_fails_that_delivery_only(
    tmp_path: Path, hooks: tuple[WebhookReceiver, WebhookReceiver, str, str]
) -> None:
    # Apprise's read timeout (rto, seconds) on the URL; the receiver answers too late.
    ok, _bad, ok_url, _ = hooks
    slow = WebhookReceiver().start()
    slow.hold()  # answers only after Apprise's read timeout
    try:
        slow_url = slow.apprise_url + "?rto=1&cto=1"
        notify = tmp_path / "notify.yaml"
        notify.write_text(yaml.safe_dump({"urls": [ok_url, slow_url]}))
        settings = load_settings(db_url=f"sqlite:///{tmp_path / 's.db'}", notify_file=notify)
        notifier = Notifier.from_file(notify)
        _record_alerts(settings, notifier, (1,))
        outcomes = deliver.deliver_alerts(settings, notifier, now=NOW)
    finally:
        slow.stop()
    by_ok = sorted((o.ok, o.state) for o in outcomes)
    assert by_ok == [(False, "pending"), (True, "sent")]
    assert len(ok.received) == 1
    with Store.open(settings.resolved_db_url()) as store:
        assert store.delivery_counts() == {"pending": 1, "sent": 1}


def test_the_alerts_listing_shows_targets_without_their_query_and_ids_whole(
    tmp_path: Path,
) -> None:
    from typer.testing import CliRunner

    from newswatch.cli import app

    notify = tmp_path / "notify.yaml"
    notify.write_text("urls:\n  - json://127.0.0.1:9/hook?rto=1&cto=1&token=s3cret\n")
    settings = load_settings(db_url=f"sqlite:///{tmp_path / 's.db'}", notify_file=notify)
    _record_alerts(settings, Notifier.from_file(notify), (1, 2))
    result = CliRunner().invoke(
        app, ["alerts", "--ids", "--db", settings.resolved_db_url()], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    assert "pending" in result.output and "json://" in result.output
    assert "?" not in result.output and "s3cret" not in result.output  # no query string
    from newswatch.cli.alerts import short_target

    assert short_target("json://127.0.0.1:9/hook?rto=1&token=x") == "json://127.0.0.1:9/hook"
    with Store.open(settings.resolved_db_url()) as store:
        ids = [a.alert_id for a, _ in store.recent_alerts()]
    for alert_id in ids:  # each id on one line, never folded
        assert any(alert_id in line for line in result.output.splitlines()), result.output
