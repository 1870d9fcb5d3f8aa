"""The newswatch command: help texts, config errors, backtest's stable JSON lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newswatch.cli import app
from tests.support.webhook import WebhookReceiver

REPO = Path(__file__).resolve().parents[1]
DEV = REPO.parent / "shared" / "corpus" / "relevance" / "dev.jsonl"
runner = CliRunner()

COMMANDS = [
    "run",
    "learn",
    "backtest",
    "explain",
    "serve",
    "notify-test",
    "alerts",
    "feeds",
    "demo",
    "prepare",
]


def test_top_level_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_explains_itself(name: str) -> None:
    result = runner.invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert len(result.output.split()) > 15


def test_prepare_indexes_the_named_languages_into_the_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newswatch import langdata

    monkeypatch.setenv(langdata.CACHE_ENV, str(tmp_path))
    langdata.word_list.cache_clear()
    result = runner.invoke(app, ["prepare", "--lang", "lt", "--lang", "xx"])
    langdata.word_list.cache_clear()
    assert result.exit_code == 0, result.output
    assert "lt: lemmas and word list" in result.output
    assert "xx: no data in simplemma or wordfreq" in result.output
    assert f"cache: {tmp_path}" in result.output
    assert list(tmp_path.glob("wordfreq-*-lt.v*"))


def test_alerts_retry_explains_itself() -> None:
    result = runner.invoke(app, ["alerts", "retry", "--help"])
    assert result.exit_code == 0 and "not reached" in result.output


def test_run_help_names_its_flags() -> None:
    result = runner.invoke(app, ["run", "--help"], terminal_width=200)
    for flag in ["--feeds", "--notify", "--profile", "--db", "--json"]:
        assert flag in result.output


def test_run_with_a_bad_feeds_line_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        "feeds:\n  - name: ok\n    url: https://a.example/rss\n  - name: bad\n    url: gopher://x\n"
    )
    result = runner.invoke(
        app,
        ["run", "--feeds", str(feeds), "--db", f"sqlite:///{tmp_path / 'db.sqlite'}"],
        terminal_width=300,
    )
    assert result.exit_code == 2
    assert f"{feeds}:4:" in result.output
    assert "http(s) URL" in result.output


def test_run_with_a_notify_file_that_loads_nothing_exits_2(tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds:\n  - name: ok\n    url: https://a.example/rss\n")
    notify = tmp_path / "notify.yaml"
    notify.write_text("urls:\n  - notaservice://nothing-here\n")
    result = runner.invoke(
        app,
        [
            "run",
            "--feeds",
            str(feeds),
            "--notify",
            str(notify),
            "--db",
            f"sqlite:///{tmp_path / 'db.sqlite'}",
        ],
        terminal_width=300,
    )
    assert result.exit_code == 2
    assert str(notify) in result.output


@pytest.fixture(scope="module")
def profile_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("profile") / "profile.yaml"
    result = runner.invoke(app, ["learn", "--seeds", str(REPO / "seeds"), "--profile", str(path)])
    assert result.exit_code == 0, result.output
    return path


def _backtest(tmp_path: Path, profile: Path, rows: list[dict]) -> list[dict]:
    src = tmp_path / "in.jsonl"
    src.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["backtest", str(src), "--profile", str(profile)])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def seed_rows() -> list[dict]:
    rows = []
    for path in sorted((REPO / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        rows.append({"id": path.stem, "title": "", "text": text})
    return rows


def test_backtest_prints_the_stable_keys_and_alerts_each_seed_story(
    tmp_path: Path, profile_file: Path
) -> None:
    rows = seed_rows()
    repost = dict(
        rows[0], id="repost", title="Re-post", text=rows[0]["text"] + "\nSubscribe to our channel."
    )
    out = _backtest(tmp_path, profile_file, [*rows, repost])
    assert [o["id"] for o in out] == [r["id"] for r in rows] + ["repost"]
    for o in out:
        assert {
            "id",
            "match",
            "score",
            "threshold",
            "reasons",
            "duplicate_of",
            "story",
            "alert",
        } <= set(o)
    assert all(o["match"] for o in out[:-1])
    assert all(o["reasons"] for o in out[:-1])
    assert out[-1]["duplicate_of"] == rows[0]["id"] and out[-1]["alert"] is False
    assert out[-1]["story"] == out[0]["story"]
    alerted_stories = [o["story"] for o in out if o["alert"]]
    assert len(alerted_stories) == len(set(alerted_stories)) >= 1


@pytest.mark.skipif(not DEV.exists(), reason="needs ../shared/corpus/relevance/dev.jsonl")
def test_backtest_keeps_unrelated_real_articles_quiet(tmp_path: Path, profile_file: Path) -> None:
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]
    easy = [
        {
            "id": r["id"],
            "title": r["title"],
            "text": r["text"],
            "lang": r["lang"],
            "url": r.get("url"),
        }
        for r in rows
        if r["label"] == "easy_negative"
    ]
    out = _backtest(tmp_path, profile_file, easy)
    assert len(out) == len(easy)
    alerted = [o["id"] for o in out if o["alert"]]
    assert len(alerted) <= len(easy) // 20, alerted


def test_backtest_bad_line_exits_2_with_line(tmp_path: Path, profile_file: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "title": "t", "text": "x"}\n{"title": "no id"}\n')
    result = runner.invoke(
        app, ["backtest", str(src), "--profile", str(profile_file)], terminal_width=300
    )
    assert result.exit_code == 2
    assert f"{src}:2:" in result.output


def test_notify_test_says_which_targets_succeeded(tmp_path: Path) -> None:
    notify = tmp_path / "notify.yaml"
    with WebhookReceiver(200) as ok, WebhookReceiver(500) as broken:
        notify.write_text(f"urls:\n  - {ok.apprise_url}/ok\n  - {broken.apprise_url}/broken\n")
        result = runner.invoke(app, ["notify-test", "--notify", str(notify)], terminal_width=300)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.startswith("ok ") and "/ok" in line for line in lines), result.output
    assert any(line.startswith("FAILED ") and "/broken" in line for line in lines), result.output
    assert len(ok.received) == 1 and len(broken.received) == 1
