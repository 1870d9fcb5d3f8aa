"""The run summary as the Prefect UI shows it: readable times, each alert with its story,
delivery state and the outlets that also reported it."""

from __future__ import annotations

from datetime import UTC, datetime

from newswatch.models import Alert, ArticleOutcome, DeliveryOutcome, RunSummary
from newswatch.report import alerts_table, summary_markdown

T0 = datetime(2026, 11, 30, 14, 15, 3, 123456, tzinfo=UTC)


def _summary() -> RunSummary:
    alert = Alert(
        "a-1", "e1", "s-e1", "Quake hits the coast", "https://a.example/1", "Wire A",
        None, 2.5, 1.0, (), "", T0,
    )  # fmt: skip

    def outcome(aid: str, source: str, alerted: bool) -> ArticleOutcome:
        return ArticleOutcome(
            aid, "Quake", None, "page", 2.0, True, None, None, "s-e1", alerted, source=source
        )

    return RunSummary(
        started=T0,
        finished=T0.replace(second=9, microsecond=23456),
        articles=[outcome("e1", "Wire A", True), outcome("e2", "Paper B", False)],
        alerts=[alert],
        deliveries=[DeliveryOutcome("json://hook", True, "delivered", "a-1", "sent")],
    )


def test_times_have_no_microseconds_and_alerts_show_story_state_and_outlets() -> None:
    text = summary_markdown(_summary())
    assert "2026-11-30 14:15:03 UTC" in text and "123456" not in text
    assert "(5.9 s)" in text
    row = next(line for line in text.splitlines() if "Quake hits the coast" in line)
    assert "s-e1" in row and "json://hook: sent" in row and "Paper B" in row
    (table_row,) = alerts_table(_summary())
    assert table_row["also reported by"] == "Paper B"
    assert table_row["deliveries"] == "json://hook: sent"
