"""The cached language data answers exactly as simplemma and wordfreq do, from the cache
and when built fresh, and survives a cache it cannot write or read."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import simplemma
import wordfreq

from newswatch import langdata


def _fresh(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    monkeypatch.setenv(langdata.CACHE_ENV, str(folder))
    langdata.word_list.cache_clear()
    langdata.zipf_frequency.cache_clear()
    if langdata.DICTIONARY_FACTORY is not None:
        langdata.DICTIONARY_FACTORY._get_dictionary.cache_clear()


@pytest.fixture(autouse=True)
def _restore() -> object:
    yield
    langdata.word_list.cache_clear()
    langdata.zipf_frequency.cache_clear()
    if langdata.DICTIONARY_FACTORY is not None:
        langdata.DICTIONARY_FACTORY._get_dictionary.cache_clear()


def _words(lang: str, n: int) -> list[str]:
    listed = list(wordfreq.iter_wordlist(lang))
    rng = random.Random(7)
    sample = rng.sample(listed, n)
    odd = ["", "  ", "xqzzvk", "2022", "1,500", "covid-19", "New York", "don't", "Mañana"]
    return sample + [w.title() for w in sample[:50]] + [w + "qx" for w in sample[:50]] + odd


@pytest.mark.parametrize("lang", ["en", "lt", "tr"])
def test_zipf_is_wordfreqs_from_a_fresh_build_and_from_the_cache(
    lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fresh(monkeypatch, tmp_path)
    words = _words(lang, 600)
    built = [langdata.zipf_frequency(w, lang) for w in words]
    assert list(tmp_path.glob(f"wordfreq-*-{lang}.v*"))  # written
    _fresh(monkeypatch, tmp_path)
    cached = [langdata.zipf_frequency(w, lang) for w in words]
    expected = [wordfreq.zipf_frequency(w, lang) for w in words]
    assert built == expected
    assert cached == expected
    assert max(expected) > 5 and 0.0 in expected  # common words and unknown ones


@pytest.mark.parametrize("lang", ["lt", "cs"])
def test_lemmas_and_known_words_are_simplemmas_from_a_fresh_build_and_from_the_cache(
    lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if langdata.DICTIONARY_FACTORY is None:
        pytest.skip("this simplemma has no low-memory backend to index")
    from simplemma.strategies.dictionaries.dictionary_factory import _load_dictionary_from_disk

    forms = [k.decode() for k in _load_dictionary_from_disk(lang)]
    rng = random.Random(3)
    words = rng.sample(forms, 800) + [w + "zq" for w in rng.sample(forms, 100)] + ["Xyzzy"]
    expected = [
        (simplemma.lemmatize(w, lang, low_memory=True), simplemma.is_known(w, lang)) for w in words
    ]
    for _ in ("build", "cached"):
        _fresh(monkeypatch, tmp_path)
        lemmatizer = langdata.lemmatizer()
        assert lemmatizer is not None
        got = [(lemmatizer.lemmatize(w, lang), langdata.is_known(w, lang)) for w in words]
        assert got == expected
        assert list(tmp_path.glob(f"simplemma-*-{lang}-*"))
    assert sum(known for _, known in expected) >= 800  # the sampled forms are known
    assert not all(known for _, known in expected)


def test_a_cache_folder_that_cannot_be_written_costs_time_not_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    _fresh(monkeypatch, blocked / "cache")  # mkdir under a file fails
    assert langdata.zipf_frequency("protest", "en") == wordfreq.zipf_frequency("protest", "en")
    assert langdata.is_known("protestai", "lt") == simplemma.is_known("protestai", "lt")


def test_a_damaged_cache_file_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fresh(monkeypatch, tmp_path)
    langdata.word_list("lt")
    (cached,) = tmp_path.glob("wordfreq-*-lt.v*")
    cached.write_bytes(b"\x00garbage")
    _fresh(monkeypatch, tmp_path)
    assert langdata.zipf_frequency("ir", "lt") == wordfreq.zipf_frequency("ir", "lt")
    assert cached.stat().st_size > 100_000  # written again


def test_prepare_reports_what_each_library_has(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fresh(monkeypatch, tmp_path)
    assert langdata.prepare("lt") == langdata.Prepared("lt", lemmas=True, words=True)
    assert langdata.prepare("ja") == langdata.Prepared("ja", lemmas=False, words=True)
    assert langdata.prepare("xx") == langdata.Prepared("xx", lemmas=False, words=False)
