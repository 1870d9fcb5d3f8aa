"""`newswatch run` and `newswatch explain` as a user runs them, on local feeds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from newswatch.cli import app
from newswatch.cli.demo import load_items

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
runner = CliRunner()


def test_run_json_reports_everything_and_exits_0_despite_a_broken_feed(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real process, as a user runs it: its own ephemeral Prefect API, its own PREFECT_HOME.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        NEWSWATCH_SEEDS_DIR=str(REPO / "seeds"),
        NEWSWATCH_CONFIG_DIR=str(site),  # no notify.yaml there: no targets
        PREFECT_HOME=str(site / "prefect"),
        DO_NOT_TRACK="1",
    )
    args = [
        sys.executable,
        "-m",
        "newswatch",
        "run",
        "--json",
        "--feeds",
        str(site / "feeds.yaml"),
        "--profile",
        str(site / "profile.yaml"),
        "--db",
        f"sqlite:///{site / 'store.db'}",
    ]
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300, cwd=site)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout)
    counts = summary["counts"]
    feeds = yaml.safe_load((site / "feeds.yaml").read_text())["feeds"]
    assert counts["feeds_polled"] == len(feeds) and counts["feeds_failed"] == 1
    broken = next(f for f in summary["feeds"] if f["name"] == "broken")
    assert "404" in broken["error"]
    served = len(load_items(REPO / "seeds")[1])  # the site fixture serves the demo's items
    assert counts["new_entries"] == served and counts["duplicates"] == 2
    assert counts["alerts"] >= 4
    # no notify file: alerts are decided and recorded, but nothing is sent
    assert counts["alerts_sent"] == 0
    assert (site / "profile.yaml").exists()

    listing = runner.invoke(
        app, ["alerts", "--db", f"sqlite:///{site / 'store.db'}"], terminal_width=200
    )
    assert listing.exit_code == 0
    assert "Tokayev" in listing.output or "CSTO" in listing.output
    # the re-posts are listed with the story they joined (the narrow table may wrap the name)
    assert "Regional" in listing.output and "Aggregator" in listing.output

    health = runner.invoke(
        app, ["feeds", "--db", f"sqlite:///{site / 'store.db'}"], terminal_width=250
    )
    assert health.exit_code == 0 and "broken" in health.output  # the failing feed, by name


def test_explain_shows_terms_for_a_seed_file(tmp_path: Path) -> None:
    profile = tmp_path / "profile.yaml"
    assert (
        runner.invoke(
            app, ["learn", "--seeds", str(REPO / "seeds"), "--profile", str(profile)]
        ).exit_code
        == 0
    )
    seed = sorted((REPO / "seeds").glob("*.txt"))[0]
    result = runner.invoke(
        app, ["explain", str(seed), "--profile", str(profile)], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    assert "MATCH" in result.output and "CSTO" in result.output and "weight" in result.output
