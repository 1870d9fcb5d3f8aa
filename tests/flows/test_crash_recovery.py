"""A run killed at any moment loses no alert and repeats at most what was in flight.

Real `newswatch run` processes on one store, the demo feeds and pages on 127.0.0.1, and a
real JSON webhook that Apprise delivers to. Each attempt is killed with SIGKILL (its whole
process group, as a container is killed) at a moment drawn from a fixed seed: a uniform
fraction of the time a clean run spends from its first feed request to its last message
(startup alone proves nothing), or, in half the attempts, within the moment the webhook
takes to answer a message (the in-flight window). Ten kills in a row, then one run to
the end; attempts that end before their kill moment do not count as kills.

Importing newswatch's flow costs ~14 s of CPU per process (Prefect, trafilatura, ...),
and a per-process ephemeral Prefect server as much again: twelve runs would take many
minutes. So each run is forked from one process that has already imported them (a
zygote, as a fork server does), runs `newswatch run` as the CLI does, and reports
to this session's Prefect API. Between attempts the leases a killed run held are
aged past their end, as the next scheduled run after `entry_lease_minutes` /
`delivery_lease_seconds` finds them.

Expected, compared with a clean run of the same feeds on a fresh store:
- no alert lost: every story the clean run alerted reached the webhook at least once
  (the crashed store may pick a different article of that story to alert with: when a
  kill splits an original and its re-post over two runs, the first decided starts it);
- nothing repeated except in flight: one webhook message per target per sending batch,
  so each kill repeats at most the one message it interrupted between the webhook's
  answer and the delivery's commit. Hence, per story, copies received <= 1 + kills, and
  messages that repeat an already received story <= kills.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from select import select as wait_readable
from typing import Any

import pytest
import yaml
from sqlalchemy import select, update

from newswatch.adapters import schema as t
from newswatch.adapters.store import Store
from newswatch.cli.demo import feed_xml, load_items, page_html
from tests.support.httpserver import Answer, Handler, LocalHTTPServer, RecordedRequest
from tests.support.webhook import WebhookReceiver

REPO = Path(__file__).resolve().parents[2]
KILLS = 10
SEED = 16
ANSWER_SECONDS = 0.3
MAX_ATTEMPTS = 3 * KILLS  # attempts that ended before their kill moment do not count
pytestmark = pytest.mark.slow


@dataclass
class _World:
    """The feed site (with the time of each feed request) and the webhook's messages."""

    folder: Path
    feed_requests: list[float] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    message_times: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_World]:
    folder = tmp_path_factory.mktemp("crash")
    state = _World(folder)
    feeds_spec, items = load_items(REPO / "seeds")

    def feed_answer(body: bytes) -> Handler:
        def answer(_request: RecordedRequest) -> Answer:
            with state.lock:
                state.feed_requests.append(time.monotonic())
            return Answer(body=body, headers={"Content-Type": "application/rss+xml"})

        return answer

    # a webhook that takes a moment to answer: the window where a kill leaves a message
    # received but its delivery not yet marked sent
    with LocalHTTPServer() as site, WebhookReceiver(answer_seconds=ANSWER_SECONDS) as hook:
        state.messages = hook.received  # the receiver appends to the world's lists
        state.message_times = hook.times
        base = site.url("").rstrip("/")
        for item in items:
            if item.serve_page:
                site.add(
                    item.path.split("?")[0],
                    page_html(item, base).encode(),
                    headers={"Content-Type": "text/html; charset=utf-8"},
                )
        feeds = []
        for feed in feeds_spec:
            site.handle(feed["path"], feed_answer(feed_xml(feed, items, base).encode()))
            feeds.append({"name": feed["name"], "url": base + feed["path"]})
        (folder / "feeds.yaml").write_text(yaml.safe_dump({"feeds": feeds}))
        (folder / "notify.yaml").write_text(yaml.safe_dump({"urls": [hook.apprise_url]}))
        # the shipped profile (learned from seeds/): learning is not what this test is about
        (folder / "profile.yaml").write_bytes((REPO / "config" / "profile.yaml").read_bytes())
        yield state


@dataclass(frozen=True)
class _Reference:
    """What a clean run alerts (article ids), and how long it took from its first feed
    request to its last message."""

    alerted: frozenset[str]
    work_seconds: float


