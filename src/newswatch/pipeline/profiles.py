"""Topic profiles: read from their files, or learned from the seeds and written.

Apart from `config` so that `newswatch learn` imports only what learning needs (not
Apprise, SQLAlchemy or httpx): it starts in about a second.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

from newswatch.adapters.seeds import learn_to_file
from newswatch.errors import ConfigError
from newswatch.feedlist import parse_feeds
from newswatch.models import DEFAULT_TOPIC, Profile
from newswatch.pipeline.files import read_config
from newswatch.pipeline.settings import Settings
from newswatch.pipeline.topics import Topic, topics_of
from newswatch.profile import load_profile

log = logging.getLogger("newswatch")


def load_profile_file(path: Path) -> Profile:
    content = read_config(path, "profile")
    assert content is not None
    try:
        return load_profile(content, path=str(path))
    except ConfigError:
        raise
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        # a value of the wrong shape the parser did not expect (e.g. `terms: 42`)
        raise ConfigError(f"not a usable profile: {exc}", path=str(path)) from exc


@dataclass(frozen=True)
class Learned:
    """A topic learned: the new profile, where it was written, and what it replaced."""

    topic: Topic
    profile: Profile
    previous: Profile | None


def feed_titles(settings: Settings) -> tuple[str, ...]:
    """The configured feeds' titles: their outlets are never a story's names (see
    `profile.learn_profile`). A missing or broken feeds file gives none: learning does
    not need it, and `newswatch run` names its mistake."""
    path = settings.resolved_feeds_file()
    try:
        content = read_config(path, "feeds file", missing_ok=True)
        return tuple(f.name for f in parse_feeds(content, path=str(path))) if content else ()
    except ConfigError as exc:
        log.warning("learning without the feeds' names: %s", exc)
        return ()


def learn(settings: Settings) -> tuple[Profile, Path]:
    """Learn one profile from the seeds folder's own articles into the profile file,
    keeping a user's edits (`newswatch learn --seeds DIR --profile FILE`)."""
    path = settings.resolved_profile_file()
    if not settings.seeds_dir.is_dir():
        raise ConfigError("seeds folder not found", path=str(settings.seeds_dir))
    topic = Topic(DEFAULT_TOPIC, path, settings.seeds_dir)
    return learn_topic(topic, feed_titles(settings)).profile, path


def learn_topic(topic: Topic, feeds: tuple[str, ...] = ()) -> Learned:
    """Learn a topic from its seeds into its profile file, keeping a user's edits;
    `feeds`: the feeds' titles (see `feed_titles`)."""
    if topic.seeds_dir is None:
        raise ConfigError(
            f"topic {topic.name!r} has no seeds folder to learn from (its profile is "
            "written by hand)",
            path=str(topic.profile_file),
        )
    previous = load_profile_file(topic.profile_file) if topic.profile_file.exists() else None
    profile = learn_to_file(
        topic.seeds_dir, topic.profile_file, previous, name=topic.name, feeds=feeds
    )
    return Learned(topic, profile, previous)


def learnable_topics(settings: Settings, only: str | None = None) -> list[Topic]:
    """The topics that have seeds to learn from (or the one named `only`, which must)."""
    chosen = topics_of(settings, only)
    learnable = [t for t in chosen if t.seeds_dir is not None]
    if only is not None and not learnable:
        learn_topic(chosen[0])  # says why
    if not learnable:
        raise ConfigError("no topic has seed articles to learn from", path=str(settings.seeds_dir))
    return learnable


def learn_topics(settings: Settings, only: str | None = None) -> list[Learned]:
    """Learn every topic that has seeds (or the one named `only`)."""
    feeds = feed_titles(settings)
    return [learn_topic(t, feeds) for t in learnable_topics(settings, only)]


def topic_profile(topic: Topic, feeds: tuple[str, ...] = ()) -> Profile:
    """The topic's profile; learned from its seeds first if it has none. Its name is the
    topic's, whatever the file says."""
    if not topic.profile_file.exists():
        log.info("no profile for topic %s: learning one from %s", topic.name, topic.seeds_dir)
        return learn_topic(topic, feeds).profile
    profile = load_profile_file(topic.profile_file)
    return profile if profile.name == topic.name else replace(profile, name=topic.name)


def ensure_profiles(settings: Settings, only: str | None = None) -> tuple[Profile, ...]:
    """Every topic's profile, or the one named `only` (learned first where there is none;
    the feeds file is read only then)."""
    topics = topics_of(settings, only)
    missing = any(not t.profile_file.exists() for t in topics)
    feeds = feed_titles(settings) if missing else ()
    return tuple(topic_profile(t, feeds) for t in topics)


def ensure_profile(settings: Settings) -> Profile:
    """The profile file's content; learned from the seeds first if there is none (the
    one-profile commands: `backtest --profile FILE`, `explain`)."""
    path = settings.resolved_profile_file()
    if not path.exists():
        if not settings.seeds_dir.is_dir():
            raise ConfigError(
                "no profile, and no seeds folder to learn one from", path=str(settings.seeds_dir)
            )
        log.info("no profile at %s: learning one from %s", path, settings.seeds_dir)
        profile, _ = learn(settings)
        return profile
    return load_profile_file(path)
