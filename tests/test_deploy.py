"""deploy/ is checked as far as this machine allows: no Docker engine and no cluster run here,
so the compose file and the Helm values are checked for structure and for pointing at files
and settings that exist; `make serve` is run for real against a local Prefect server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"


def test_compose_file_wires_postgres_server_worker_and_deployments() -> None:
    spec = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = spec["services"]
    assert {"postgres", "prefect-server", "register", "worker"} <= set(services)
    for name, service in services.items():
        for dep in service.get("depends_on", {}):
            assert dep in services, (name, dep)
        build = service.get("build")
        if build:
            assert (DEPLOY / build["context"] / build["dockerfile"]).is_file()
    for mount in services["postgres"]["volumes"]:
        source = mount.split(":")[0]
        assert source in spec["volumes"] or (DEPLOY / source).is_file(), mount
    assert services["prefect-server"]["image"].startswith("prefecthq/prefect:3.8.8")
    worker = services["worker"]
    assert worker["environment"]["NEWSWATCH_DB_URL"].startswith("postgresql+psycopg://")
    assert "--pool" in worker["command"] and "newswatch" in worker["command"]
    assert "deploy/prefect.yaml" in " ".join(services["register"]["command"])
    # the UI is bound to loopback, and secrets come from files kept out of git
    assert all(p.startswith("127.0.0.1:") for p in services["prefect-server"]["ports"])
    ignored = (DEPLOY / ".gitignore").read_text().split()
    assert {"compose.env", "notify.yaml"} <= set(ignored)
    assert (DEPLOY / "compose.env.example").is_file()


# The keys of the prefect-worker chart's values.schema.json (worker section) that we set.
_CHART_WORKER_KEYS = {
    "apiConfig",
    "serverApiConfig",
    "config",
    "image",
    "replicaCount",
    "resources",
    "extraEnvVars",
    "extraEnvVarsSecret",
    "extraVolumes",
    "extraVolumeMounts",
}


def test_helm_values_use_the_worker_charts_keys() -> None:
    values = yaml.safe_load(
        (DEPLOY / "kubernetes" / "prefect-worker-values.yaml").read_text(encoding="utf-8")
    )
    worker = values["worker"]
    assert set(worker) <= _CHART_WORKER_KEYS
    assert worker["apiConfig"] == "server"
    assert worker["config"] == {"workPool": "newswatch", "type": "process"}
    assert set(worker["image"]) <= {"repository", "prefectTag", "pullPolicy", "pullSecrets"}
    names = {e["name"] for e in worker["extraEnvVars"]}
    assert {"DO_NOT_TRACK", "NEWSWATCH_HOME", "NEWSWATCH_NOTIFY_FILE"} <= names
    mounts = {m["name"] for m in worker["extraVolumeMounts"]}
    assert mounts == {v["name"] for v in worker["extraVolumes"]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_make_serve_starts_a_local_server_and_serves_the_deployments(tmp_path: Path) -> None:
    port = _free_port()
    # a feeds file on loopback and a schedule that does not come round during the test:
    # nothing may reach beyond this machine
    (tmp_path / "feeds.yaml").write_text("feeds:\n  - {name: local, url: 'http://127.0.0.1:9/x'}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(tmp_path / "prefect"),
        NEWSWATCH_PREFECT_PORT=str(port),
        NEWSWATCH_FEEDS_FILE=str(tmp_path / "feeds.yaml"),
        NEWSWATCH_SCHEDULE_CRON="0 3 29 2 *",
        NEWSWATCH_DATA_DIR=str(tmp_path / "data"),
    )
    proc = subprocess.Popen(
        ["make", "-s", "serve"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    api = f"http://127.0.0.1:{port}/api"
    try:
        names: set[str] = set()
        for _ in range(360):
            if proc.poll() is not None:
                break
            try:
                got = httpx.post(f"{api}/deployments/filter", json={}, timeout=2)
                names = {d["name"] for d in got.json()} if got.status_code == 200 else set()
            except httpx.TransportError:
                pass
            if {"newswatch-ingest", "newswatch-digest", "newswatch-learn"} <= names:
                break
            time.sleep(0.5)
        assert {"newswatch-ingest", "newswatch-digest", "newswatch-learn"} <= names, names
        ingest = next(
            d
            for d in httpx.post(f"{api}/deployments/filter", json={}).json()
            if d["name"] == "newswatch-ingest"
        )
        assert ingest["schedules"][0]["schedule"]["cron"] == "0 3 29 2 *"
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            output, _ = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            output, _ = proc.communicate()
    assert b"UI: http://127.0.0.1:" in output
