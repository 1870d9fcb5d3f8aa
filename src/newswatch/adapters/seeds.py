"""Reading the seed corpus (the example articles a profile is learned from) and the
negatives beside it (articles marked wrong for the topic, in `negative/`), and learning
the profile file from them."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from newswatch.errors import ConfigError
from newswatch.models import Profile
from newswatch.profile import SeedDoc, dump_profile, learn_profile

SEED_SUFFIXES = {".txt", ".md"}
NEGATIVE_FOLDER = "negative"


def read_seeds(directory: Path) -> list[SeedDoc]:
    """Every .txt/.md file of the folder (README.md excepted), in name order, as UTF-8.
    Subfolders (`negative/`, other topics) are not read."""
    folder = Path(directory)
    if not folder.is_dir():
        raise ConfigError("seeds folder not found", path=str(folder))
    docs = _read_texts(folder)
    if not docs:
        raise ConfigError("no seed articles (.txt or .md) in the seeds folder", path=str(folder))
    return docs


def read_negatives(topic_dir: Path) -> list[SeedDoc]:
    """The articles marked wrong for the topic: the .txt/.md files of `negative/` in the
    topic's seeds folder, in name order; none when there is no such folder."""
    folder = Path(topic_dir) / NEGATIVE_FOLDER
    return _read_texts(folder) if folder.is_dir() else []


def seed_files(folder: Path) -> list[Path]:
    """The article files of a folder (.txt/.md, README.md excepted), in name order; none
    when there is no such folder. Subfolders are not looked into."""
    if not folder.is_dir():
        return []
    return [
        path
        for path in sorted(folder.iterdir())
        if path.is_file()
        and path.suffix.lower() in SEED_SUFFIXES
        and path.name.lower() != "readme.md"
    ]


def _read_texts(folder: Path) -> list[SeedDoc]:
    docs = []
    for path in seed_files(folder):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigError(f"seed is not UTF-8 text: {exc}", path=str(path)) from exc
        if text.strip():
            docs.append(SeedDoc(path.name, text))
    return docs


def learn_to_file(
    seeds_dir: Path,
    profile_file: Path,
    previous: Profile | None,
    *,
    negatives: Sequence[SeedDoc] | None = None,
    name: str = "default",
    feeds: Sequence[str] = (),
) -> Profile:
    """Learn the profile from the seeds folder and write it to `profile_file`, keeping
    the user's edits of `previous` (the file that was there). `negatives` default to the
    folder's `negative/` files (see `read_negatives`); `feeds`: the configured feeds'
    titles (their outlets are no story's names). Imports only what learning needs, so
    `newswatch learn` starts in a second, not in the time the pipeline takes."""
    if negatives is None:
        negatives = read_negatives(seeds_dir)
    profile = learn_profile(
        read_seeds(seeds_dir), name=name, previous=previous, negatives=negatives, feeds=feeds
    )
    profile_file.parent.mkdir(parents=True, exist_ok=True)
    # Written whole, then renamed: a run starting meanwhile reads the old file or the new one.
    partial = profile_file.with_name(f".{profile_file.name}.{os.getpid()}.tmp")
    partial.write_text(dump_profile(profile), encoding="utf-8")
    os.replace(partial, profile_file)
    return profile
