"""deploy/automations.yaml: read with the model `prefect automation create --from-file`
parses into, then created for real with deploy/create-automations.sh on a local Prefect
server, where a failed and a timed-out run of a newswatch deployment each reach a local
webhook through the notification block named on the command line."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect.events.schemas.automations import AutomationCore, EventTrigger
from prefect.events.schemas.events import RelatedResource, ResourceSpecification

from tests.support.prefect_server import BIN, api_client, prefect_server
from tests.support.webhook import WebhookReceiver

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


def _automations(block_id: str) -> list[dict[str, Any]]:
    """The file as the create script hands it to the CLI: the block's id in place."""
    text = (DEPLOY / "automations.yaml").read_text(encoding="utf-8")
    assert "NOTIFICATION_BLOCK_ID" in text
    data = yaml.safe_load(text.replace("NOTIFICATION_BLOCK_ID", block_id))
    # the CLI's three accepted shapes: {automations: [...]}, a list, or one mapping
    assert isinstance(data, dict) and isinstance(data["automations"], list)
    return list(data["automations"])


def test_automations_file_parses_as_prefect_cli_reads_it() -> None:
    block_id = str(uuid.uuid4())
    (raw,) = _automations(block_id)
    automation = AutomationCore.model_validate(raw)
    assert automation.enabled
    trigger = automation.trigger
    assert isinstance(trigger, EventTrigger)
    assert trigger.expect == {
        "prefect.flow-run.Failed",
        "prefect.flow-run.Crashed",
        "prefect.flow-run.TimedOut",
    }
    assert trigger.posture == "Reactive" and trigger.threshold == 1
    (action,) = automation.actions
    assert action.type == "send-notification"
    assert str(action.block_document_id) == block_id
    # the deployments it watches are the ones deploy/prefect.yaml defines
    spec = trigger.match_related
    assert isinstance(spec, ResourceSpecification)
    deployments = yaml.safe_load((DEPLOY / "prefect.yaml").read_text())["deployments"]
    for deployment in deployments:
        related = {
            "prefect.resource.id": f"prefect.deployment.{uuid.uuid4()}",
            "prefect.resource.role": "deployment",
            "prefect.resource.name": deployment["name"],
        }
        assert spec.includes([RelatedResource.model_validate(related)]), deployment["name"]
    other = {
        "prefect.resource.id": f"prefect.deployment.{uuid.uuid4()}",
        "prefect.resource.role": "deployment",
        "prefect.resource.name": "someone-else",
    }
    assert not spec.includes([RelatedResource.model_validate(other)])


# --- on a real server ---------------------------------------------------------------


def _env(home: Path, api: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(home),
        DO_NOT_TRACK="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_UI_ENABLED="false",
        PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}",
    )
    if api:
        env["PREFECT_API_URL"] = api
    return env


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    home = tmp_path / "prefect-home"
    home.mkdir()
    with prefect_server(home, _env(home)) as api:
        yield api, home


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    with WebhookReceiver() as hook:
        yield f"http://127.0.0.1:{hook.port}/hook", hook.received


def _python(script: str, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


_SAVE_BLOCK = """
import sys
from prefect.blocks.notifications import CustomWebhookNotificationBlock
CustomWebhookNotificationBlock(
    name="newswatch-failures", url=sys.argv[1], json_data={"text": "{{subject}}\\n{{body}}"}
).save("newswatch-failures")
"""

_FAIL_RUNS = """
from prefect.client.orchestration import get_client
from prefect.states import Failed
with get_client(sync_client=True) as client:
    flow_id = client.create_flow_from_name("ingest")
    deployment_id = client.create_deployment(flow_id=flow_id, name="newswatch-ingest")
    for name, state in (("Failed", Failed(message="boom")), ("TimedOut", Failed(name="TimedOut", message="too slow"))):
        run = client.create_flow_run_from_deployment(deployment_id)
        client.set_flow_run_state(run.id, state, force=True)
        print(run.name, name)
"""


@pytest.mark.slow
def test_failed_runs_of_newswatch_deployments_notify_through_the_named_block(
    server: tuple[str, Path], webhook: tuple[str, list[dict[str, Any]]]
) -> None:
    api, home = server
    url, received = webhook
    env = _env(home, api)
    _python(_SAVE_BLOCK, env, url)
    created = subprocess.run(
        ["sh", str(DEPLOY / "create-automations.sh"), "custom-webhook/newswatch-failures"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert created.returncode == 0, (created.stdout[-2000:], created.stderr[-3000:])
    with api_client(api) as client:
        automations = client.post("/automations/filter", json={}).raise_for_status().json()
    assert [a["name"] for a in automations] == ["newswatch run failed"]

    runs = dict(line.split() for line in _python(_FAIL_RUNS, env).splitlines())
    for _ in range(240):
        if len(received) >= len(runs):
            break
        time.sleep(0.5)
    texts = [message["text"] for message in received]
    assert len(texts) == 2, texts
    for run_name, state in runs.items():
        assert any(run_name in text and state in text for text in texts), (run_name, texts)
