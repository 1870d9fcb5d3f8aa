"""The fetch-and-extract stage on a Dask cluster: same results as Prefect's thread runner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def _decisions(summary: dict[str, Any]) -> list[tuple[Any, ...]]:
    return sorted(
        (a["title"], a["match"], a["alert"], a["duplicate_kind"], a["score"])
        for a in summary["articles"]
    )


def test_a_local_dask_cluster_gives_the_thread_runners_results(site: Path) -> None:
    from distributed import LocalCluster
    from flows.ingest import ingest_flow
    from prefect_dask import DaskTaskRunner

    common = {
        "feeds_file": str(site / "feeds.yaml"),
        "notify_file": str(site / "no-notify.yaml"),
        "profile_file": str(site / "profile.yaml"),
    }
    threads = ingest_flow(db_url=f"sqlite:///{site / 'threads.db'}", **common)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        on_dask = ingest_flow.with_options(
            task_runner=DaskTaskRunner(address=cluster.scheduler_address)
        )
        dask = on_dask(db_url=f"sqlite:///{site / 'dask.db'}", **common)
    assert threads["counts"]["alerts"] >= 4
    assert dask["counts"] == threads["counts"]
    assert _decisions(dask) == _decisions(threads)
    assert [f["status"] for f in dask["feeds"]] == [f["status"] for f in threads["feeds"]]


def test_the_dask_address_setting_puts_the_flow_on_dask() -> None:
    # As a deployment or `newswatch run` imports it: the environment decides the runner.
    env = {**os.environ, "NEWSWATCH_DASK_ADDRESS": "tcp://127.0.0.1:8786"}
    code = "import flows.ingest as m; print(type(m.ingest_flow.task_runner).__name__)"
    shown = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert shown.stdout.strip() == "DaskTaskRunner", shown.stderr[-2000:]
    env.pop("NEWSWATCH_DASK_ADDRESS")
    shown = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert shown.stdout.strip() == "ThreadPoolTaskRunner", shown.stderr[-2000:]
