"""The topic profile of a run: read from its file, or learned from the seeds and written.

Apart from `config` so that `newswatch learn` imports only what learning needs (not
Apprise, SQLAlchemy or httpx): it starts in about a second.
"""

from __future__ import annotations

import logging
from pathlib import Path

from newswatch.adapters.seeds import learn_to_file
from newswatch.errors import ConfigError
from newswatch.models import Profile
from newswatch.pipeline.files import read_config
from newswatch.pipeline.settings import Settings
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


def learn(settings: Settings) -> tuple[Profile, Path]:
    """Learn the profile from the seeds folder and write it, keeping a user's edits."""
    path = settings.resolved_profile_file()
    previous = load_profile_file(path) if path.exists() else None
    if not settings.seeds_dir.is_dir():
        raise ConfigError("seeds folder not found", path=str(settings.seeds_dir))
    return learn_to_file(settings.seeds_dir, path, previous), path


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
