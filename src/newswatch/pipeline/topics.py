"""Topics: what an install watches. A topic is a folder of seed articles, or a profile.

- every subfolder of the seeds folder (`NEWSWATCH_SEEDS_DIR`, default `seeds/`) is one
  topic named after the folder (`seeds/port-strikes/*.txt` is the topic `port-strikes`);
  its profile is `PROFILES_DIR/NAME.yaml` (default `config/profiles/`);
- seed articles directly in the seeds folder are the topic `default`, whose profile is
  the profile file (`config/profile.yaml`): a one-topic install's layout keeps working;
- a profile in the profiles folder with no seeds folder (written by hand) is a topic too,
  and so is the profile file alone.

A topic's `negative/` subfolder holds articles it should not match (`newswatch feedback`
writes there); names starting with `.` or `_` are not topics. A folder whose name
cannot be a topic (see `TOPIC_NAME`) is skipped with a warning, not a dead run.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from newswatch.adapters.seeds import NEGATIVE_FOLDER, seed_files
from newswatch.errors import ConfigError
from newswatch.models import DEFAULT_TOPIC
from newswatch.pipeline.settings import Settings

log = logging.getLogger("newswatch")

TOPIC_NAME = re.compile(r"^[\w][\w.-]{0,63}$", re.UNICODE)


@dataclass(frozen=True)
class Topic:
    name: str
    profile_file: Path
    seeds_dir: Path | None  # None: a profile written by hand, nothing to learn from

    @property
    def negative_dir(self) -> Path | None:
        return self.seeds_dir / NEGATIVE_FOLDER if self.seeds_dir else None


def has_seeds(folder: Path) -> bool:
    """Whether the folder holds seed articles itself (README.md is not one)."""
    return bool(seed_files(folder))


def _usable(name: str, where: Path) -> bool:
    if name.startswith((".", "_")) or name == NEGATIVE_FOLDER:
        return False
    if not TOPIC_NAME.match(name):
        log.warning(
            "%s: not a topic: a topic's name is letters, digits, '-', '_' or '.', at most "
            "64, not starting with '-' or '.'",
            where,
        )
        return False
    return True


def discover_topics(settings: Settings) -> list[Topic]:
    """Every topic of the install, `default` first, then by name (see the module rules)."""
    seeds, profiles = settings.seeds_dir, settings.resolved_profiles_dir()
    topics: dict[str, Topic] = {}
    default_profile = settings.resolved_profile_file()
    if has_seeds(seeds) or default_profile.is_file():
        topics[DEFAULT_TOPIC] = Topic(
            DEFAULT_TOPIC, default_profile, seeds if has_seeds(seeds) else None
        )
    if seeds.is_dir():
        for folder in sorted(p for p in seeds.iterdir() if p.is_dir()):
            if _usable(folder.name, folder) and has_seeds(folder):
                topics.setdefault(
                    folder.name, Topic(folder.name, profiles / f"{folder.name}.yaml", folder)
                )
    if profiles.is_dir():
        for file in sorted(profiles.glob("*.yaml")):
            if _usable(file.stem, file):
                topics.setdefault(file.stem, Topic(file.stem, file, None))
    return list(topics.values())


def topics_of(settings: Settings, only: str | None = None) -> list[Topic]:
    """The install's topics, or the one named `only`; none at all is a ConfigError."""
    topics = discover_topics(settings)
    if only is not None:
        chosen = [t for t in topics if t.name == only]
        if not chosen:
            known = ", ".join(t.name for t in topics) or "none"
            raise ConfigError(f"no topic {only!r} (topics: {known})", path=str(settings.seeds_dir))
        return chosen
    if not topics:
        raise ConfigError(
            "no topics: put seed articles in a folder per topic (seeds/NAME/*.txt), or "
            "directly in the seeds folder for one topic",
            path=str(settings.seeds_dir),
        )
    return topics
