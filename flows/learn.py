"""The learn flow: build each topic's profile from its seed articles (on demand)."""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from newswatch.flows.hooks import watched
from newswatch.models import Profile
from newswatch.pipeline import profiles
from newswatch.pipeline.settings import Settings, load_settings
from newswatch.pipeline.topics import Topic


@task(name="learn-topic", cache_policy=NO_CACHE, task_run_name="learn {topic.name}")
def learn_topic(topic: Topic, feeds: tuple[str, ...] = ()) -> Profile:
    return profiles.learn_topic(topic, feeds).profile


@flow(name="learn", **watched())
def learn_flow(settings: Settings | None = None, topic: str | None = None) -> list[Profile]:
    """Learn every topic that has seed articles (or only `topic`) and write its profile;
    a user's edits survive."""
    settings = settings or load_settings()
    chosen = profiles.learnable_topics(settings, topic)
    feeds = profiles.feed_titles(settings)
    learned = [learn_topic(t, feeds) for t in chosen]
    lines = ["# newswatch profiles", ""]
    for t, profile in zip(chosen, learned, strict=True):
        lines += [
            f"## {t.name}",
            "",
            f"{len(profile.terms)} terms from {len(profile.seeds)} seeds written to "
            f"`{t.profile_file}`; threshold {profile.threshold:.3f}.",
            "",
            f"Threshold: {profile.threshold_how}",
            "",
            "| term | weight | kind |",
            "|---|---|---|",
        ]
        lines += [f"| {x.label} | {x.weight:.3f} | {x.kind} |" for x in profile.terms[:15]]
        lines.append("")
        get_run_logger().info(
            "topic %s: profile with %d terms written to %s",
            t.name,
            len(profile.terms),
            t.profile_file,
        )
    create_markdown_artifact(key="learned-profile", markdown="\n".join(lines))
    return learned


if __name__ == "__main__":
    learn_flow()
