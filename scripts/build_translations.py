"""Build src/newswatch/data/translations.sqlite: word senses of English Wiktionary's
translation tables, with each sense's forms in the languages newswatch translates into.

Source: the bilingual English => X dictionaries that Matthias Buchmeier extracts from the
English Wiktionary's translation tables, as published by the Open DSL Dictionary Project
(https://github.com/open-dsl-dict/wiktionary-dict, `dsl/oneway/en-XX-enwiktionary.dsl.dz`,
Wiktionary dump of 2014-11-29). Licence: CC BY-SA 3.0 (or GFDL), Wiktionary's
contributors; the table built here is shared under the same licence (see data/README.md).

A sense is one row of an English word's translation table ("leak", noun, "entrance or
escape of a fluid"): every language's translations in that row mean the same thing. The
table stores, per sense, its forms in each language as matching needs them (lemmas, by
the installed simplemma) with wordfreq's Zipf frequency, and an index from each form's
match key to its senses. Learning looks up only the words the seeds brought (see
`newswatch.translations`); nothing in the table is chosen for a topic.

Rebuild (after upgrading simplemma or wordfreq, or with a newer dump):

    git clone https://github.com/open-dsl-dict/wiktionary-dict /tmp/wiktionary-dict
    git clone https://github.com/CPJKU/wechsel /tmp/wechsel
    .venv/bin/python scripts/build_translations.py /tmp/wiktionary-dict/dsl/oneway \\
        /tmp/wechsel/dicts/data
"""

from __future__ import annotations

import gzip
import re
import sqlite3
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from newswatch.text import (  # noqa: E402
    WORD,
    is_unspaced,
    lemma_forms,
    lemma_strays,
    raw_key,
    word_key,
    zipf,
)
from newswatch.translations import FILE, LANGUAGES  # noqa: E402

# file code -> newswatch's language code
FILES = {lang: lang for lang in LANGUAGES if lang not in ("en", "uk", "lt")} | {"zh": "cmn"}
# Nouns and adjectives: what happened and what it was like (leak, explosion, underwater).
# Verbs translate less one to one (German "ergreifen" is to seize and to take measures):
# with verbs, svb's seeds confirmed "seize" through "Maßnahmen ergreifen" and two other
# banks' takeovers alerted; adverbs say little about a story.
KEEP_POS = {"n", "adj"}
MAX_WORDS = 3
HEADWORD = re.compile(r"^[a-z][a-z'\- ]*$")
BAD = re.compile(r"[0-9<>{}=|_@#/\\\[\]()!?\"“”…]")


def parse(path: Path) -> list[tuple[str, str, str, list[str]]]:
    """(headword, part of speech, gloss, translations) of each entry of a DSL file."""
    with gzip.open(path) as f:
        text = f.read().decode("utf-16")
    out: list[tuple[str, str, str, list[str]]] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [x for x in block.split("\n") if x.strip()]
        if len(lines) < 3 or lines[0].startswith(("\t", "#")):
            continue
        head = lines[0].strip()
        pos = re.search(r"<([\w ]+)>", lines[1])
        gloss = re.search(r"\(([^)]*)\)", re.sub(r"\[c gray\].*?\[/c\]", "", lines[1]))
        body = re.search(r"\[m1\](.*)\[/m\]", lines[2])
        if not pos or not body:
            continue
        out.append((head, pos.group(1), gloss.group(1) if gloss else "", clean(body.group(1))))
    return out


def clean(body: str) -> list[str]:
    """The translations of one entry, without grammar marks, readings and notes."""
    body = re.sub(r"\[p\].*?\[/p\]", "", body)
    body = re.sub(r"\[c [^\]]*\].*?\[/c\]", "", body)
    body = re.sub(r"\\\[.*?\\\]", "", body)
    body = re.sub(r"\([^)]*\)", "", body)
    body = re.sub(r"/[^/]*/", "", body)
    body = re.sub(r"\[/?[a-z0-9 ]+\]", "", body)
    out = []
    for item in re.split(r"[,;]", body):
        item = " ".join(item.split())
        if item and not BAD.search(item):
            out.append(item)
    return out


def usable(form: str, lang: str) -> bool:
    if form.startswith("-") or form.endswith("-"):
        return False
    if lang in ("zh", "ja") and not is_unspaced(form):
        return False  # a romanisation
    if is_unspaced(form):
        return lang in ("zh", "ja") and 2 <= len(form) <= 8
    words = WORD.findall(form)
    return 0 < len(words) <= MAX_WORDS and " ".join(words) == form.replace("-", " ").strip()


