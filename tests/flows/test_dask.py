"""The fetch-and-extract stage on a Dask cluster: same results as Prefect's thread runner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from newswatch.pipeline.settings import Settings, load_settings
from newswatch.report import summary_to_dict

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def _decisions(summary: dict[str, Any]) -> list[tuple[Any, ...]]:
    return sorted(
        (a["title"], a["match"], a["alert"], a["duplicate_kind"], a["score"])
        for a in summary["articles"]
    )


def test_the_dask_address_setting_moves_extraction_to_dask_with_the_same_results(
    site: Path,
) -> None:
    from distributed import LocalCluster

    from newswatch.flows.ingest import ingest_flow

    def settings(db: str, dask_address: str | None = None) -> Settings:
        return load_settings(
            feeds_file=site / "feeds.yaml",
            notify_file=None,
            config_dir=site,
            profile_file=site / "profile.yaml",
            seeds_dir=REPO / "seeds",
            db_url=f"sqlite:///{site / db}",
            dask_address=dask_address,
        )

    threads = summary_to_dict(ingest_flow(settings=settings("threads.db")))
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        address = cluster.scheduler_address
        dask = summary_to_dict(ingest_flow(settings=settings("dask.db", address)))
        ran_there = cluster.scheduler.transition_counter  # task state changes it saw
    assert ran_there, "nothing ran on the Dask cluster"
    assert threads["counts"]["alerts"] >= 4
    assert dask["counts"] == threads["counts"]
    assert _decisions(dask) == _decisions(threads)
    assert [f["status"] for f in dask["feeds"]] == [f["status"] for f in threads["feeds"]]
