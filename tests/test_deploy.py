"""deploy/ is checked as far as this machine allows: no Docker engine and no cluster run here,
so the compose file and the Helm values are checked for structure and for pointing at files
and settings that exist; `make serve` is run for real against a local Prefect server."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from newswatch.pipeline.settings import Settings
from tests.support.prefect_server import api_client

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"


def _compose() -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    return spec


def _locked_version(package: str) -> str:
    lock = tomllib.loads((REPO / "uv.lock").read_text(encoding="utf-8"))
    (version,) = [p["version"] for p in lock["package"] if p["name"] == package]
    return str(version)


def test_compose_file_wires_postgres_server_worker_and_deployments() -> None:
    spec = _compose()
    services = spec["services"]
    assert {"postgres", "prefect-server", "register", "worker"} <= set(services)
    for name, service in services.items():
        for dep in service.get("depends_on", {}):
            assert dep in services, (name, dep)
        build = service.get("build")
        if build:
            assert (DEPLOY / build["context"] / build["dockerfile"]).is_file()
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            assert source in spec["volumes"] or (DEPLOY / source).is_file(), (name, mount)
    # the server runs the Prefect release the workers have
    server_image = services["prefect-server"]["image"]
    assert server_image.startswith(f"prefecthq/prefect:{_locked_version('prefect')}-"), server_image
    worker = services["worker"]
    assert worker["environment"]["NEWSWATCH_DB_URL"].startswith("postgresql+psycopg://")
    assert "--pool" in worker["command"] and "newswatch" in worker["command"]
    register = " ".join(services["register"]["command"])
    assert (
        "deploy/prefect.yaml" in register and "deploy/seed-volume.sh /var/lib/newswatch" in register
    )
    # the UI is bound to loopback, and secrets come from files kept out of git
    assert all(p.startswith("127.0.0.1:") for p in services["prefect-server"]["ports"])
    ignored = (DEPLOY / ".gitignore").read_text().split()
    assert {"compose.env", "notify.yaml"} <= set(ignored)
    assert (DEPLOY / "compose.env.example").is_file()


def test_compose_never_pulls_the_locally_built_image() -> None:
    services = _compose()["services"]
    built = {s["image"] for s in services.values() if "build" in s}
    assert built == {"newswatch-worker:latest"}
    users = {name: s for name, s in services.items() if s.get("image") in built}
    assert {"register", "worker"} <= set(users)
    for name, service in users.items():
        expected = "build" if "build" in service else "never"
        assert service.get("pull_policy") == expected, name


def test_compose_workers_share_one_config_volume() -> None:
    spec = _compose()
    for name in ("register", "worker"):
        service = spec["services"][name]
        assert "newswatch:/var/lib/newswatch" in service["volumes"], name
        env = service["environment"]
        for setting in ("CONFIG_DIR", "SEEDS_DIR", "DATA_DIR"):
            assert env[f"NEWSWATCH_{setting}"].startswith("/var/lib/newswatch/"), (name, setting)
    assert "newswatch" in spec["volumes"]


def test_compose_keeps_the_database_password_out_of_urls() -> None:
    """A password with @, :, / or % in it would break a URL it is pasted into: newswatch
    gets it through libpq's PGPASSWORD, the Prefect server through its own password
    setting, from which it builds an escaped URL."""
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    assert not re.search(r"://[^\s]*\$\{POSTGRES_PASSWORD", text)
    services = _compose()["services"]
    for name in ("register", "worker"):
        env = services[name]["environment"]
        assert (
            "@" in env["NEWSWATCH_DB_URL"]
            and ":" not in env["NEWSWATCH_DB_URL"].split("://")[1].split("@")[0]
        ), name
        assert env["PGPASSWORD"].startswith("${POSTGRES_PASSWORD"), name


def test_compose_prefect_server_builds_an_escaped_database_url() -> None:
    password = "p@ss:w/o%rd#1 ?"
    env_spec = _compose()["services"]["prefect-server"]["environment"]
    assert not any(k.endswith("CONNECTION_URL") for k in env_spec)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({k: str(v).replace("${POSTGRES_PASSWORD}", password) for k, v in env_spec.items()})
    probe = (
        "from prefect.settings import get_current_settings;"
        "from sqlalchemy.engine import make_url;"
        "u = make_url(get_current_settings().server.database.connection_url.get_secret_value());"
        "print(u.password); print(u.host, u.database, u.username)"
    )
    got = subprocess.run(
        [sys.executable, "-c", probe], env=env, check=True, capture_output=True, text=True
    ).stdout.splitlines()
    assert got == [password, "postgres prefect newswatch"]


def test_compose_and_its_env_example_name_only_real_settings() -> None:
    names = set(re.findall(r"NEWSWATCH_[A-Z_]+", (DEPLOY / "compose.yaml").read_text()))
    example = (DEPLOY / "compose.env.example").read_text(encoding="utf-8")
    advertised = set(re.findall(r"^#? ?(NEWSWATCH_[A-Z_]+)=", example, flags=re.MULTILINE))
    assert advertised, "the example names no setting"
    assert names | advertised <= _setting_env_names(), (names | advertised) - _setting_env_names()
    # schedules of deployments are in deploy/prefect.yaml; these are read by `serve` only
    serve_only = {"NEWSWATCH_SCHEDULE_CRON", "NEWSWATCH_DIGEST_CRON", "NEWSWATCH_TIMEZONE"}
    assert not (names | advertised) & serve_only


CHART = REPO / "tests" / "data" / "prefect-worker-chart"
_VALUES = DEPLOY / "kubernetes" / "prefect-worker-values.yaml"


def _helm_merge(defaults: Any, override: Any) -> Any:
    """Values as `helm install -f` merges them: maps merge key by key, anything else
    (lists included) is replaced, and null removes a default."""
    if isinstance(defaults, dict) and isinstance(override, dict):
        merged = dict(defaults)
        for key, value in override.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = _helm_merge(defaults.get(key), value)
        return merged
    return override


def _merged_helm_values() -> dict[str, Any]:
    defaults = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
    ours = yaml.safe_load(_VALUES.read_text(encoding="utf-8"))
    merged: dict[str, Any] = _helm_merge(defaults, ours)
    return merged


def _setting_env_names() -> set[str]:
    return {f"NEWSWATCH_{name.upper()}" for name in Settings.model_fields}


def test_helm_values_are_valid_for_the_prefect_worker_chart() -> None:
    schema = json.loads((CHART / "values.schema.json").read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    errors = sorted(
        validator_class(schema).iter_errors(_merged_helm_values()), key=lambda e: list(e.path)
    )
    assert not errors, [f"{'.'.join(map(str, e.path))}: {e.message}" for e in errors]


def test_helm_schema_still_refuses_what_the_old_values_said() -> None:
    # the schema copy is strict enough to have caught the old values
    schema = json.loads((CHART / "values.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    old = _merged_helm_values()
    old["worker"] = {**old["worker"], "apiConfig": "server"}
    assert not validator.is_valid(old)
    old["worker"] = {**_merged_helm_values()["worker"], "serverApiConfig": {"apiUrl": "x"}}
    assert not validator.is_valid(old)


def test_helm_values_start_a_newswatch_process_worker_from_the_image() -> None:
    worker = _merged_helm_values()["worker"]
    assert worker["apiConfig"] == "selfHostedServer"
    assert worker["selfHostedServerApiConfig"]["apiUrl"].endswith("/api")
    # the chart's default command (tini + Prefect's entrypoint.sh) is not in our image
    assert worker["command"] == ["/app/.venv/bin/prefect"]
    args = worker["args"]
    assert args[:2] == ["worker", "start"]
    assert args[args.index("--pool") + 1] == worker["config"]["workPool"] == "newswatch"
    assert args[args.index("--type") + 1] == worker["config"]["type"] == "process"
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert "WORKDIR /app" in dockerfile and "/app/.venv/bin" in dockerfile
    # the pod runs as the image's user
    uid = re.search(r"--uid (\d+)", dockerfile)
    gid = re.search(r"--gid (\d+)", dockerfile)
    assert uid and gid
    for context in (worker["podSecurityContext"], worker["containerSecurityContext"]):
        assert context["runAsUser"] == int(uid.group(1))
        assert context["runAsGroup"] == int(gid.group(1))
    assert worker["podSecurityContext"]["fsGroup"] == int(gid.group(1))


def test_helm_values_put_config_seeds_and_data_on_the_shared_volume() -> None:
    worker = _merged_helm_values()["worker"]
    env = {e["name"]: e["value"] for e in worker["extraEnvVars"]}
    # every NEWSWATCH_* name is a real setting, except NEWSWATCH_HOME, which
    # deploy/prefect.yaml's pull step reads
    prefect_own = {
        "DO_NOT_TRACK",
        "PREFECT_SERVER_ANALYTICS_ENABLED",
        "PREFECT_LOGGING_EXTRA_LOGGERS",
    }
    assert set(env) - {"NEWSWATCH_HOME"} - prefect_own <= _setting_env_names()
    assert env["PREFECT_LOGGING_EXTRA_LOGGERS"] == "newswatch"
    assert "$NEWSWATCH_HOME" in (DEPLOY / "prefect.yaml").read_text(encoding="utf-8")
    volumes = {v["name"]: v for v in worker["extraVolumes"]}
    mounts = {m["mountPath"]: m for m in worker["extraVolumeMounts"]}
    assert {m["name"] for m in mounts.values()} == set(volumes)
    pvc = yaml.safe_load((DEPLOY / "kubernetes" / "newswatch-pvc.yaml").read_text())
    assert pvc["kind"] == "PersistentVolumeClaim"
    assert "ReadWriteMany" in pvc["spec"]["accessModes"]

    def volume_of(path: str) -> dict[str, Any]:
        mount_path = next(m for m in mounts if path.startswith(m.rstrip("/") + "/"))
        return volumes[mounts[mount_path]["name"]] | {
            "readOnly": mounts[mount_path].get("readOnly")
        }

    for name in ("NEWSWATCH_CONFIG_DIR", "NEWSWATCH_SEEDS_DIR", "NEWSWATCH_DATA_DIR"):
        volume = volume_of(env[name])
        assert volume["persistentVolumeClaim"]["claimName"] == pvc["metadata"]["name"], name
        assert not volume["readOnly"], name
    notify = volume_of(env["NEWSWATCH_NOTIFY_FILE"])
    assert notify["secret"]["secretName"] == "newswatch-notify" and notify["readOnly"]
    assert worker["extraEnvVarsSecrets"] == ["newswatch-env"]


def _replay_seed_volume(command: list[str], image: Path, volume: Path) -> None:
    """Run the volume-seeding command with the image's /app and the volume as temp folders."""
    assert command[:2] == ["/bin/sh", "/app/deploy/seed-volume.sh"]
    (arg,) = command[2:]
    assert arg == "/var/lib/newswatch"
    subprocess.run(
        ["/bin/sh", str(DEPLOY / "seed-volume.sh"), str(volume)],
        check=True,
        env={"PATH": os.environ["PATH"], "NEWSWATCH_HOME": str(image)},
    )