@pytest.fixture(scope="module")
def reference(world: _World, runs: _Runs) -> _Reference:
    url = f"sqlite:///{world.folder / 'reference.db'}"
    with world.lock:
        world.feed_requests.clear()
        world.messages.clear()
    runs.start(url, "reference")
    assert runs.exit_code(600) == 0, _log(world, "reference")
    # kills are drawn from the first feed request to just after the last message: the
    # span where a run polls, extracts, decides and delivers
    ended = world.message_times[-1] + 0.5
    with Store.open(url, migrate=False) as store, store.engine.connect() as conn:
        alerted = frozenset(conn.execute(select(t.alerts.c.article_id)).scalars())
    assert len(alerted) >= 4  # the demo feeds hold several on-topic stories
    return _Reference(alerted, ended - world.feed_requests[0])


def test_runs_killed_at_random_moments_lose_no_alert_and_repeat_only_in_flight(
    world: _World, runs: _Runs, reference: _Reference, db_url: str
) -> None:
    rng = random.Random(SEED)
    with world.lock:
        world.messages.clear()
        world.message_times.clear()
    kills, attempts = 0, 0
    while kills < KILLS and attempts < MAX_ATTEMPTS:
        attempts += 1
        with world.lock:
            world.feed_requests.clear()
        pid = runs.start(db_url, f"attempt-{attempts}")
        if rng.random() < 0.5:  # at a moment of the work: polling, extracting, deciding
            code = _kill_after_first_feed_request(
                runs, pid, rng.uniform(0.0, 1.0) * reference.work_seconds
            )
        else:  # while a message is in flight (ends by itself when there is nothing to send)
            code = _kill_when_a_message_arrives(runs, pid, rng.uniform(0.0, ANSWER_SECONDS))
        if code is None:
            kills += 1
        else:
            assert code == 0, _log(world, f"attempt-{attempts}")
        _age_leases(db_url)
    assert kills == KILLS, f"only {kills} of {attempts} attempts were killed before they ended"

    runs.start(db_url, "final")
    assert runs.exit_code(600) == 0, _log(world, "final")

    with Store.open(db_url, migrate=False) as store, store.engine.connect() as conn:
        story_of = dict(conn.execute(select(t.articles.c.article_id, t.articles.c.story_id)).all())
        alerts = conn.execute(select(t.alerts.c.story_id, t.alerts.c.payload)).all()
        states = store.delivery_counts()
    url_of_story = {story: json.loads(payload)["url"] for story, payload in alerts}
    assert states == {"sent": len(alerts)}  # nothing left pending, nothing failed

    received = _received_urls(world.messages)
    # no alert lost: each story the clean run alerted is a story here, and it arrived
    for article_id in reference.alerted:
        story = story_of.get(article_id)
        assert story in url_of_story, f"{article_id}: decided as no alerted story ({story})"
        assert received.count(url_of_story[story]) >= 1, f"{story} never reached the webhook"
    # one alert per story: the kills made no story alert twice
    assert len(url_of_story) == len(set(url_of_story.values())) == len(reference.alerted)
    # repeats: only the message in flight at each kill
    for story, link in url_of_story.items():
        assert received.count(link) <= 1 + KILLS, story
    repeating, seen = 0, set()
    for message in world.messages:
        links = set(_links(message)) & set(url_of_story.values())
        repeating += bool(links & seen)
        seen |= links
    assert repeating <= KILLS
    print(  # the figures behind the bound, shown with `pytest -s`
        f"{kills} kills in {attempts} attempts; {len(world.messages)} messages, "
        f"{repeating} repeating a story; {len(url_of_story)} stories; "
        f"most copies of one story: {max(received.count(u) for u in url_of_story.values())}"
    )


_ZYGOTE = r"""
import json, os, sys
import newswatch.flows.ingest, newswatch.cli  # the expensive imports, done once
from newswatch.cli import app

for line in sys.stdin:
    job = json.loads(line)
    pid = os.fork()
    if pid == 0:
        os.setsid()  # its own process group, killed as one
        log = os.open(job["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(log, 1)
        os.dup2(log, 2)
        try:
            app(job["args"], prog_name="newswatch")
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            import traceback
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    print(json.dumps({"pid": pid}), flush=True)
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"code": os.waitstatus_to_exitcode(status)}), flush=True)
"""


