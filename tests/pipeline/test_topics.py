"""Which topics an install has: folders of seeds/, the articles directly in it, profiles."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from newswatch.errors import ConfigError
from newswatch.pipeline.settings import load_settings
from newswatch.pipeline.topics import discover_topics, topics_of


def _seed(folder: Path, name: str = "a.txt") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("Some article\n\nabout something.", encoding="utf-8")


def _settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    return load_settings(seeds_dir=tmp_path / "seeds", config_dir=tmp_path / "config")


def test_each_folder_is_a_topic_and_loose_seeds_are_default(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    _seed(seeds)  # directly in seeds/: the topic `default`
    _seed(seeds / "port-strikes")
    _seed(seeds / "port-strikes" / "negative")  # not a topic of its own
    _seed(seeds / "kazakhstan-2022")
    (seeds / "empty").mkdir()  # no seeds: not a topic
    _seed(seeds / ".hidden")
    topics = discover_topics(_settings(tmp_path))
    assert [t.name for t in topics] == ["default", "kazakhstan-2022", "port-strikes"]
    default, _, ports = topics
    assert default.profile_file == tmp_path / "config" / "profile.yaml"
    assert default.seeds_dir == seeds and default.negative_dir == seeds / "negative"
    assert ports.profile_file == tmp_path / "config" / "profiles" / "port-strikes.yaml"
    assert ports.negative_dir == seeds / "port-strikes" / "negative"


def test_a_profile_without_seeds_is_a_topic_too(tmp_path: Path) -> None:
    profiles = tmp_path / "config" / "profiles"
    profiles.mkdir(parents=True)
    (profiles / "by-hand.yaml").write_text("name: by-hand\nthreshold: 1\nterms: []\n")
    (tmp_path / "config" / "profile.yaml").write_text("name: default\nthreshold: 1\nterms: []\n")
    topics = discover_topics(_settings(tmp_path))
    assert [(t.name, t.seeds_dir) for t in topics] == [("default", None), ("by-hand", None)]


def test_a_folder_that_cannot_be_a_topic_is_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _seed(tmp_path / "seeds" / "good")
    _seed(tmp_path / "seeds" / "bad name!")
    with caplog.at_level(logging.WARNING, logger="newswatch"):
        topics = discover_topics(_settings(tmp_path))
    assert [t.name for t in topics] == ["good"]
    assert "bad name!" in caplog.text and "not a topic" in caplog.text


def test_naming_a_topic_that_does_not_exist_says_which_do(tmp_path: Path) -> None:
    _seed(tmp_path / "seeds" / "one")
    with pytest.raises(ConfigError, match="no topic 'two' \\(topics: one\\)"):
        topics_of(_settings(tmp_path), "two")
    with pytest.raises(ConfigError, match="no topics"):
        topics_of(load_settings(seeds_dir=tmp_path / "none", config_dir=tmp_path / "c"))


def test_learning_reads_the_feeds_names_and_goes_on_without_them(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from newswatch.pipeline.profiles import feed_titles

    settings = _settings(tmp_path)
    assert feed_titles(settings) == ()  # no feeds file yet
    (tmp_path / "config").mkdir()
    feeds = tmp_path / "config" / "feeds.yaml"
    feeds.write_text(
        "feeds:\n  - name: Varnik Post | World\n    url: https://example.org/rss\n",
        encoding="utf-8",
    )
    assert feed_titles(settings) == ("Varnik Post | World",)
    feeds.write_text("feeds:\n  - name: [broken\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="newswatch"):
        assert feed_titles(settings) == ()
    assert "feeds.yaml" in caplog.text
