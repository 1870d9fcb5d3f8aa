"""Word senses across languages, from English Wiktionary's translation tables.

A seed's word says what happened (leak, explosion, collapse); the same story in another
language uses that language's word. `data/translations.sqlite` (built at development
time by `scripts/build_translations.py` from an open resource; see data/README.md) holds
word senses: one row of an English word's translation table ("leak", noun, "escape of a
fluid") with that row's forms in each language, all meaning the same thing. Nothing in it
was picked for a topic, and learning only looks up the words the seeds brought.

Lookups go to the bundled SQLite file, so a learn reads the few senses it needs and never
loads the table. Pure: reads only the bundled file, read-only.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

FILE = "translations.sqlite"
# The languages the table has forms in (English is the pivot: every sense is a row of an
# English word's translation table).
LANGUAGES = ("en", "cs", "de", "es", "fr", "it", "ja", "lt", "pl", "pt", "ru", "tr", "uk", "zh")


@dataclass(frozen=True)
class Form:
    lang: str
    alias: str  # as matching needs it: lemmas of the words (Chinese and Japanese as written)
    zipf: float  # wordfreq's Zipf frequency in `lang` (a phrase: its rarest word); 0 unknown


_local = threading.local()


def _db() -> sqlite3.Connection | None:
    """This thread's read-only connection to the bundled table (None when not shipped)."""
    db: sqlite3.Connection | None = getattr(_local, "db", None)
    if db is None:
        path = resources.files("newswatch.data") / FILE
        if not path.is_file():
            return None
        db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        _local.db = db
    return db


def available() -> bool:
    return _db() is not None


def senses(keys: Iterable[tuple[str, str]]) -> set[int]:
    """The senses having a form with one of these (language, match key) pairs."""
    db = _db()
    if db is None:
        return set()
    pairs = sorted({(lang, key) for lang, key in keys if lang in LANGUAGES and key})
    found: set[int] = set()
    for lang, key in pairs:
        found.update(
            row[0]
            for row in db.execute("SELECT sense FROM form WHERE lang=? AND key=?", (lang, key))
        )
    return found


@lru_cache(maxsize=8192)
def forms(sense: int) -> tuple[Form, ...]:
    """The sense's forms in every language of the table."""
    return _forms("SELECT lang, alias, zipf FROM alias WHERE sense=?", sense)


def name(sense: int) -> str:
    """'leak (n): entrance or escape of a fluid'."""
    return _name("SELECT name FROM sense WHERE id=?", sense)


def _forms(sql: str, entry: int) -> tuple[Form, ...]:
    """The forms `sql` (of a sense's or a proper name's aliases) selects for an entry."""
    db = _db()
    if db is None:
        return ()
    return tuple(Form(lang, alias, z / 100) for lang, alias, z in db.execute(sql, (entry,)))


def _name(sql: str, entry: int) -> str:
    db = _db()
    row = db.execute(sql, (entry,)).fetchone() if db is not None else None
    return str(row[0]) if row else str(entry)


def proper_names(keys: Iterable[str]) -> set[int]:
    """The proper names (Silicon Valley, Red Crescent, Anatolia: English Wiktionary's
    proper nouns with translations) having a form with one of these name keys (the words'
    name keys; Chinese and Japanese as written, casefolded)."""
    db = _db()
    if db is None:
        return set()
    found: set[int] = set()
    for key in sorted({k for k in keys if k}):
        found.update(
            row[0] for row in db.execute("SELECT proper FROM proper_form WHERE key=?", (key,))
        )
    return found


@lru_cache(maxsize=1024)
def proper_forms(proper: int) -> tuple[Form, ...]:
    """A proper name's forms in every language of the table (as written: names are
    matched on name keys, not lemmatised)."""
    return _forms("SELECT lang, alias, zipf FROM proper_alias WHERE proper=?", proper)


def proper_name(proper: int) -> str:
    """'Silicon Valley: nickname for region in San Francisco'."""
    return _name("SELECT name FROM proper WHERE id=?", proper)


def demonyms(country: str) -> tuple[tuple[str, str], ...]:
    """(language, form) of the adjectives and nouns of a country's people and things
    (Kazakhstani, казахстанский, kazachstański), by its two-letter code: from the
    table's entries whose gloss names the one country ("of or pertaining to Kazakhstan")."""
    db = _db()
    if db is None:
        return ()
    rows = db.execute(
        "SELECT lang, form FROM demonym WHERE country=? ORDER BY lang, form", (country,)
    )
    return tuple((str(lang), str(form)) for lang, form in rows)


def demonym_country(form: str) -> str | None:
    """The country whose demonym `form` is, when it is one of exactly one country's."""
    return _one_country("demonym", form)


def capital_country(form: str) -> str | None:
    """The country whose capital `form` names (Astana, Астана, 阿斯塔纳), by its gloss in the
    table ("the capital of Kazakhstan"), when it is one country's."""
    return _one_country("capital", form)


def _one_country(table: str, form: str) -> str | None:
    db = _db()
    if db is None:
        return None
    sql = f"SELECT DISTINCT country FROM {table} WHERE form=?"  # table: one of two names above
    rows = db.execute(sql, (form,)).fetchall()
    return str(rows[0][0]) if len(rows) == 1 else None
