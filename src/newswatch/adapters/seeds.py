"""Reading the seed corpus (the example articles a profile is learned from), and learning
the profile file from it."""

from __future__ import annotations

import os
from pathlib import Path

from newswatch.errors import ConfigError
from newswatch.models import Profile
from newswatch.profile import SeedDoc, dump_profile, learn_profile

SEED_SUFFIXES = {".txt", ".md"}


def read_seeds(directory: Path) -> list[SeedDoc]:
    """Every .txt/.md file of the folder (README.md excepted), in name order, as UTF-8."""
    folder = Path(directory)
    if not folder.is_dir():
        raise ConfigError("seeds folder not found", path=str(folder))
    docs = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in SEED_SUFFIXES or path.name.lower() == "readme.md":
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigError(f"seed is not UTF-8 text: {exc}", path=str(path)) from exc
        if text.strip():
            docs.append(SeedDoc(path.name, text))
    if not docs:
        raise ConfigError("no seed articles (.txt or .md) in the seeds folder", path=str(folder))
    return docs


def learn_to_file(
    seeds_dir: Path, profile_file: Path, previous: Profile | None, *, name: str = "default"
) -> Profile:
    """Learn the profile from the seeds folder and write it to `profile_file`, keeping
    the user's edits of `previous` (the file that was there). Imports only what learning
    needs, so `newswatch learn` starts in a second, not in the time the pipeline takes."""
    profile = learn_profile(read_seeds(seeds_dir), name=name, previous=previous)
    profile_file.parent.mkdir(parents=True, exist_ok=True)
    # Written whole, then renamed: a run starting meanwhile reads the old file or the new one.
    partial = profile_file.with_name(f".{profile_file.name}.{os.getpid()}.tmp")
    partial.write_text(dump_profile(profile), encoding="utf-8")
    os.replace(partial, profile_file)
    return profile
