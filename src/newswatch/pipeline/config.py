"""Reading the config files, once per run, into one frozen `RunInputs`.

Every file goes through the same path: read its bytes (a missing or unreadable file is a
ConfigError naming it), then the one line-aware YAML reader (`newswatch.yamlfile`) behind
each file's parser. A run loads its inputs once, before anything is fetched, and passes
them down; the stages never open a config file themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from newswatch.adapters.notify import Notifier, Target
from newswatch.errors import ConfigError
from newswatch.feedlist import parse_feeds
from newswatch.models import Feed, Profile
from newswatch.pipeline.files import read_config
from newswatch.pipeline.profiles import ensure_profiles
from newswatch.pipeline.settings import Settings
from newswatch.policy import Policy, parse_policy


@dataclass(frozen=True)
class RunInputs:
    """Everything a run reads from config, loaded once: plain data a task may receive."""

    settings: Settings
    feeds: tuple[Feed, ...]
    profiles: tuple[Profile, ...]  # one per topic (a single Profile is taken as one topic)
    policy: Policy
    targets: tuple[Target, ...]

    def __post_init__(self) -> None:
        if isinstance(self.profiles, Profile):
            object.__setattr__(self, "profiles", (self.profiles,))
        if not self.profiles:
            raise ConfigError("no topic to match articles against")

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.profiles)


def load_feeds(path: Path) -> list[Feed]:
    """The feeds file (required)."""
    content = read_config(path, "feeds file")
    assert content is not None
    return parse_feeds(content, path=str(path))


def load_policy(path: Path) -> Policy:
    """The alert policy file; no file means the default policy (every target, at once)."""
    content = read_config(path, "alerts file", missing_ok=True)
    return Policy() if content is None else parse_policy(content, path=str(path))


SecretReader = Callable[[str], str]


def load_notifier(
    settings: Settings, *, required: bool = False, read_secret: SecretReader | None = None
) -> Notifier | None:
    """The notification targets; None when no notify file exists and none was asked for.

    A notify file named explicitly (`--notify`, NEWSWATCH_NOTIFY_FILE) must exist:
    alerting silently off because of a typo in a path is worse than stopping. With
    NEWSWATCH_NOTIFY_SECRET the Apprise YAML comes from that Prefect Secret block
    instead, read by `read_secret` (the front ends pass Prefect's; this ring knows none).
    """
    storage = settings.data_dir / "apprise"
    if settings.notify_secret:
        where = f"Prefect Secret block {settings.notify_secret!r}"
        if read_secret is None:
            raise ConfigError(
                "NEWSWATCH_NOTIFY_SECRET is set but no Prefect to read it", path=where
            )
        try:
            text = read_secret(settings.notify_secret)
        except Exception as exc:  # noqa: BLE001 - Prefect raises several kinds for a missing block
            raise ConfigError(f"cannot read it: {type(exc).__name__}", path=where) from exc
        return Notifier.from_yaml(text, path=where, storage_path=storage)
    path = settings.resolved_notify_file()
    if not path.exists() and not (required or settings.notify_file is not None):
        return None
    return Notifier.from_file(path, storage_path=storage)


def load_inputs(settings: Settings, *, read_secret: SecretReader | None = None) -> RunInputs:
    """Every config file of a run, checked and loaded once (a bad one stops it here)."""
    feeds = load_feeds(settings.resolved_feeds_file())
    profiles = ensure_profiles(settings)
    notifier = load_notifier(settings, read_secret=read_secret)
    policy = load_policy(settings.resolved_alerts_file())
    return RunInputs(
        settings=settings,
        feeds=tuple(feeds),
        profiles=profiles,
        policy=policy,
        targets=tuple(notifier.targets()) if notifier else (),
    )
