"""The run summary prints what came from the web as it is: brackets in a title are not
console markup."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Console

from newswatch.cli.output import print_summary
from newswatch.models import Alert, ArticleOutcome, RunSummary

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_titles_and_topics_in_brackets_are_printed_as_written() -> None:
    alert = Alert(
        "a-1",
        "e1",
        "s-1",
        "[video] Dock strike [live]",
        "https://x.test/1",
        "[Wire]",
        None,
        2.0,
        1.0,
        (),
        "",
        NOW,
        topic="port-strikes",
    )
    dup = ArticleOutcome(
        "e2",
        "Copy [updated]",
        None,
        "page",
        2.0,
        True,
        "e1",
        "near",
        "s-1",
        False,
        source="[Agg]",
        duplicate_of_title="[video] Dock strike [live]",
    )
    console = Console(record=True, width=300)
    print_summary(RunSummary(started=NOW, alerts=[alert], articles=[dup]), console)
    text = console.export_text()
    assert "ALERT [port-strikes] [video] Dock strike [live]" in text
    assert "duplicate Copy [updated] from [Agg]: near copy of '[video] Dock strike [live]'" in text
    assert "alerts by topic: port-strikes 1" in text
