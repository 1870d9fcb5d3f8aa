"""The alert policy's rules, with a clock passed in (no sleeping)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newswatch.errors import ConfigError
from newswatch.policy import hold_until, mode_for, over_cap, parse_policy

POLICY = parse_policy(
    """
routes:
  default: [team]
  markets: [desk]
targets:
  - tags: [email]
    format: html
    instant_min_score: 3
    max_per_hour: 2
    quiet_hours: {from: "22:00", to: "07:00", timezone: Europe/Vilnius}
    urgent_score: 10
    item: "{title} ({source}) {url}"
  - tags: ["*"]
    format: markdown
""",
    path="alerts.yaml",
)


def test_the_first_matching_entry_applies_and_routes_pick_targets() -> None:
    email = POLICY.for_target(("email", "team"))
    chat = POLICY.for_target(("chat", "team"))
    assert email.format == "html" and email.max_per_hour == 2
    assert chat.format == "markdown" and chat.max_per_hour is None
    assert POLICY.routes_to("default", ("email", "team"))
    assert not POLICY.routes_to("default", ("desk",))
    assert POLICY.routes_to("unlisted-profile", ("anything",))  # not listed: every target


def test_instant_or_digest_by_score() -> None:
    email = POLICY.for_target(("email",))
    assert mode_for(3.0, email) == "instant"
    assert mode_for(2.99, email) == "digest"


def test_quiet_hours_across_midnight_in_their_time_zone() -> None:
    email = POLICY.for_target(("email",))
    # Vilnius is UTC+2 in January: 21:30 UTC is 23:30 there, quiet until 07:00 = 05:00 UTC
    late = datetime(2022, 1, 6, 21, 30, tzinfo=UTC)
    assert hold_until(5.0, email, late) == datetime(2022, 1, 7, 5, 0, tzinfo=UTC)
    early = datetime(2022, 1, 7, 4, 59, tzinfo=UTC)  # 06:59 local
    assert hold_until(5.0, email, early) == datetime(2022, 1, 7, 5, 0, tzinfo=UTC)
    day = datetime(2022, 1, 7, 5, 0, tzinfo=UTC)  # 07:00 local: over
    assert hold_until(5.0, email, day) is None
    # urgent alerts do not wait
    assert hold_until(10.0, email, late) is None


def test_the_hourly_cap() -> None:
    email = POLICY.for_target(("email",))
    assert not over_cap(1, email) and over_cap(2, email)
    assert not over_cap(1000, POLICY.for_target(("chat",)))


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("targets:\n  - tags: [a]\n    format: pdf\n", 2, "format"),
        (
            "targets:\n  - tags: [a]\n  - quiet_hours: {from: '22:00', to: '7', timezone: Mars/Base}\n",
            3,
            "time zone|to",
        ),
        ("targets:\n  - item: '{title} {nope}'\n", 2, "template field"),
        ("targets:\n  - max_per_hour: 0\n", 2, "max_per_hour"),
        ("routes: [a]\n", 1, "routes"),
        ("colour: blue\n", 1, "unknown top-level key"),
    ],
)
def test_a_bad_line_names_file_and_line(text: str, line: int, message: str) -> None:
    with pytest.raises(ConfigError, match=rf"alerts.yaml:{line}: .*({message})"):
        parse_policy(text, path="alerts.yaml")
