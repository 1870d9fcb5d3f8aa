"""simplemma's lemma dictionaries and wordfreq's word lists, loaded in milliseconds and a
few megabytes instead of seconds and hundreds of megabytes.

Both libraries ship their data inside the package, but reading it is slow or large:

- simplemma's low-memory backend reads a language's front-coded dictionary in place, but
  first walks every record once in Python to index it (Polish: 3.7 million records, 3.8 s;
  Russian 1.5 s; German 1.3 s), on every start of every process.
- wordfreq builds a dict of every word of a language on the first lookup (Russian: 713,000
  words, 0.8 s and 115 MB; English, Polish, Russian, Chinese and German together 300 MB).

So each language's index is built once and kept in newswatch's cache folder
(`NEWSWATCH_CACHE_DIR`, default `$XDG_CACHE_HOME/newswatch` or `~/.cache/newswatch`), keyed
by the library's version and a checksum of its data: simplemma's block index (one entry per
32 records) and, for wordfreq, each word's 64-bit hash and frequency in two sorted arrays
(Russian: 8 MB). Nothing is downloaded: the cache is derived from the installed packages.
A later start reads it in milliseconds. When the folder cannot be written, the index is
built in memory as before. The lookups answer exactly as the libraries do (a test compares
them word by word).
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import math
import os
import tempfile
import zlib
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, overload

import numpy as np
import simplemma
import wordfreq
from simplemma.utils import normalize_token
from wordfreq.numbers import digit_freq, smash_numbers
from wordfreq.tokens import lossy_tokenize

log = logging.getLogger(__name__)

CACHE_ENV = "NEWSWATCH_CACHE_DIR"
_FORMAT = 1  # bump when the layout of a cached file changes


def cache_dir() -> Path:
    """Where derived language data is kept (see the module notes)."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newswatch"


def _read_cached(name: str) -> Any | None:
    path = cache_dir() / name
    try:
        with path.open("rb") as fh:
            return marshal.load(fh)
    except (OSError, EOFError, ValueError, TypeError):
        return None


def _write_cached(name: str, value: Any) -> None:
    """Write atomically (a temporary file renamed), so a parallel reader never sees half."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.")
        os.fchmod(fd, 0o644)  # readable by others: an image's cache serves its runtime user
        with os.fdopen(fd, "wb") as fh:
            marshal.dump(value, fh)
        os.replace(tmp, folder / name)
    except OSError as exc:
        log.debug("language data cache not written to %s: %s", folder, exc)


# -- simplemma ----------------------------------------------------------------------------


class _Packed(Sequence[bytes]):
    """A list of byte strings kept as one blob and its offsets (loads in one read)."""

    def __init__(self, blob: bytes, offsets: array) -> None:
        self._blob = blob
        self._offsets = offsets

    @classmethod
    def of(cls, items: list[bytes]) -> _Packed:
        offsets = array("q", [0])
        for item in items:
            offsets.append(offsets[-1] + len(item))
        return cls(b"".join(items), offsets)

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @overload
    def __getitem__(self, i: int) -> bytes: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[bytes]: ...
    def __getitem__(self, i: int | slice) -> bytes | Sequence[bytes]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._blob[self._offsets[i] : self._offsets[i + 1]]

    def dump(self) -> tuple[bytes, bytes]:
        return self._blob, self._offsets.tobytes()

    @classmethod
    def load(cls, blob: bytes, offsets: bytes) -> _Packed:
        found = array("q")
        found.frombytes(offsets)
        return cls(blob, found)


class _Blocks(Sequence[tuple[int, bytes, bytes]]):
    """StreamMap's block seeds (record offset, previous key, previous value), packed."""

    def __init__(self, starts: array, keys: _Packed, values: _Packed) -> None:
        self._starts, self._keys, self._values = starts, keys, values

    def __len__(self) -> int:
        return len(self._starts)

    @overload
    def __getitem__(self, i: int) -> tuple[int, bytes, bytes]: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[tuple[int, bytes, bytes]]: ...
    def __getitem__(
        self, i: int | slice
    ) -> tuple[int, bytes, bytes] | Sequence[tuple[int, bytes, bytes]]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        return self._starts[i], self._keys[i], self._values[i]


