"""Reading the seed corpus: the example articles a profile is learned from."""

from __future__ import annotations

from pathlib import Path

from newswatch.errors import ConfigError
from newswatch.profile import SeedDoc

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
