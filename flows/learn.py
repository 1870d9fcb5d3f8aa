"""The learn flow: build the topic profile from the seed articles (on demand)."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from newswatch import ingest
from newswatch.settings import load_settings


@task(name="learn-profile", cache_policy=NO_CACHE)
def learn_profile(seeds_dir: str | None, profile_file: str | None) -> dict[str, Any]:
    settings = load_settings(seeds_dir=seeds_dir, profile_file=profile_file)
    profile, path = ingest.learn(settings)
    return {
        "path": str(path),
        "terms": len(profile.terms),
        "threshold": profile.threshold,
        "threshold_how": profile.threshold_how,
        "top": [(t.label, round(t.weight, 3), t.kind) for t in profile.terms[:15]],
    }


@flow(name="learn")
def learn_flow(seeds_dir: str | None = None, profile_file: str | None = None) -> dict[str, Any]:
    """Learn the profile from the seeds folder and write it (a user's edits survive)."""
    result = learn_profile(seeds_dir, profile_file)
    lines = [
        "# newswatch profile",
        "",
        f"{result['terms']} terms written to `{result['path']}`; threshold {result['threshold']:.3f}.",
        "",
        f"Threshold: {result['threshold_how']}",
        "",
        "| term | weight | kind |",
        "|---|---|---|",
    ]
    lines += [f"| {label} | {weight} | {kind} |" for label, weight, kind in result["top"]]
    create_markdown_artifact(key="learned-profile", markdown="\n".join(lines))
    get_run_logger().info("profile with %d terms written to %s", result["terms"], result["path"])
    return result


if __name__ == "__main__":
    learn_flow()