def keys(form: str, lang: str) -> set[str]:
    """The match keys a seed's words can have for this form: lemmatised, as written, and
    with a word whose lemma strays from it as written (a seed's "trzęsienia ziemi" has
    the keys of "trzęsienie ziemia"; see `text.lemma_strays`)."""
    if is_unspaced(form):
        return {form.casefold()}
    words = WORD.findall(form)
    kept = " ".join(raw_key(w) if lemma_strays(w, lang) else word_key(w, lang) for w in words)
    lemmas = " ".join(word_key(w, lang) for w in words)
    return {lemmas, " ".join(raw_key(w) for w in words), kept} - {""}


def aliases(form: str, lang: str) -> tuple[str, ...]:
    """The form as matching needs it (see `text.lemma_forms`)."""
    if is_unspaced(form):
        return (form,)
    return lemma_forms(form, lang)


def frequency(form: str, lang: str) -> int:
    if is_unspaced(form):
        return round(100 * zipf(form, lang))
    return round(100 * min(zipf(w.casefold(), lang) for w in WORD.findall(form)))


# A proper name's headword: capitalised words (Red Crescent, Silicon Valley, NATO).
# Proper names that name no one thing of a story: a language (Kazakh), a given name
# (Andrew, Katya)
NOT_A_STORY_NAME = re.compile(r"\blanguages?\b|\bgiven name\b", re.IGNORECASE)
NAME_HEAD = re.compile(r"^[A-Z][A-Za-z'\-]*( [A-Z][A-Za-z'\-]*)*$")


def name_key(form: str) -> str:
    """A name's match key (see `lexicon._name_key`): its words' name keys."""
    return " ".join(raw_key(w) for w in WORD.findall(form))


def gazetteer_knows(name: str) -> bool:
    from newswatch import places

    return bool(places.find(name))


def countries() -> dict[str, str]:
    """English names of countries (CLDR's and the variants news use) -> ISO code."""
    from newswatch import places

    out: dict[str, str] = {}
    for name, pid, lang in places.gazetteer().names:
        if lang == "en" and "/" not in pid and len(name) > 3:
            out[name] = pid
    return out


DEMONYM_GLOSS = re.compile(
    r"^(?:an? )?(?:of|from|relating|related|pertaining|referring|native|inhabitant|person|"
    r"citizen|someone|ethnic|people)\b",
    re.IGNORECASE,
)


NOT_DEMONYM = re.compile(
    r"\b(?:party|member|supporter|jews?|jewish|descent|city|capital)\b", re.IGNORECASE
)


def demonym_country(gloss: str, named: dict[str, str]) -> str | None:
    """The one country a demonym's gloss names ("of or pertaining to Kazakhstan", "a
    person from Poland"); not a party, a cheese or a phobia named after it."""
    if not DEMONYM_GLOSS.match(gloss.strip()) or NOT_DEMONYM.search(gloss):
        return None
    found = {
        pid for name, pid in named.items() if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", gloss)
    }
    return found.pop() if len(found) == 1 else None


def country_by_prefix(head: str, named: dict[str, str]) -> str | None:
    """The country whose English name begins as the demonym does, for at least 5 letters
    and all but at most 3 of the demonym's, and longer than any other's (Kazakh:
    Kazakhstan; Uzbek: Uzbekistan; not Philistine: Philippines)."""

    def common(a: str, b: str) -> int:
        n = 0
        for x, y in zip(a, b, strict=False):
            if x != y:
                break
            n += 1
        return n

    best: dict[str, int] = {}
    for name, pid in named.items():
        best[pid] = max(best.get(pid, 0), common(head, name))
    ranked = sorted(best.items(), key=lambda kv: -kv[1])
    need = max(5, len(head) - 3)
    if ranked and ranked[0][1] >= need and (len(ranked) == 1 or ranked[1][1] < ranked[0][1]):
        return ranked[0][0]
    return None


CAPITAL_GLOSS = re.compile(r"^(?:the )?capital(?: city)? of (?:the )?(.+?)\.?$", re.IGNORECASE)


def capital_country(gloss: str, named: dict[str, str]) -> str | None:
    """The country a city is the capital of, by its gloss ("the capital of Kazakhstan");
    not a state's or a province's capital."""
    m = CAPITAL_GLOSS.match(gloss.strip())
    return named.get(m.group(1).strip()) if m else None


# Languages without a Buchmeier dictionary (and Turkish, whose dictionary has the fewest
# senses: 10,170 of 49,894), from WECHSEL's English <-> X word lists
# (https://github.com/CPJKU/wechsel, dicts/data/, scraped from the English Wiktionary of
# 2021-12-01: CC BY-SA 3.0, Wiktionary's contributors; code MIT): file name -> language,
# the table language whose forms are cognates to pick a sense by (Ukrainian: Russian),
# and whether only English words of one sense are taken (see `add_word_lists`).
WORD_LISTS = {
    "ukrainian.txt": ("uk", "ru", False),
    "lithuanian.txt": ("lt", None, False),
    "turkish.txt": ("tr", None, True),
}