def _stream_map(lang: str) -> Mapping[str, str]:
    """simplemma's low-memory dictionary of `lang`, its block index read from the cache."""
    from simplemma.strategies.dictionaries import frontcode
    from simplemma.strategies.dictionaries.dictionary_factory import _read_decompressed
    from simplemma.strategies.dictionaries.stream_dictionary_factory import StreamMap

    data = _read_decompressed(lang)  # ValueError for a language simplemma lacks
    rev, count, pos = frontcode._read_header(data)
    name = f"simplemma-{simplemma.__version__}-{lang}-{zlib.crc32(data):08x}.v{_FORMAT}"
    cached = _read_cached(name)
    firsts: Sequence[bytes]
    blocks: Sequence[tuple[int, bytes, bytes]]
    if isinstance(cached, tuple) and len(cached) == 8 and cached[0] == count:
        firsts = _Packed.load(cached[1], cached[2])
        starts = array("q")
        starts.frombytes(cached[3])
        blocks = _Blocks(
            starts, _Packed.load(cached[4], cached[5]), _Packed.load(cached[6], cached[7])
        )
    else:
        built = StreamMap(lang)
        firsts, blocks = built._firsts, built._blocks
        packed_firsts = _Packed.of(list(firsts))
        keys = _Packed.of([b[1] for b in blocks])
        values = _Packed.of([b[2] for b in blocks])
        _write_cached(
            name,
            (
                count,
                *packed_firsts.dump(),
                array("q", [b[0] for b in blocks]).tobytes(),
                *keys.dump(),
                *values.dump(),
            ),
        )
    index = object.__new__(StreamMap)
    index._data = data
    index._rev = rev
    index._count = count
    index._pos = pos
    index._firsts = firsts  # type: ignore[assignment]  # read as sequences only
    index._blocks = blocks  # type: ignore[assignment]
    return index


def _dictionary_factory() -> Any | None:
    """A simplemma dictionary factory over `_stream_map`; None when the installed simplemma
    has no low-memory backend of this shape (the caller then uses simplemma's own)."""
    try:
        from simplemma.strategies.dictionaries import frontcode  # noqa: F401
        from simplemma.strategies.dictionaries.stream_dictionary_factory import (
            StreamDictionaryFactory,
            StreamMap,
        )
    except ImportError:
        return None
    if not {"_data", "_rev", "_count", "_pos", "_firsts", "_blocks"} <= set(StreamMap.__slots__):
        return None

    class CachedStreamDictionaryFactory(StreamDictionaryFactory):  # type: ignore[misc,unused-ignore]
        __slots__ = ()

        def _get_dictionary_uncached(self, lang: str) -> Mapping[str, str]:
            try:
                return _stream_map(lang)
            except ValueError:
                raise
            except Exception as exc:  # noqa: BLE001 - a changed simplemma: use its own path
                log.debug("simplemma index cache unusable for %s: %s", lang, exc)
                return StreamMap(lang)

    return CachedStreamDictionaryFactory(cache_max_size=16)


DICTIONARY_FACTORY = _dictionary_factory()


def lemmatizer() -> simplemma.Lemmatizer | None:
    """A simplemma lemmatizer reading its dictionaries in place, indexed from the cache;
    None on a simplemma without the low-memory backend."""
    try:
        from simplemma.strategies import DefaultStrategy
    except ImportError:
        return None
    try:
        if DICTIONARY_FACTORY is not None:
            strategy = DefaultStrategy(dictionary_factory=DICTIONARY_FACTORY)
        else:
            strategy = DefaultStrategy(low_memory=True)  # type: ignore[call-arg,unused-ignore]
    except TypeError:
        return None
    return simplemma.Lemmatizer(lemmatization_strategy=strategy)


def is_known(word: str, lang: str) -> bool:
    """Whether simplemma's dictionary of `lang` has the word (as `simplemma.is_known`)."""
    if DICTIONARY_FACTORY is None:
        return bool(simplemma.is_known(word, lang, low_memory=True))
    return _lookup_strategy().get_lemma(normalize_token(word), lang) is not None


@lru_cache(maxsize=1)
def _lookup_strategy() -> Any:
    from simplemma.strategies import DictionaryLookupStrategy

    return DictionaryLookupStrategy(DICTIONARY_FACTORY)  # type: ignore[arg-type]


# -- wordfreq -----------------------------------------------------------------------------


