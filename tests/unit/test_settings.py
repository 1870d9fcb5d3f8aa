"""Config files: a wrong line stops the run with the file, the line and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswatch.errors import ConfigError
from newswatch.feedlist import parse_feeds
from newswatch.models import Feed
from newswatch.pipeline.config import load_feeds
from newswatch.pipeline.settings import load_settings


def test_parses_feeds_with_defaults() -> None:
    feeds = parse_feeds(
        "feeds:\n"
        "  - name: Wire\n    url: https://wire.example/rss\n    tags: [en, asia]\n"
        "  - url: https://other.example/atom\n    tags: ru\n"
    )
    assert feeds == [
        Feed("Wire", "https://wire.example/rss", ("en", "asia")),
        Feed("https://other.example/atom", "https://other.example/atom", ("ru",)),
    ]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("feeds:\n  - name: a\n    url: ftp://x/feed\n", 2, "http(s) URL"),
        (
            "feeds:\n  - name: a\n    url: https://x/f\n  - name: b\n    urll: https://y/f\n",
            4,
            "unknown key",
        ),
        (
            "feeds:\n  - name: a\n    url: https://x/f\n  - name: b\n    url: https://x/f\n",
            4,
            "listed twice",
        ),
        ("feeds:\n  - name: [unclosed\n", 3, "not valid YAML"),
        ("feed:\n  - url: https://x/f\n", 1, "unknown top-level key"),
        ("feeds: https://x/f\n", 1, "must be a list"),
        ("", 1, "empty feeds file"),
        ("feeds:\n  - just-a-string\n", 2, "must be a mapping"),
    ],
)
def test_bad_feeds_name_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_feeds(text, path="feeds.yaml")
    assert info.value.line == line
    assert words in str(info.value)
    assert str(info.value).startswith(f"feeds.yaml:{line}: ")


def test_missing_feeds_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_feeds(tmp_path / "nope.yaml")


def test_environment_and_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NEWSWATCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("NEWSWATCH_TIMEOUT_SECONDS", "7.5")
    s = load_settings(db_url=None, config_dir=tmp_path / "cfg")
    assert s.timeout_seconds == 7.5
    assert s.resolved_db_url() == f"sqlite:///{tmp_path / 'newswatch.db'}"
    assert s.resolved_feeds_file() == tmp_path / "cfg" / "feeds.yaml"
    monkeypatch.setenv("NEWSWATCH_TIMEOUT_SECONDS", "-1")
    with pytest.raises(ConfigError, match="NEWSWATCH_TIMEOUT_SECONDS"):
        load_settings()
