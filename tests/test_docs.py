"""Docs are tested: every setting is documented, every example parses, entrypoints import."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import yaml

from newswatch.pipeline.config import load_feeds
from newswatch.pipeline.settings import Settings

REPO = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented() -> None:
    readme = (REPO / "config" / "README.md").read_text(encoding="utf-8")
    example = (REPO / "config" / "settings.example.env").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        var = f"NEWSWATCH_{name.upper()}"
        assert f"`{var}`" in readme, f"{var} missing from config/README.md"
        assert var in example, f"{var} missing from config/settings.example.env"
    documented = set(re.findall(r"`NEWSWATCH_([A-Z_]+)`", readme))
    # CACHE_DIR is read by newswatch.langdata itself (language data, before any Settings)
    assert documented <= {n.upper() for n in Settings.model_fields} | {
        "ALLOWED_HOSTS",
        "CACHE_DIR",
    }


def test_shipped_feeds_file_parses() -> None:
    feeds = load_feeds(REPO / "config" / "feeds.yaml")
    assert len(feeds) >= 5
    assert all(f.url.startswith("https://") for f in feeds)


def test_notify_example_loads_its_targets() -> None:
    from newswatch.adapters.notify import Notifier

    notifier = Notifier.from_file(REPO / "config" / "notify.example.yaml")
    displays = [t.display for t in notifier.targets()]
    assert len(displays) == 2
    assert not any("APP-PASSWORD" in d or "XXXXXXXXXXXXXXXXXXXXXXXX" in d for d in displays)


def test_prefect_yaml_entrypoints_import() -> None:
    spec = yaml.safe_load((REPO / "deploy" / "prefect.yaml").read_text(encoding="utf-8"))
    names = {d["name"] for d in spec["deployments"]}
    assert {"newswatch-ingest", "newswatch-learn"} <= names
    for dep in spec["deployments"]:
        path, func = dep["entrypoint"].split(":")
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        assert callable(getattr(module, func))
    ingest = next(d for d in spec["deployments"] if d["name"] == "newswatch-ingest")
    assert ingest["schedules"][0]["cron"] == "*/15 * * * *"


def test_readme_quick_start_commands_exist_in_the_makefile() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    for target in re.findall(r"^make (\w+)", quick, flags=re.M):
        assert re.search(rf"^{target}:", makefile, flags=re.M), target
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


def test_alerts_example_parses_and_covers_the_notify_example_targets() -> None:
    from newswatch.adapters.notify import Notifier
    from newswatch.pipeline.config import load_policy

    policy = load_policy(REPO / "config" / "alerts.example.yaml")
    targets = Notifier.from_file(REPO / "config" / "notify.example.yaml").targets()
    for target in targets:
        rules = policy.for_target(target.tags)
        assert rules.line is not None and "*" not in rules.tags, target  # an explicit entry
        assert policy.routes_to("default", target.tags)


def test_shipped_profile_is_what_learn_writes_from_the_shipped_seeds() -> None:
    # config/profile.yaml is the default profile users start from: a stale one would
    # score with rules the README no longer describes
    from newswatch.adapters.seeds import read_seeds
    from newswatch.profile import dump_profile, learn_profile

    shipped = (REPO / "config" / "profile.yaml").read_text(encoding="utf-8")
    assert shipped == dump_profile(learn_profile(read_seeds(REPO / "seeds"))), (
        "config/profile.yaml is stale: rm config/profile.yaml && newswatch learn"
    )
