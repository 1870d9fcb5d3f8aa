"""`newswatch topics` and `newswatch feedback`: the topics an install watches, and
teaching one by example."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from newswatch.cli.common import DbOpt, fail, out, reported, settings
from newswatch.errors import ConfigError
from newswatch.pipeline.topics import Topic


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
    from newswatch.adapters.seeds import seed_files
    from newswatch.pipeline import profiles
    from newswatch.pipeline.runtime import open_existing_store
    from newswatch.pipeline.topics import topics_of

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
        seeds = len(seed_files(topic.seeds_dir)) if topic.seeds_dir else 0
        negatives = len(seed_files(topic.negative_dir)) if topic.negative_dir else 0
        if topic.profile_file.exists():
            learned = _age(datetime.fromtimestamp(topic.profile_file.stat().st_mtime, UTC), now)
            with reported():
                threshold = f"{profiles.topic_profile(topic).threshold:.3f}"
        else:
            learned, threshold = "not yet", "-"
        recent, last = activity.get(topic.name, (0, None))
        table.add_row(
            topic.name,
            f"{seeds} in {topic.seeds_dir}" if seeds else "none",
            str(negatives),
            str(topic.profile_file),
            learned,
            threshold,
            str(recent),
            last.strftime("%Y-%m-%d %H:%M") if last else "-",
        )
    out.print(table)


def feedback(
    what: Annotated[
        str,
        typer.Argument(
            metavar="ALERT_ID|add-example",
            help="An alert's id (see `newswatch alerts --ids`), or `add-example`.",
        ),
    ],
    which: Annotated[
        str,
        typer.Argument(
            metavar="wrong|FILE|URL",
            help="`wrong` after an alert id; the article (a text/HTML file or an http(s) "
            "URL) after add-example.",
        ),
    ],
    topic: Annotated[
        str | None,
        typer.Option("--topic", help="The topic an added example belongs to (add-example)."),
    ] = None,
    db: DbOpt = None,
) -> None:
    """Teach a topic by example, re-learn it, and print what changed in its profile.

    `newswatch feedback ALERT_ID wrong`: the alert's article (title and text) is saved as
    seeds/TOPIC/negative/ALERT_ID.txt, an example the topic must not match; what is
    characteristic of it and not of the seeds loses weight, and the threshold rises to
    keep it under (at most to the lower quartile of the seed scores: the profile's threshold_how says
    when a marked article still matches). `newswatch feedback add-example FILE|URL --topic NAME`: the article
    is saved beside the topic's seeds (a story it missed) and learned from. Your pins and
    exclusions in the profile still win. Undo by deleting the file and running
    `newswatch learn --topic NAME`.
    """
    if what == "add-example":
        with reported():
            chosen, path = _add_example(which, topic)
        out.print(f"added example {path} to topic {chosen.name}", highlight=False)
    elif which == "wrong":
        if topic is not None:
            fail("--topic goes with add-example; an alert's topic is its own", code=2)
        with reported():
            chosen, path, existed = _mark_wrong(what, db)
        said = "was already" if existed else "saved as"
        out.print(
            f"alert {what} of topic {chosen.name}: its article {said} a negative example ({path})",
            highlight=False,
        )
    else:
        fail(
            "say `newswatch feedback ALERT_ID wrong` or "
            "`newswatch feedback add-example FILE|URL --topic NAME`",
            code=2,
        )
    _relearn(chosen)


def _relearn(chosen: Topic) -> None:
    from newswatch.pipeline import profiles
    from newswatch.profile import describe_changes

    with reported():
        learned = profiles.learn_topic(chosen, profiles.feed_titles(settings()))
    new = learned.profile
    out.print(
        f"re-learned {chosen.name}: {len(new.terms)} terms, threshold {new.threshold:.3f} "
        f"-> {chosen.profile_file}",
        highlight=False,
    )
    if learned.previous is not None:
        out.print(describe_changes(learned.previous, new), highlight=False)
    if "still match" in new.threshold_how:  # a marked article the threshold may not pass
        out.print(f"threshold: {new.threshold_how}", highlight=False)


def _article_file(title: str, text: str) -> str:
    return f"{' '.join(title.split())}\n\n{text.strip()}\n"


def _mark_wrong(alert_id: str, db: str | None) -> tuple[Topic, Path, bool]:
    from newswatch.pipeline.runtime import open_existing_store
    from newswatch.pipeline.topics import topics_of

    chosen = settings(db_url=db)
    with open_existing_store(chosen) as store:
        found = store.alert_with_text(alert_id) if store is not None else None
    if found is None:
        raise ConfigError(f"unknown alert {alert_id!r} (see `newswatch alerts --ids`)")
    alert, text = found
    topic = topics_of(chosen, alert.topic)[0]
    if topic.negative_dir is None:
        raise ConfigError(
            f"topic {topic.name!r} has no seeds folder (its profile is written by hand): "
            "exclude the terms in the profile instead",
            path=str(topic.profile_file),
        )
    path = topic.negative_dir / f"{alert_id}.txt"
    existed = path.exists()
    if not existed:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_article_file(alert.title, text), encoding="utf-8")
    return topic, path, existed


def _add_example(source: str, name: str | None) -> tuple[Topic, Path]:
    from newswatch.cli.profile import read_article
    from newswatch.pipeline.topics import topics_of

    found = topics_of(settings(), name)
    if name is None and len(found) > 1:
        raise ConfigError(
            "which topic is it an example of? --topic NAME (topics: "
            + ", ".join(t.name for t in found)
            + ")"
        )
    topic = found[0]
    if topic.seeds_dir is None:
        raise ConfigError(
            f"topic {topic.name!r} has no seeds folder: make seeds/{topic.name}/ first",
            path=str(topic.profile_file),
        )
    title, text, _lang = read_article(source)
    if not (title or text).strip():
        raise ConfigError("no article text found", path=source)
    digest = hashlib.sha256(source.encode()).hexdigest()[:8]
    slug = re.sub(r"[^\w]+", "-", title.lower(), flags=re.UNICODE).strip("-")[:50] or "example"
    path = topic.seeds_dir / f"added-{slug}-{digest}.txt"
    path.write_text(_article_file(title, text), encoding="utf-8")
    return topic, path