def add_word_lists(
    folder: Path,
    senses: dict[tuple[str, str, str], int],
    forms: dict[int, set[tuple[str, str]]],
    keep: set[int],
) -> None:
    """Forms of languages the dictionaries lack, from word lists without senses: a word
    joins the sense of its English word whose form in a related language begins as it
    does (Ukrainian банк: the bank's institution sense, whose Russian form is банк, not
    its shore's, берег), else the English word's only sense, else its sense translated
    into the most languages, when one is (a word list says "bank", not which bank). The
    Turkish list pairs English words with verb stems (strike: "çarp", to hit) that the
    widest sense would take for nouns (the work stoppage), so from it a word of several
    senses is left out (`WORD_LISTS`: only one sense)."""
    by_head: dict[str, list[int]] = defaultdict(list)
    for (head, _pos, _gloss), sense in senses.items():
        if sense in keep:
            by_head[head].append(sense)
    for name, (lang, cognate, only_sense) in WORD_LISTS.items():
        added = 0
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            english, _, word = line.partition("\t")
            word = word.strip()
            if not word or not usable(word, lang) or not word[:1].islower():
                continue
            candidates = by_head.get(english.strip(), [])
            if not candidates:
                continue
            chosen = [
                sense
                for sense in candidates
                if cognate
                and any(
                    code == cognate and len(form) >= 4 and word[:4] == form[:4].casefold()
                    for code, form in forms[sense]
                )
            ]
            if not chosen and len(candidates) == 1:
                chosen = candidates  # the English word's only sense
            elif not chosen and not only_sense:
                width = {sense: len({code for code, _ in forms[sense]}) for sense in candidates}
                top = max(width.values())
                widest = [sense for sense, n in width.items() if n == top]
                chosen = widest if len(widest) == 1 else []
            for sense in chosen:
                forms[sense].add((lang, word))
                added += 1
        print(f"{lang}: {added} forms from {name}", file=sys.stderr)


