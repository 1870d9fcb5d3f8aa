"""Retries that fire: a transient store failure (here: the decision lock held by another
run past NEWSWATCH_LOCK_TIMEOUT_SECONDS) fails the step, Prefect retries it after a
backoff, and the run completes once the lock is free; nothing is decided twice."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from newswatch.adapters.store import Store
from newswatch.pipeline import runtime
from newswatch.pipeline.settings import load_settings

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def test_a_lock_held_elsewhere_makes_the_decide_step_retry_until_it_is_free(
    site: Path, tmp_path: Path
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterId,
        TaskRunFilter,
        TaskRunFilterName,
        TaskRunFilterState,
        TaskRunFilterStateName,
    )

    from newswatch.flows.ingest import ingest_flow

    db = f"sqlite:///{tmp_path / 'store.db'}"
    settings = load_settings(
        feeds_file=site / "feeds.yaml",
        config_dir=site,  # no notify.yaml there: no targets
        profile_file=REPO / "config" / "profile.yaml",
        db_url=db,
        lock_timeout_seconds=0.5,
    )
    runtime.prepare_store(settings)
    taken, release = threading.Event(), threading.Event()

    def another_run_deciding() -> None:
        with Store.open(db) as other, other.decision_lock():
            taken.set()
            release.wait(60)

    holder = threading.Thread(target=another_run_deciding, daemon=True)
    holder.start()
    assert taken.wait(30)

    def free_the_lock_once_the_first_attempt_failed() -> None:
        # the decide step's first attempt times out on the lock and waits for its retry
        # (10 s backoff with jitter): that is when the other run finishes
        deadline = time.monotonic() + 300
        with get_client(sync_client=True) as client:
            while not release.is_set() and time.monotonic() < deadline:
                waiting = client.read_task_runs(
                    task_run_filter=TaskRunFilter(
                        name=TaskRunFilterName(like_="decide-articles"),
                        state=TaskRunFilterState(
                            name=TaskRunFilterStateName(any_=["AwaitingRetry"])
                        ),
                    )
                )
                if waiting:
                    break
                time.sleep(0.2)
        release.set()

    watcher = threading.Thread(target=free_the_lock_once_the_first_attempt_failed, daemon=True)
    watcher.start()
    try:
        state = ingest_flow(settings=settings, return_state=True)
    finally:
        release.set()
        watcher.join(30)
        holder.join(30)
    assert state.is_completed(), state.message
    summary = state.result()
    assert len(summary.alerts) >= 4

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(
                id=FlowRunFilterId(any_=[state.state_details.flow_run_id])
            )
        )
    (decide,) = [r for r in runs if r.name.startswith("decide-articles")]
    assert decide.run_count == 2  # the first attempt timed out on the lock; the retry ran
    with Store.open(db) as store:
        assert store.count("alerts") == len(summary.alerts)