class _Runs:
    """Starts `newswatch run` processes forked from one pre-imported interpreter."""

    def __init__(self, world: _World) -> None:
        from prefect.settings import PREFECT_API_URL

        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NEWSWATCH_"))}
        env.update(
            NEWSWATCH_SEEDS_DIR=str(REPO / "seeds"),
            PREFECT_API_URL=str(PREFECT_API_URL.value()),  # this session's test server
            PREFECT_HOME=str(world.folder / "prefect"),
            DO_NOT_TRACK="1",
        )
        self.world = world
        self.zygote = subprocess.Popen(
            [sys.executable, "-c", _ZYGOTE],
            env=env,
            cwd=world.folder,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def start(self, db_url: str, name: str) -> int:
        """Fork one `newswatch run` on `db_url`; returns its pid (also its process group)."""
        args = ["run", "--all", "--json"]
        for flag, file in (("--feeds", "feeds"), ("--notify", "notify"), ("--profile", "profile")):
            args += [flag, str(self.world.folder / f"{file}.yaml")]
        args += ["--db", db_url]
        job = {"args": args, "log": str(self.world.folder / f"{name}.log")}
        assert self.zygote.stdin is not None and self.zygote.stdout is not None
        self.zygote.stdin.write(json.dumps(job) + "\n")
        self.zygote.stdin.flush()
        return int(json.loads(self.zygote.stdout.readline())["pid"])

    def exit_code(self, timeout: float) -> int | None:
        """The running run's exit code once it ended, or None if still running after `timeout`."""
        assert self.zygote.stdout is not None
        ready, _, _ = wait_readable([self.zygote.stdout], [], [], max(0.0, timeout))
        if not ready:
            return None
        return int(json.loads(self.zygote.stdout.readline())["code"])

    def close(self) -> None:
        assert self.zygote.stdin is not None
        self.zygote.stdin.close()
        self.zygote.wait(timeout=60)


@pytest.fixture(scope="module")
def runs(world: _World) -> Iterator[_Runs]:
    zygote = _Runs(world)
    yield zygote
    zygote.close()


def _kill_after_first_feed_request(runs: _Runs, pid: int, delay: float) -> int | None:
    """SIGKILL the run `delay` seconds after it first asked for a feed.

    Returns None when it was killed, else the exit code it ended with first."""
    deadline = time.monotonic() + 300
    first = None
    while first is None and time.monotonic() < deadline:
        if (code := runs.exit_code(0.02)) is not None:
            return code
        with runs.world.lock:
            first = runs.world.feed_requests[0] if runs.world.feed_requests else None
    assert first is not None, "the run never asked for a feed"
    if (code := runs.exit_code(first + delay - time.monotonic())) is not None:
        return code
    os.killpg(pid, signal.SIGKILL)
    assert runs.exit_code(30) == -signal.SIGKILL
    return None


def _kill_when_a_message_arrives(runs: _Runs, pid: int, delay: float) -> int | None:
    """SIGKILL the run `delay` seconds after the webhook received its next message.

    Returns None when it was killed, else the exit code it ended with first."""
    with runs.world.lock:
        before = len(runs.world.message_times)
    arrived = None
    while arrived is None:
        if (code := runs.exit_code(0.01)) is not None:
            return code
        with runs.world.lock:
            if len(runs.world.message_times) > before:
                arrived = runs.world.message_times[before]
    if (code := runs.exit_code(arrived + delay - time.monotonic())) is not None:
        return code
    os.killpg(pid, signal.SIGKILL)
    assert runs.exit_code(30) == -signal.SIGKILL
    return None


def _age_leases(db_url: str) -> None:
    """Let the leases a killed run held run out (as they do by the next scheduled run)."""
    past = datetime.now(UTC) - timedelta(days=1)
    with Store.open(db_url) as store, store.engine.begin() as conn:
        conn.execute(
            update(t.entries)
            .where(t.entries.c.claimed_until.is_not(None))
            .values(claimed_until=past)
        )
        conn.execute(
            update(t.deliveries)
            .where(t.deliveries.c.claimed_until.is_not(None))
            .values(claimed_until=past)
        )


_URL = re.compile(r"https?://[^\s<>\"')\]]+")


def _links(message: dict[str, Any]) -> list[str]:
    return _URL.findall(f"{message.get('title', '')}\n{message.get('message', '')}")


def _received_urls(messages: list[dict[str, Any]]) -> list[str]:
    """Every alert link of every message, once per message (a message may link twice)."""
    return [link for m in messages for link in set(_links(m))]


def _log(world: _World, name: str) -> str:
    return (world.folder / f"{name}.log").read_text(errors="replace")[-3000:]
