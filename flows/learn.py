"""The learn flow: build the topic profile from the seed articles (on demand)."""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from newswatch.models import Profile
from newswatch.flows.hooks import watched
from newswatch.pipeline import profiles
from newswatch.pipeline.settings import Settings, load_settings


@task(name="learn-profile", cache_policy=NO_CACHE)
def learn_profile(settings: Settings) -> tuple[Profile, str]:
    profile, path = profiles.learn(settings)
    return profile, str(path)


@flow(name="learn", **watched())
def learn_flow(settings: Settings | None = None) -> Profile:
    """Learn the profile from the seeds folder and write it (a user's edits survive)."""
    settings = settings or load_settings()
    profile, path = learn_profile(settings)
    lines = [
        "# newswatch profile",
        "",
        f"{len(profile.terms)} terms written to `{path}`; threshold {profile.threshold:.3f}.",
        "",
        f"Threshold: {profile.threshold_how}",
        "",
        "| term | weight | kind |",
        "|---|---|---|",
    ]
    lines += [f"| {t.label} | {t.weight:.3f} | {t.kind} |" for t in profile.terms[:15]]
    create_markdown_artifact(key="learned-profile", markdown="\n".join(lines))
    get_run_logger().info("profile with %d terms written to %s", len(profile.terms), path)
    return profile


if __name__ == "__main__":
    learn_flow()