def test_helm_init_container_seeds_the_volume_and_keeps_edits(tmp_path: Path) -> None:
    worker = _merged_helm_values()["worker"]
    (init,) = worker["initContainer"]["extraContainers"]
    assert init["image"] == f"{worker['image']['repository']}:{worker['image']['prefectTag']}"
    assert init["volumeMounts"] == [{"name": "newswatch", "mountPath": "/var/lib/newswatch"}]
    assert init["securityContext"]["runAsUser"] == worker["podSecurityContext"]["runAsUser"]
    image, volume = tmp_path / "app", tmp_path / "volume"
    for folder in ("config", "seeds"):
        shutil.copytree(REPO / folder, image / folder)
    (volume / "config").mkdir(parents=True)
    (volume / "config" / "profile.yaml").write_text("learned: here\n")
    _replay_seed_volume(init["command"], image, volume)
    assert (volume / "config" / "profile.yaml").read_text() == "learned: here\n"
    feeds = (volume / "config" / "feeds.yaml").read_bytes()
    assert feeds == (REPO / "config" / "feeds.yaml").read_bytes()
    assert sorted(p.name for p in (volume / "seeds").iterdir()) == sorted(
        p.name for p in (REPO / "seeds").iterdir()
    )
    assert (volume / "data").is_dir()
    (volume / "config" / "feeds.yaml").write_text("feeds: []\n")
    _replay_seed_volume(init["command"], image, volume)  # the next start keeps edits
    assert (volume / "config" / "feeds.yaml").read_text() == "feeds: []\n"
    assert (volume / "config" / "profile.yaml").read_text() == "learned: here\n"


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
            for d in api_client(api).post("/deployments/filter", json={}).json()
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


def test_prefect_yaml_names_the_locked_prefect_release() -> None:
    spec = yaml.safe_load((DEPLOY / "prefect.yaml").read_text(encoding="utf-8"))
    assert spec["prefect-version"] == _locked_version("prefect")
