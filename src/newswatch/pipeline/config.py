"""Reading the config files, once per run, into one frozen `RunInputs`.

Every file goes through the same path: read its bytes (a missing or unreadable file is a
ConfigError naming it), then the one line-aware YAML reader (`newswatch.yamlfile`) behind
each file's parser. A run loads its inputs once, before anything is fetched, and passes
them down; the stages never open a config file themselves.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from newswatch.adapters.notify import Notifier, Target
from newswatch.adapters.seeds import read_seeds
from newswatch.errors import ConfigError
from newswatch.feedlist import parse_feeds
from newswatch.models import Feed, Profile
from newswatch.pipeline.settings import Settings
from newswatch.policy import Policy, parse_policy
from newswatch.profile import dump_profile, learn_profile, load_profile

log = logging.getLogger("newswatch")


@dataclass(frozen=True)
class RunInputs:
    """Everything a run reads from config, loaded once: plain data a task may receive."""

    settings: Settings
    feeds: tuple[Feed, ...]
    profile: Profile
    policy: Policy
    targets: tuple[Target, ...]


def read_config(path: Path, what: str, *, missing_ok: bool = False) -> bytes | None:
    """A config file's bytes; None when it is missing and that is allowed."""
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        if missing_ok:
            return None
        raise ConfigError(f"{what} not found", path=str(path)) from exc
    except IsADirectoryError as exc:
        raise ConfigError(f"{what} is a folder, not a file", path=str(path)) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read {what}: {exc.strerror}", path=str(path)) from exc


def load_feeds(path: Path) -> list[Feed]:
    """The feeds file (required)."""
    content = read_config(path, "feeds file")
    assert content is not None
    return parse_feeds(content, path=str(path))


def load_policy(path: Path) -> Policy:
    """The alert policy file; no file means the default policy (every target, at once)."""
    content = read_config(path, "alerts file", missing_ok=True)
    return Policy() if content is None else parse_policy(content, path=str(path))


def load_profile_file(path: Path) -> Profile:
    content = read_config(path, "profile")
    assert content is not None
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"profile is not UTF-8 text (byte {exc.start}): is it the right file?", path=str(path)
        ) from exc
    try:
        return load_profile(text, path=str(path))
    except ConfigError:
        raise
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        # a value of the wrong shape the parser did not expect (e.g. `terms: 42`)
        raise ConfigError(f"not a usable profile: {exc}", path=str(path)) from exc


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


def learn(settings: Settings) -> tuple[Profile, Path]:
    """Learn the profile from the seeds folder and write it, keeping a user's edits."""
    path = settings.resolved_profile_file()
    previous = load_profile_file(path) if path.exists() else None
    if not settings.seeds_dir.is_dir():
        raise ConfigError("seeds folder not found", path=str(settings.seeds_dir))
    profile = learn_profile(read_seeds(settings.seeds_dir), previous=previous)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole, then renamed: a run starting meanwhile reads the old file or the new one.
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_text(dump_profile(profile), encoding="utf-8")
    os.replace(partial, path)
    return profile, path


def ensure_profile(settings: Settings) -> Profile:
    """The profile file's content; learned from the seeds first if there is none."""
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


def load_inputs(settings: Settings, *, read_secret: SecretReader | None = None) -> RunInputs:
    """Every config file of a run, checked and loaded once (a bad one stops it here)."""
    feeds = load_feeds(settings.resolved_feeds_file())
    profile = ensure_profile(settings)
    notifier = load_notifier(settings, read_secret=read_secret)
    policy = load_policy(settings.resolved_alerts_file())
    return RunInputs(
        settings=settings,
        feeds=tuple(feeds),
        profile=profile,
        policy=policy,
        targets=tuple(notifier.targets()) if notifier else (),
    )
