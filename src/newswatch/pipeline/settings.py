"""Settings: the only reader of the environment.

Every setting is declared once here with its default, its unit in its name and, for
secrets, a flag that keeps it out of output. Values come from (highest first):
command-line flags, `NEWSWATCH_*` environment variables, a `.env` file in the working
directory, then the defaults below. `config/README.md` documents each one; a test
keeps the two in step.

The config files themselves are read by `newswatch.pipeline.config`, once per run.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from newswatch.errors import ConfigError


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "newswatch"


class Settings(BaseSettings):
    """Runtime settings. Environment variables are the field names, upper case, with
    the prefix `NEWSWATCH_` (for example `NEWSWATCH_DB_URL`)."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSWATCH_", env_file=".env", extra="ignore", frozen=True
    )

    config_dir: Path = Field(
        Path("config"), description="Folder of feeds, notify and profile files."
    )
    seeds_dir: Path = Field(
        Path("seeds"),
        description=(
            "Folder of seed articles: one subfolder per topic (seeds/NAME/*.txt), or the "
            "articles directly in it for the one topic `default`."
        ),
    )
    data_dir: Path = Field(
        default_factory=_default_data_dir, description="Where the default SQLite store lives."
    )
    feeds_file: Path | None = Field(None, description="Feeds YAML; default config_dir/feeds.yaml.")
    notify_file: Path | None = Field(
        None, description="Apprise YAML; default config_dir/notify.yaml."
    )
    notify_secret: str | None = Field(
        None,
        description=(
            "Name of a Prefect Secret block that holds the Apprise YAML; used instead of "
            "the notify file, so the targets' tokens live only in Prefect's secret store."
        ),
    )
    alerts_file: Path | None = Field(
        None,
        description="Alert policy YAML (routing, digests, limits, quiet hours); default config_dir/alerts.yaml.",
    )
    profile_file: Path | None = Field(
        None,
        description=(
            "Profile YAML of the topic `default` (seed articles directly in seeds_dir); "
            "default config_dir/profile.yaml."
        ),
    )
    profiles_dir: Path | None = Field(
        None,
        description=(
            "Folder of the other topics' profiles (seeds_dir/NAME/ is learned into "
            "profiles_dir/NAME.yaml); default config_dir/profiles."
        ),
    )
    db_url: SecretStr | None = Field(
        None,
        description=(
            "SQLAlchemy URL of the store; default sqlite:///data_dir/newswatch.db. A secret: "
            "never shown in output, logs or Prefect flow-run parameters."
        ),
    )

    user_agent: str = Field(
        "newswatch/0.1 (+https://github.com/newswatch/newswatch)",
        description="User-Agent sent with every request; put a contact URL in it.",
    )
    allowed_hosts: str = Field(
        "",
        description=(
            "Comma-separated hosts or CIDR networks that article links and redirects may "
            "reach although they are loopback, private or link-local (the SSRF guard "
            "refuses those otherwise). Example: intranet.example.org,10.20.0.0/16."
        ),
    )
    poll_min_seconds: int = Field(
        600,
        gt=0,
        description=(
            "Shortest time between two polls of one feed; the adaptive interval and the "
            "failure backoff start here."
        ),
    )
    poll_max_seconds: int = Field(
        21600,
        gt=0,
        description="Longest time between two polls of a healthy feed (its hints are capped here).",
    )
    per_host_concurrency: int = Field(
        2, gt=0, description="Requests at once to one host (feeds and article pages alike)."
    )
    per_host_delay_seconds: float = Field(
        1.0, ge=0, description="Time between the starts of two requests to one host."
    )
    respect_robots: bool = Field(
        True, description="Fetch an article page only when the site's robots.txt allows it."
    )
    timeout_seconds: float = Field(20.0, gt=0, description="Total deadline for one HTTP request.")
    max_body_bytes: int = Field(
        5_000_000, gt=0, description="Responses larger than this are cut off."
    )
    max_entries_per_feed: int = Field(
        200, gt=0, description="Newest entries taken from one feed per run."
    )
    article_batch_size: int = Field(
        25,
        gt=0,
        description=(
            "Articles fetched and extracted per task; a run with more articles than "
            "NEWSWATCH_BATCHES_IN_FLIGHT such batches hold spreads them evenly over that "
            "many tasks (at most 100 articles each)."
        ),
    )
    batches_in_flight: int = Field(
        8,
        gt=0,
        description=(
            "Batches fetched and extracted at once. A batch fetches its pages one after "
            "another, so this is also how many pages download at once (per-host limits "
            "still apply); each batch is decided, in order, as soon as it is extracted."
        ),
    )
    extract_workers: int | None = Field(
        None,
        ge=0,
        description=(
            "Processes that extract article text, each page limited to 30 s and a "
            "crashing page failing alone: unset, one per core (measured here: twice the "
            "rate of extracting in the fetching threads); N, a pool of N; 0 extracts in "
            "the fetching threads, one page at a time (no extra processes)."
        ),
    )
    fetch_articles: bool = Field(
        True, description="Fetch each entry's page; false uses the feed summary only."
    )

    entry_lease_minutes: int = Field(
        30,
        gt=0,
        description=(
            "How long a run holds the entries it took; after that a run killed mid-way "
            "leaves them to the next run."
        ),
    )
    dask_address: str | None = Field(
        None,
        description=(
            "Address of a Dask scheduler (tcp://host:8786): fetching and extraction then run "
            "on that cluster (needs the `dask` extra). Default: threads in the flow's process."
        ),
    )
    lock_timeout_seconds: float = Field(
        300.0,
        gt=0,
        description=(
            "Longest wait for the store's decision lock (another run deciding); past it the "
            "step fails as transient and is retried with backoff."
        ),
    )
    run_timeout_seconds: int = Field(
        1500,
        gt=0,
        description=(
            "A run that takes longer is stopped (Prefect marks it TimedOut and the failure "
            "alert goes out); shorter than the entry lease, so its entries are not yet "
            "taken by the next run when it stops."
        ),
    )
    dedup_window_days: int = Field(30, gt=0, description="How far back duplicates are looked for.")
    story_window_days: int = Field(
        3, gt=0, description="How far back an article may join an existing story."
    )

    retention_days: int = Field(
        180,
        gt=0,
        description=(
            "Articles (text, fingerprints) older than this are pruned after each run; "
            "stories, alerts and their deliveries are kept. At least the dedup window."
        ),
    )

    delivery_lease_seconds: int = Field(
        300,
        gt=0,
        description=(
            "How long a run holds the deliveries it is sending; a run killed mid-send "
            "leaves them to the next run after this."
        ),
    )
    max_delivery_attempts: int = Field(
        5, gt=0, description="Sends tried before an alert is marked failed."
    )
    retry_backoff_seconds: int = Field(
        300, ge=0, description="Wait before the first retry; doubles each time."
    )

    schedule_cron: str = Field("*/15 * * * *", description="Cron schedule of `newswatch serve`.")
    digest_cron: str = Field(
        "0 8 * * *", description="Cron schedule of the digest deployment (`newswatch serve`)."
    )
    timezone: str = Field("UTC", description="Time zone of the schedule.")

    @model_validator(mode="after")
    def _timeout_inside_the_lease(self) -> Settings:
        if self.run_timeout_seconds >= self.entry_lease_minutes * 60:
            raise ValueError(
                "run_timeout_seconds must be shorter than entry_lease_minutes "
                "(a run still going when its lease ends would share its entries)"
            )
        return self

    def resolved_feeds_file(self) -> Path:
        return self.feeds_file or self.config_dir / "feeds.yaml"

    def resolved_notify_file(self) -> Path:
        return self.notify_file or self.config_dir / "notify.yaml"

    def resolved_alerts_file(self) -> Path:
        return self.alerts_file or self.config_dir / "alerts.yaml"

    def resolved_profile_file(self) -> Path:
        return self.profile_file or self.config_dir / "profile.yaml"

    def resolved_profiles_dir(self) -> Path:
        return self.profiles_dir or self.config_dir / "profiles"

    def resolved_db_url(self) -> str:
        if self.db_url:
            return self.db_url.get_secret_value()
        return f"sqlite:///{self.data_dir / 'newswatch.db'}"


def load_settings(**overrides: Any) -> Settings:
    """Build Settings from the environment plus explicit overrides (None means 'not given')."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first["loc"])
        raise ConfigError(
            f"setting {name!r} (env NEWSWATCH_{name.upper()}): {first['msg']}"
        ) from exc