def main(folder: Path, extra: Path | None = None) -> None:
    named = countries()
    demonyms: set[tuple[str, str, str]] = set()  # (country, language, form)
    capitals: set[tuple[str, str, str]] = set()  # (country, language, form)
    senses: dict[tuple[str, str, str], int] = {}
    forms: dict[int, set[tuple[str, str]]] = defaultdict(set)
    propers: dict[tuple[str, str], int] = {}
    proper_forms: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for lang, code in sorted(FILES.items()):
        path = folder / f"en-{code}-enwiktionary.dsl.dz"
        for head, pos, gloss, translations in parse(path):
            if pos == "prop" and (country := capital_country(gloss, named)):
                found = [t for t in translations if usable(t, lang)]
                capitals.update((country, lang, t) for t in found)
                capitals.add((country, "en", head))
                continue
            if pos in ("adj", "n") and head[:1].isupper() and re.fullmatch(r"[A-Z][a-z]+", head):
                country = demonym_country(gloss, named)
                if (
                    country is None
                    and DEMONYM_GLOSS.match(gloss.strip())
                    and not NOT_DEMONYM.search(gloss)
                ):
                    country = country_by_prefix(head, named)
                if country:
                    # short forms are other words too (Pole, Leh, Dan)
                    found = [
                        t
                        for t in translations
                        if usable(t, lang) and (is_unspaced(t) or len(t) >= 5)
                    ]
                    demonyms.update((country, lang, t) for t in found)
                    if found and len(head) >= 5:
                        demonyms.add((country, "en", head))
                continue
            if pos == "prop":
                # a proper name (Red Crescent, Silicon Valley, Anatolia): places come
                # from CLDR (see `places`), so a name CLDR knows is left out
                if (
                    NAME_HEAD.match(head)
                    and len(head.split()) <= MAX_WORDS
                    and not NOT_A_STORY_NAME.search(gloss)
                ):
                    # written as a name (capitalised), or in a script without case
                    found = [
                        t
                        for t in translations
                        if usable(t, lang) and (is_unspaced(t) or t[:1].isupper())
                    ]
                    if found and not gazetteer_knows(head):
                        proper = propers.setdefault((head, gloss), len(propers))
                        proper_forms[proper].add(("en", head))
                        proper_forms[proper].update((lang, t) for t in found)
                continue
            if pos not in KEEP_POS or not HEADWORD.match(head) or len(head.split()) > MAX_WORDS:
                continue
            found = [t for t in translations if usable(t, lang)]
            if not found:
                continue
            sense = senses.setdefault((head, pos, gloss), len(senses))
            forms[sense].add(("en", head))
            forms[sense].update((lang, t) for t in found)
        print(f"{lang}: {len(senses)} senses so far", file=sys.stderr)
    # a sense translated into one language only carries nothing across languages
    keep = {s for s, fs in forms.items() if len({lang for lang, _ in fs}) >= 3}
    if extra is not None:
        add_word_lists(extra, senses, forms, keep)
    out = REPO / "src" / "newswatch" / "data" / FILE
    out.unlink(missing_ok=True)
    db = sqlite3.connect(out)
    db.executescript(
        """
        CREATE TABLE sense (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
        CREATE TABLE form (lang TEXT, key TEXT, sense INTEGER,
                           PRIMARY KEY (lang, key, sense)) WITHOUT ROWID;
        CREATE TABLE alias (sense INTEGER, lang TEXT, alias TEXT, zipf INTEGER,
                            PRIMARY KEY (sense, lang, alias)) WITHOUT ROWID;
        CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
        CREATE TABLE demonym (country TEXT, lang TEXT, form TEXT,
                              PRIMARY KEY (country, lang, form)) WITHOUT ROWID;
        CREATE INDEX demonym_form ON demonym (form);
        CREATE TABLE proper (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
        CREATE TABLE proper_form (key TEXT, proper INTEGER,
                                  PRIMARY KEY (key, proper)) WITHOUT ROWID;
        CREATE TABLE proper_alias (proper INTEGER, lang TEXT, alias TEXT, zipf INTEGER,
                                   PRIMARY KEY (proper, lang, alias)) WITHOUT ROWID;
        CREATE TABLE capital (country TEXT, lang TEXT, form TEXT,
                              PRIMARY KEY (country, lang, form)) WITHOUT ROWID;
        CREATE INDEX capital_form ON capital (form);
        """
    )
    names = {v: k for k, v in senses.items()}
    n_forms = 0
    for sense in sorted(keep):
        head, pos, gloss = names[sense]
        db.execute("INSERT INTO sense VALUES (?, ?)", (sense, f"{head} ({pos}): {gloss}".strip()))
        for lang, form in sorted(forms[sense]):
            for k in keys(form, lang):
                db.execute("INSERT OR IGNORE INTO form VALUES (?, ?, ?)", (lang, k, sense))
            for a in aliases(form, lang):
                # an alias is as common as the commoner of it and its form: simplemma
                # gives Turkish "yıldırma" (intimidation) the lemma "yıl" (year)
                common = max(frequency(form, lang), frequency(a, lang))
                db.execute(
                    "INSERT OR IGNORE INTO alias VALUES (?, ?, ?, ?)", (sense, lang, a, common)
                )
            n_forms += 1
    # proper names in at least three languages besides English
    n_propers = 0
    for (head, gloss), proper in sorted(propers.items(), key=lambda x: x[1]):
        found_in = proper_forms[proper]
        if len({lang for lang, _ in found_in} - {"en"}) < 3:
            continue
        n_propers += 1
        db.execute("INSERT INTO proper VALUES (?, ?)", (proper, f"{head}: {gloss}".strip()))
        for lang, form in sorted(found_in):
            key = form.casefold() if is_unspaced(form) else name_key(form)
            db.execute("INSERT OR IGNORE INTO proper_form VALUES (?, ?)", (key, proper))
            db.execute(
                "INSERT OR IGNORE INTO proper_alias VALUES (?, ?, ?, ?)",
                (proper, lang, form, frequency(form, lang)),
            )
    db.executemany("INSERT INTO demonym VALUES (?, ?, ?)", sorted(demonyms))
    db.executemany("INSERT INTO capital VALUES (?, ?, ?)", sorted(capitals))
    import simplemma
    import wordfreq

    meta = {
        "source": "https://github.com/open-dsl-dict/wiktionary-dict (en.wiktionary, 2014-11-29)",
        "licence": "CC BY-SA 3.0 / GFDL, Wiktionary contributors",
        "simplemma": getattr(simplemma, "__version__", "?"),
        "wordfreq": getattr(wordfreq, "__version__", "?"),
    }
    db.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
    db.commit()
    db.execute("VACUUM")
    db.close()
    print(
        f"{out}: {len(keep)} senses, {n_forms} forms, {len(demonyms)} demonyms of "
        f"{len({c for c, _, _ in demonyms})} countries, capitals of "
        f"{len({c for c, _, _ in capitals})} countries, {n_propers} proper names, "
        f"{out.stat().st_size >> 10} KiB"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else None)
