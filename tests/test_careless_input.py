"""Careless input: every mistake gets one clear line and the right exit code, no traceback,
no password echoed, and nothing created by a command that only reads.

Each case is one a new user made (issue: careless and hostile input).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newswatch.cli import app

REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _invoke(*args: str, cwd: Path | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), terminal_width=200)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"uncaught {type(result.exception).__name__}: {result.exception}"
    )
    return result.exit_code, result.output


def _one_line_error(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert "Traceback" not in output
    assert len(lines) == 1, output
    return lines[0]


@pytest.fixture
def profile_copy(tmp_path: Path) -> Path:
    path = tmp_path / "profile.yaml"
    shutil.copy(REPO / "config" / "profile.yaml", path)
    return path


def test_a_profile_whose_terms_are_a_number_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "profile.yaml"
    bad.write_text("name: default\nthreshold: 1.0\nterms: 42\n")
    articles = tmp_path / "a.jsonl"
    articles.write_text('{"id": "1", "title": "t", "text": "x"}\n')
    code, output = _invoke("backtest", str(articles), "--profile", str(bad))
    assert code == 2
    assert str(bad) in _one_line_error(output)


@pytest.mark.parametrize("command", ["explain", "backtest"])
def test_a_binary_file_as_profile_is_one_line(tmp_path: Path, command: str) -> None:
    bad = tmp_path / "profile.yaml"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    article = tmp_path / "a.jsonl"
    article.write_text('{"id": "1", "title": "t", "text": "x"}\n')
    code, output = _invoke(command, str(article), "--profile", str(bad))
    assert code == 2
    line = _one_line_error(output)
    assert str(bad) in line and "UTF-8" in line


def test_run_with_a_binary_profile_stops_before_prefect(tmp_path: Path) -> None:
    bad = tmp_path / "profile.yaml"
    bad.write_bytes(b"\xff\xfe\x00binary")
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds:\n  - name: a\n    url: https://a.example/rss\n")
    code, output = _invoke("run", "--feeds", str(feeds), "--profile", str(bad))
    assert code == 2 and "UTF-8" in _one_line_error(output)


def test_run_with_a_notify_file_that_does_not_exist_exits_2(
    tmp_path: Path, profile_copy: Path
) -> None:
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds:\n  - name: a\n    url: https://a.example/rss\n")
    missing = tmp_path / "notfy.yaml"
    code, output = _invoke(
        "run", "--feeds", str(feeds), "--profile", str(profile_copy), "--notify", str(missing)
    )
    assert code == 2
    line = _one_line_error(output)
    assert str(missing) in line and "not found" in line


@pytest.mark.parametrize(
    ("command", "url"),
    [("alerts", "nonsense"), ("feeds", "foo://bar/baz"), ("alerts", "postgresql+nope://x/y")],
)
def test_a_database_url_that_is_not_one_is_one_line(command: str, url: str) -> None:
    code, output = _invoke(command, "--db", url)
    assert code == 2
    assert "database URL" in _one_line_error(output)


def test_run_with_a_bad_database_url_stops_before_prefect(
    tmp_path: Path, profile_copy: Path
) -> None:
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds:\n  - name: a\n    url: https://a.example/rss\n")
    code, output = _invoke(
        "run", "--feeds", str(feeds), "--profile", str(profile_copy), "--db", "nonsense"
    )
    assert code == 2 and "database URL" in _one_line_error(output)


def test_an_unreachable_postgresql_is_one_line_without_the_password() -> None:
    code, output = _invoke(
        "alerts", "--db", "postgresql+psycopg://user:s3cretpw@127.0.0.1:1/newswatch"
    )
    assert code == 1
    line = _one_line_error(output)
    assert "s3cretpw" not in output
    assert "database" in line


def test_a_read_only_command_creates_no_store(tmp_path: Path) -> None:
    where = tmp_path / "no" / "such" / "dir" / "x.db"
    code, output = _invoke("alerts", "--db", f"sqlite:///{where}")
    assert code == 2 and "no such folder" in _one_line_error(output)
    assert not (tmp_path / "no").exists()
    here = tmp_path / "x.db"
    code, output = _invoke("feeds", "--db", f"sqlite:///{here}")
    assert code == 0 and "no feed polled yet" in output
    assert not here.exists()


def test_feeds_import_into_an_empty_flow_list(tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds: []\n")
    opml = tmp_path / "f.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>'
        '<outline text="A" type="rss" xmlUrl="https://a.example/rss"/></body></opml>'
    )
    code, output = _invoke("feeds", "import", str(opml), "--feeds", str(feeds))
    assert code == 0, output
    from newswatch.pipeline.config import load_feeds

    assert [f.url for f in load_feeds(feeds)] == ["https://a.example/rss"]


def test_alerts_retry_of_an_unknown_alert_says_so(tmp_path: Path) -> None:
    notify = tmp_path / "notify.yaml"
    notify.write_text("urls:\n  - json://127.0.0.1:9/hook\n")
    db = f"sqlite:///{tmp_path / 'store.db'}"
    from newswatch.adapters.store import Store

    Store.open(db).close()
    code, output = _invoke("alerts", "retry", "a-nope", "--db", db, "--notify", str(notify))
    assert code == 1
    assert "unknown alert 'a-nope'" in _one_line_error(output)


@pytest.mark.parametrize("command", [["run"], ["alerts"], ["feeds"], ["backtest"], ["learn"]])
def test_help_shows_flags_as_flags_and_arguments_by_name(command: list[str]) -> None:
    code, output = _invoke(*command, "--help")
    assert code == 0
    assert "<bool>" not in output
    assert "{" not in output.split("\n", 3)[1]  # the usage line names arguments plainly


def test_explain_accounts_for_every_step_from_the_terms_to_the_score(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(
        "Protests in Almaty as CSTO troops arrive\n\n"
        + "Protesters clashed with police in Almaty, Kazakhstan, as CSTO troops arrived. "
        + "Officials in Moscow and Russia commented on the unrest. " * 3
    )
    code, output = _invoke("explain", str(article), "--profile", str(REPO / "config/profile.yaml"))
    assert code == 0, output
    lines = output.splitlines()
    header = next(line for line in lines if "score" in line and "threshold" in line)
    score = header.split("score ")[1].split(",")[0]
    assert any(line.strip().startswith("terms add up to") for line in lines)
    assert any(line.strip() == f"score {score}" for line in lines), output  # the account ends there
    places = [line for line in lines if "places:" in line]
    assert all("elsewhere" not in line for line in places)  # other places on their own line
