"""`newswatch topics` and `newswatch feedback`: the topics an install watches, and
teaching one by example."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.table import Table

from newswatch.cli.common import DbOpt, out, reported, settings


def _age(when: datetime, now: datetime) -> str:
    seconds = max(0, int((now - when).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return "just now"


def topics(db: DbOpt = None) -> None:
    """List each topic: its seeds, its profile's age and threshold, and its alerts.

    A topic is a folder of seed articles (seeds/NAME/), learned into
    config/profiles/NAME.yaml; articles directly in seeds/ are the topic `default`
    (config/profile.yaml). Alerts are counted over the last 7 days."""
    from newswatch.pipeline import profiles
    from newswatch.pipeline.runtime import open_existing_store
    from newswatch.pipeline.topics import has_seeds, topics_of

    chosen = settings(db_url=db)
    now = datetime.now(UTC)
    with reported():
        found = topics_of(chosen)
        with open_existing_store(chosen) as store:
            activity = store.topic_activity(since=now - timedelta(days=7)) if store else {}
    table = Table("topic", "seeds", "negatives", "profile", "learned", "threshold")
    table.add_column("alerts 7 d", justify="right")
    table.add_column("last alert")
    for topic in found:
        seeds = _count(topic.seeds_dir)
        negatives = _count(topic.negative_dir)
        if topic.profile_file.exists():
            learned = _age(datetime.fromtimestamp(topic.profile_file.stat().st_mtime, UTC), now)
            with reported():
                threshold = f"{profiles.topic_profile(topic).threshold:.3f}"
        else:
            learned, threshold = "not yet", "-"
        recent, last = activity.get(topic.name, (0, None))
        table.add_row(
            topic.name,
            f"{seeds} in {topic.seeds_dir}"
            if topic.seeds_dir and has_seeds(topic.seeds_dir)
            else "none",
            str(negatives),
            str(topic.profile_file),
            learned,
            threshold,
            str(recent),
            last.strftime("%Y-%m-%d %H:%M") if last else "-",
        )
    out.print(table)


def _count(folder: Path | None) -> int:
    from newswatch.pipeline.topics import SEED_SUFFIXES

    if folder is None or not folder.is_dir():
        return 0
    return sum(
        1
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in SEED_SUFFIXES and p.name.lower() != "readme.md"
    )