def _word_hash(word: str) -> int:
    return int.from_bytes(
        hashlib.blake2b(word.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little"
    )


class WordList(Mapping[str, float]):
    """One language's wordfreq list as sorted 64-bit word hashes and their centibels:
    `freqs[word]` is the frequency wordfreq's `get_frequency_dict` gives."""

    def __init__(self, hashes: np.ndarray, centibels: np.ndarray) -> None:
        self._hashes = hashes
        self._cb = centibels

    def _find(self, word: str) -> int:
        h = np.uint64(_word_hash(word))
        i = int(np.searchsorted(self._hashes, h))
        return i if i < len(self._hashes) and self._hashes[i] == h else -1

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._find(word) >= 0

    def __getitem__(self, word: str) -> float:
        i = self._find(word)
        if i < 0:
            raise KeyError(word)
        return float(wordfreq.cB_to_freq(-int(self._cb[i])))

    def get(self, word: str, default: Any = None) -> Any:  # type: ignore[override]
        i = self._find(word)
        return default if i < 0 else float(wordfreq.cB_to_freq(-int(self._cb[i])))

    def __iter__(self) -> Iterator[str]:
        raise TypeError("a WordList holds hashes; iterate wordfreq's own list instead")

    def __len__(self) -> int:
        return len(self._hashes)


def _frequency_list(lang: str) -> list[list[str]]:
    """wordfreq's list of `lang` without keeping it in wordfreq's own cache."""
    reader = getattr(wordfreq.get_frequency_list, "__wrapped__", wordfreq.get_frequency_list)
    return reader(lang, "best")  # type: ignore[no-any-return]


@cache
def word_list(lang: str) -> WordList:
    """The wordfreq list of `lang` (LookupError for a language wordfreq does not have)."""
    name = f"wordfreq-{_version('wordfreq')}-{lang}.v{_FORMAT}"
    cached = _read_cached(name)
    if isinstance(cached, tuple) and len(cached) == 2:
        hashes = np.frombuffer(cached[0], dtype=np.uint64)
        cb = np.frombuffer(cached[1], dtype=np.uint16)
        if len(hashes) == len(cb):
            return WordList(hashes, cb)
    pack = _frequency_list(lang)
    buckets: dict[int, int] = {}
    for index, bucket in enumerate(pack):
        for word in bucket:
            buckets[_word_hash(word)] = index  # as wordfreq's dict: the last bucket wins
    del pack
    hashes = np.fromiter(buckets.keys(), dtype=np.uint64, count=len(buckets))
    cb = np.fromiter(buckets.values(), dtype=np.uint16, count=len(buckets))
    del buckets
    order = np.argsort(hashes)
    hashes, cb = hashes[order], cb[order]
    _write_cached(name, (hashes.tobytes(), cb.tobytes()))
    return WordList(hashes, cb)


def _version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return "0"


def word_frequency(word: str, lang: str, minimum: float = 0.0) -> float:
    """wordfreq's `word_frequency(word, lang, minimum=minimum)`, looked up in `word_list`."""
    tokens = lossy_tokenize(word, lang)
    if not tokens:
        return minimum
    freqs = word_list(lang)
    one_over_result = 0.0
    for token in tokens:
        smashed = smash_numbers(token)
        freq = freqs.get(smashed)
        if freq is None:
            return minimum
        if smashed != token:
            freq *= digit_freq(token)
        one_over_result += 1.0 / freq
    freq = 1.0 / one_over_result
    if wordfreq.get_language_info(lang)["tokenizer"] == "jieba":
        freq *= wordfreq.INFERRED_SPACE_FACTOR ** -(len(tokens) - 1)
    unrounded = max(freq, minimum)
    if unrounded == 0.0:
        return 0.0
    leading_zeroes = math.floor(-math.log(unrounded, 10))
    return float(round(unrounded, leading_zeroes + 3))


@lru_cache(maxsize=400_000)
def zipf_frequency(word: str, lang: str) -> float:
    """wordfreq's `zipf_frequency(word, lang)`, looked up in `word_list`."""
    freq = word_frequency(word, lang, wordfreq.zipf_to_freq(0.0))
    return float(round(wordfreq.freq_to_zipf(freq), 2))


# The languages `newswatch prepare` indexes when none are named (the README's list of
# languages with cross-language reach); any other language is indexed on first use.
PREPARED_LANGUAGES = (
    "en",
    "ru",
    "uk",
    "pl",
    "de",
    "fr",
    "es",
    "it",
    "pt",
    "tr",
    "zh",
    "ja",
    "lt",
    "cs",
)


@dataclass(frozen=True)
class Prepared:
    """What `prepare` found for one language: its lemma dictionary and word list."""

    lang: str
    lemmas: bool
    words: bool


def prepare(lang: str) -> Prepared:
    """Index one language's lemma dictionary and word list into the cache now (each is
    False when the library has no data for the language)."""
    try:
        is_known("", lang)
        lemmas = DICTIONARY_FACTORY is not None
    except ValueError:
        lemmas = False
    try:
        word_list(lang)
        words = True
    except LookupError:
        words = False
    return Prepared(lang, lemmas, words)
