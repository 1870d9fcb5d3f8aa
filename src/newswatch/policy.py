"""Alert policy: which targets a profile's alerts go to, and when and how each target gets them.

Config, not code: `config/alerts.yaml` (optional; without it every target gets every
alert at once, one message per run). Rules, applied per target:

- **Routing:** `routes` maps a topic to the Apprise tags its alerts go to (a target
  whose tags meet them; `"*"` = every target). A topic not listed goes to every target.
- **Instant or digest:** an alert scoring at least `instant_min_score` is sent in the run
  that found it; the others wait for the digest (the `digest` flow, on its own schedule),
  which sends one message per target grouped by story.
- **Rate cap:** at most `max_per_hour` instant messages per target in any hour; what goes
  over waits for the next digest. Never dropped.
- **Quiet hours:** between `quiet_hours.from` and `.to` in `quiet_hours.timezone`, instant
  alerts wait until the quiet hours end, unless they score at least `urgent_score`.
- **Format and templates:** `format` (html, markdown, text; default: what the service
  prefers) and optional `title` / `item` templates (Python `str.format` fields: title, url,
  source, published, score, threshold, terms, snippet, also, topic). Values are escaped for the
  format before they are put in.

The first `targets` entry whose `tags` meet a target's Apprise tags (or holds `"*"`)
applies to it; a target no entry matches is instant, uncapped, never quiet.
Pure: takes YAML text and `now`, returns decisions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from newswatch.errors import ConfigError
from newswatch.yamlfile import Node, parse_mapping

Format = Literal["text", "markdown", "html"]
Mode = Literal["instant", "digest"]
TEMPLATE_FIELDS = (
    "title",
    "url",
    "source",
    "published",
    "score",
    "threshold",
    "terms",
    "snippet",
    "also",
    "topic",
)


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time
    timezone: str

    def _local(self, now: datetime) -> datetime:
        return now.astimezone(ZoneInfo(self.timezone))

    def active(self, now: datetime) -> bool:
        t = self._local(now).time()
        if self.start <= self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end  # across midnight

    def ends(self, now: datetime) -> datetime:
        """When the quiet hours that hold at `now` end (as an aware datetime)."""
        local = self._local(now)
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if end <= local:
            end += timedelta(days=1)
        return end


@dataclass(frozen=True)
class TargetPolicy:
    tags: tuple[str, ...] = ("*",)
    format: Format | None = None
    instant_min_score: float = 0.0
    max_per_hour: int | None = None
    quiet_hours: QuietHours | None = None
    urgent_score: float | None = None
    title_template: str | None = None
    item_template: str | None = None
    line: int | None = None

    def applies_to(self, target_tags: tuple[str, ...]) -> bool:
        return "*" in self.tags or bool(set(self.tags) & set(target_tags))


@dataclass(frozen=True)
class Policy:
    routes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    targets: tuple[TargetPolicy, ...] = ()

    def for_target(self, target_tags: tuple[str, ...]) -> TargetPolicy:
        return next((p for p in self.targets if p.applies_to(target_tags)), TargetPolicy())

    def routes_to(self, profile: str, target_tags: tuple[str, ...]) -> bool:
        tags = self.routes.get(profile)
        return tags is None or "*" in tags or bool(set(tags) & set(target_tags))


def mode_for(score: float, policy: TargetPolicy) -> Mode:
    """Instant when the alert scores at least the target's `instant_min_score`."""
    return "instant" if score >= policy.instant_min_score else "digest"


def hold_until(score: float, policy: TargetPolicy, now: datetime) -> datetime | None:
    """The end of the target's quiet hours when they hold now and the alert is not urgent."""
    quiet = policy.quiet_hours
    if quiet is None or not quiet.active(now):
        return None
    if policy.urgent_score is not None and score >= policy.urgent_score:
        return None
    return quiet.ends(now)


def over_cap(messages_last_hour: int, policy: TargetPolicy) -> bool:
    return policy.max_per_hour is not None and messages_last_hour >= policy.max_per_hour


# -- parsing ------------------------------------------------------------------------


class _Quiet(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    start: time = Field(alias="from")
    end: time = Field(alias="to")
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class _Target(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tags: list[str] = Field(default_factory=lambda: ["*"], min_length=1)
    format: Format | None = None
    instant_min_score: float = 0.0
    max_per_hour: int | None = Field(None, gt=0)
    quiet_hours: _Quiet | None = None
    urgent_score: float | None = None
    title: str | None = None
    item: str | None = None

    @field_validator("title", "item")
    @classmethod
    def _template(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                value.format(**{name: "" for name in TEMPLATE_FIELDS})
            except (KeyError, IndexError, ValueError) as exc:
                raise ValueError(
                    f"template field {exc} is not one of {', '.join(TEMPLATE_FIELDS)}"
                ) from exc
        return value


def parse_policy(text: str | bytes, *, path: str = "<alerts>") -> Policy:
    """Parse an alerts policy YAML text; a wrong entry is a ConfigError with file and line."""
    root = parse_mapping(text, path=path, what="an alerts policy")
    if root is None:
        return Policy()
    routes: dict[str, tuple[str, ...]] = {}
    targets: list[TargetPolicy] = []
    for key, key_node, value in root.items("an alerts policy"):
        data: Any = value.value
        if key == "routes":
            if not isinstance(data, dict) or not all(
                isinstance(tags, list) and all(isinstance(t, str) for t in tags)
                for tags in data.values()
            ):
                raise key_node.error(
                    "'routes' maps a topic (profile name) to a list of Apprise tags"
                )
            routes = {str(k): tuple(v) for k, v in data.items()}
        elif key == "targets":
            targets.extend(_target(node) for node in value.children("'targets'"))
        else:
            raise key_node.error(f"unknown top-level key {key!r} (allowed: routes, targets)")
    return Policy(routes, tuple(targets))


def _target(node: Node) -> TargetPolicy:
    line, path = node.line, node.path
    data = node.value
    if not isinstance(data, dict):
        raise node.error("each target policy must be a mapping")
    try:
        t = _Target.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{where}: {first['msg']}", path=path, line=line) from exc
    quiet = (
        QuietHours(t.quiet_hours.start, t.quiet_hours.end, t.quiet_hours.timezone)
        if t.quiet_hours
        else None
    )
    return TargetPolicy(
        tags=tuple(t.tags),
        format=t.format,
        instant_min_score=t.instant_min_score,
        max_per_hour=t.max_per_hour,
        quiet_hours=quiet,
        urgent_score=t.urgent_score,
        title_template=t.title,
        item_template=t.item,
        line=line,
    )
