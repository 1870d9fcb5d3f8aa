"""newswatch on a real Prefect server: deployments, a worker, and runs at once on PostgreSQL.

A real `prefect server start` on 127.0.0.1 (its own PREFECT_HOME and SQLite), the
deployments of `deploy/prefect.yaml` created with `prefect deploy`, a real process worker,
and everything checked through the server's REST API, as the UI would show it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from newswatch.cli.demo import load_items
from tests.support.prefect_server import BIN, api_client, prefect_server
from tests.support.webhook import WebhookReceiver

REPO = Path(__file__).resolve().parents[2]
DEMO_ITEMS = len(load_items(REPO / "seeds")[1])  # the site fixture serves the demo's items
pytestmark = pytest.mark.slow


def _env(home: Path, api: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(home),
        DO_NOT_TRACK="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_UI_ENABLED="false",
        NEWSWATCH_HOME=str(REPO),
        NEWSWATCH_SEEDS_DIR=str(REPO / "seeds"),
    )
    if api:
        env["PREFECT_API_URL"] = api
    return env


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A real Prefect server on 127.0.0.1; yields its API URL and its PREFECT_HOME."""
    home = tmp_path_factory.mktemp("prefect-home")
    with prefect_server(home, _env(home)) as api:
        yield api, home


def _cli(args: list[str], env: dict[str, str], timeout: int = 300) -> str:
    done = subprocess.run(args, env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-3000:])
    return done.stdout


def test_deployments_run_on_a_worker_and_show_in_the_api(
    server: tuple[str, Path], site: Path
) -> None:
    api, home = server
    env = _env(home, api)
    prefect = str(BIN / "prefect")
    _cli([prefect, "work-pool", "create", "newswatch", "--type", "process"], env)
    _cli([prefect, "--no-prompt", "deploy", "--prefect-file", "deploy/prefect.yaml", "--all"], env)

    client = api_client(api)
    deployments = {
        d["name"]: d for d in client.post("/deployments/filter", json={}).raise_for_status().json()
    }
    assert {"newswatch-ingest", "newswatch-digest", "newswatch-learn"} <= set(deployments)
    ingest = deployments["newswatch-ingest"]
    assert [s["schedule"]["cron"] for s in ingest["schedules"]] == ["*/15 * * * *"]
    digest = deployments["newswatch-digest"]
    assert [s["schedule"]["cron"] for s in digest["schedules"]] == ["0 8 * * *"]
    assert deployments["newswatch-learn"]["schedules"] == []

    params = {
        "settings": {
            "feeds_file": str(site / "feeds.yaml"),
            "config_dir": str(site),  # no notify.yaml there: no targets
            "profile_file": str(site / "profile.yaml"),
            "seeds_dir": str(REPO / "seeds"),
            "db_url": f"sqlite:///{site / 'store.db'}",
        }
    }
    run = (
        client.post(f"/deployments/{ingest['id']}/create_flow_run", json={"parameters": params})
        .raise_for_status()
        .json()
    )
    # A real process worker takes the run, executes it in a subprocess, and exits.
    _cli([prefect, "worker", "start", "--pool", "newswatch", "--run-once"], env, timeout=600)

    flow_run = client.get(f"/flow_runs/{run['id']}").raise_for_status().json()
    assert flow_run["state"]["type"] == "COMPLETED", flow_run["state"]
    only_this_run = {"flow_runs": {"id": {"any_": [run["id"]]}}}
    tasks = client.post("/task_runs/filter", json=only_this_run).raise_for_status().json()
    names = [t["name"] for t in tasks]
    feeds = yaml.safe_load((site / "feeds.yaml").read_text())["feeds"]
    assert sum(n.startswith("poll ") for n in names) == len(feeds), names  # a task run per feed
    for stage in ("extract-batch", "decide-articles", "deliver-alerts"):
        assert any(n.startswith(stage) for n in names), (stage, names)
    assert all(t["state"]["type"] == "COMPLETED" for t in tasks)
    logs = client.post(
        "/logs/filter", json={"logs": {"flow_run_id": {"any_": [run["id"]]}}}
    ).raise_for_status()
    messages = [entry["message"] for entry in logs.json()]
    assert any(f"feeds {len(feeds)} (1 failed)" in m for m in messages), messages[-20:]
    artifacts = client.post(
        "/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [run["id"]]}}}
    ).raise_for_status()
    by_key = {a["key"]: a for a in artifacts.json()}
    assert {"ingest-summary", "ingest-alerts"} <= set(by_key)
    assert "Tokayev" in by_key["ingest-summary"]["data"] or "CSTO" in json.dumps(
        by_key["ingest-alerts"]["data"]
    )


def test_three_runs_at_once_alert_each_story_exactly_once(
    server: tuple[str, Path], site: Path, db_url: str
) -> None:
    # On PostgreSQL (row locks, an advisory lock) and on SQLite (one writer at a time,
    # a file lock): three `newswatch run` processes, the same feeds, the same store.
    from newswatch.adapters.store import Store
    from newswatch.pipeline import profiles
    from newswatch.pipeline.settings import load_settings

    api, home = server
    receiver = WebhookReceiver().start()
    try:
        hook = receiver.apprise_url
        (site / "notify.yaml").write_text(yaml.safe_dump({"urls": [hook]}))
        profile = site / "profile.yaml"
        profiles.learn(load_settings(profile_file=profile, seeds_dir=REPO / "seeds"))
        args = [
            *(sys.executable, "-m", "newswatch", "run", "--json"),
            *("--feeds", str(site / "feeds.yaml"), "--notify", str(site / "notify.yaml")),
            *("--profile", str(profile), "--db", db_url),
        ]
        runs = [
            subprocess.Popen(
                args, env=_env(home, api), cwd=site, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            for _ in range(3)
        ]
        outputs = [r.communicate(timeout=600) for r in runs]
        for r, (_, stderr) in zip(runs, outputs, strict=True):
            assert r.returncode == 0, stderr.decode()[-3000:]
        summaries = [json.loads(stdout) for stdout, _ in outputs]
        messages = receiver.messages()
    finally:
        receiver.stop()

    with Store.open(db_url) as store:
        alerts = store.recent_alerts(limit=1000)
        assert store.unfinished_entries() == []  # no entry lost
        assert store.count("articles") == store.count("entries") == DEMO_ITEMS
    titles = [alert.title for alert, _ in alerts]
    assert len(titles) >= 4 and len(set(titles)) == len(titles)
    # every run saw the feeds; together they decided each entry once and alerted each story once
    assert sum(s["counts"]["new_entries"] for s in summaries) == DEMO_ITEMS
    assert sum(s["counts"]["alerts"] for s in summaries) == len(alerts)
    for title in titles:
        assert sum(title in m for m in messages) == 1, (title, len(messages))
    assert all(d["state"] == "sent" for _, dels in alerts for d in dels)
