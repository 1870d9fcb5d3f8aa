"""What a flow does when its run fails, crashes or times out: tell the configured targets.

With `newswatch serve` there is no Prefect automation to watch the runs (deploy/
automations.yaml is for a Prefect server), so the flows carry these hooks themselves:
the failure goes to every Apprise target of the notify config, with a link to the run
in the Prefect UI when its URL is known (PREFECT_UI_URL).
"""

from __future__ import annotations

import logging
from typing import Any

from newswatch import __version__
from newswatch.flows.secrets import read_secret
from newswatch.pipeline import config
from newswatch.pipeline.settings import Settings, load_settings
from newswatch.render import render_failure

log = logging.getLogger("newswatch")


def settings_of(parameters: dict[str, Any]) -> Settings:
    """The run's settings as its parameters show them (secrets are masked there: the
    environment's values stand in for those)."""
    given = dict(parameters.get("settings") or {})
    given = {k: v for k, v in given.items() if v is not None and v != "**********"}
    return load_settings(**given)


def notify_failure(flow: Any, flow_run: Any, state: Any) -> None:
    """A Prefect state hook: send the failed run's message to every configured target."""
    from prefect.utilities.urls import url_for

    try:
        settings = settings_of(flow_run.parameters or {})
        notifier = config.load_notifier(settings, read_secret=read_secret)
    except Exception as exc:  # noqa: BLE001 - a hook must not hide the run's own failure
        log.warning("failure alert not sent: %s", exc)
        return
    if notifier is None:
        return
    try:
        url = url_for(flow_run)
    except Exception:  # noqa: BLE001 - no UI URL known
        url = None
    title, body = render_failure(
        flow.name, flow_run.name, state.name or str(state.type), state.message or "", url
    )
    for outcome in notifier.send_all(title, body):
        if not outcome.ok:
            log.warning("failure alert to %s not sent: %s", outcome.target, outcome.detail)


def watched() -> dict[str, Any]:
    """The @flow options every newswatch flow shares: its version, a timeout (the ingest
    flow's is shorter than the entry lease), and the failure alert on failure or crash."""
    return {
        "version": __version__,
        "timeout_seconds": 1500,
        "on_failure": [notify_failure],
        "on_crashed": [notify_failure],
    }
