"""Step 1 of learning: seed articles without their boilerplate.

A line goes when it looks like a dateline or byline (a date, "Sputnik International,
1920, 06.01.2022"), is shorter than five words without ending a sentence (captions,
section names, outlet names), or appears verbatim in two seeds. Inside a line (a
paragraph pasted as one line, a feed summary), a sentence goes when it is page furniture
("Subscribe to our newsletter.", "Read more", "Photo: Reuters", "Leave a Reply": a
furniture phrase in a sentence of fewer than FURNITURE_WORDS words, so that "leaders met
to discuss the crisis" stays) and domain names go ("the news agency Tengrinews.kz"); the
rest of the paragraph is the story. A line holding a link or a handle goes whole (an
embedded post, a share link). Names seen only in such lines, or as the source of a
report ("MOSCOW (Sputnik)", "... news agency reported", "the TV channel Khabar 24", "per televiziją
„Khabar 24“", "the Guardian's defence editor"), and the bundled list of news agencies
and broadcasters (`data/outlets.txt`), are outlet names and are never kept as terms.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from newswatch.text import WORD, detect_language, is_unspaced, sentences, unspaced_chars

_DATE = re.compile(r"\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b")
_FURNITURE = re.compile(
    r"\b(subscribe|leave a reply|discuss|comments?|share (this|on)|follow us|read more|"
    r"all rights reserved|sign up|newsletter|cookie|advertisement|related:|image:|photo:|"
    r"getty images|credit:|copyright|©|click here|log in|register)\b",
    re.I,
)
# a link or a handle: the line is an embedded post or a share link
_LINK = re.compile(r"https?://|www\.|pic\.twitter|@\w{2,}", re.I)
# a domain name in prose ("the news agency Tengrinews.kz reported"): an outlet's name
_DOMAIN = re.compile(r"\b[\w-]+\.(?:com|org|net|ru|lt|kz)\b", re.I)
# a furniture phrase makes furniture of a sentence shorter than this
FURNITURE_WORDS = 12
_DATELINE = re.compile(r"^([A-ZА-Я][A-ZА-Я .-]{2,})\s*\(([^)]{2,40})\)\s*[-–—]")
_AGENCY = re.compile(
    r"\b([A-ZА-Я][\w-]+(?: [A-ZА-Я][\w-]+)?) (?:news agency|agency|reported|TV channel|newspaper)\b"
)

# Words that introduce an outlet in the languages newswatch covers (stems: inflected
# forms follow): "agency Khabar", "телеканал «Хабар»", "telewizja Polsat", "Sender ARD".
_CUES = (
    r"agency|channel|television|broadcaster|newspaper|radio|outlet|"
    r"агентств|телеканал|телевидени|газет|радио|издани|портал|"
    r"агенці|телебаченн|видання|"
    r"agencj|telewizj|gazet|dziennik|portal|rozgłośni|"
    r"agentur|zeitung|sender|fernseh|"
    r"agence|chaîne|journal|quotidien|télévision|"
    r"agencia|cadena|periódico|diario|televisión|"
    r"agenzia|emittente|giornale|quotidiano|"
    r"agência|emissora|jornal|"
    r"ajans|gazete|televizyon|kanal|"
    r"agentūr|televizij|laikrašt|dienrašt|"
    r"televiz|deník"
)
_CUE_WORD = re.compile(rf"(?i:\w*(?:agentur|zeitung|sender)|{_CUES})\w{{0,4}}")


def is_outlet_cue(word: str) -> bool:
    """A word that introduces an outlet (agency, телеканал, gazety, Nachrichtenagentur)."""
    return _CUE_WORD.fullmatch(word) is not None


_UPPER = "A-ZА-ЯЁІЇЄҐÀ-ÖØ-ÞĄĆĘŁŃŚŹŻŠŽČŘĖĮŲŪŞİĞ"
# a cue (inflected by at most four letters), then a capitalised name, maybe in quotes
# (German cues also end a compound: "Nachrichtenagentur", "Tageszeitung", "Fernsehsender")
_AFTER_CUE = re.compile(
    rf"(?i:\b(?:\w*(?:agentur|zeitung|sender)|{_CUES})\w{{0,4}})\s+[„“\"«'‘]?"
    rf"([{_UPPER}][\w-]*(?:\s+(?:[{_UPPER}][\w-]*|\d+))?)"
)
# Turkish names the outlet before its kind: "Anadolu Ajansı", "Hürriyet gazetesi"
_BEFORE_CUE = re.compile(
    rf"\b([{_UPPER}][\w-]*(?:\s+[{_UPPER}][\w-]*){{0,2}})\s+"
    r"(?i:ajans\w*|gazete\w*|televizyon\w*|radyo\w*)"
)
_EDITOR = re.compile(
    r"\b(?:the )?([A-Z][\w-]+(?: [A-Z][\w-]+)?)['’]s (?:\w+ )?"
    r"(?:editor|correspondent|reporter|journalist|columnist)\b"
)


@lru_cache(maxsize=1)
def known_outlets() -> frozenset[str]:
    """The bundled list of news agencies, broadcasters and papers (`data/outlets.txt`)."""
    text = (resources.files("newswatch.data") / "outlets.txt").read_text(encoding="utf-8")
    return frozenset(
        ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")
    )


# what follows an outlet's name in a feed's title: its section or language ("Google News -
# Kazakhstan", "Meduza (English)", "Reuters | World")
_FEED_SUFFIX = re.compile(r"\s*(?:\(.*?\)|\s[-–—|:]\s.*)$")


def outlet_names(feeds: Iterable[str]) -> frozenset[str]:
    """The outlets named by feeds' titles, as the bundled list names outlets: without their
    section or language and a leading "The" ("Google News - Kazakhstan": Google News;
    "Meduza (English)": Meduza; "The Diplomat - Central Asia": Diplomat)."""
    out = set()
    for title in feeds:
        name = title.strip()
        while (cut := _FEED_SUFFIX.sub("", name)) != name:
            name = cut
        name = re.sub(r"^(?:the|The)\s+", "", name).strip()
        if name:
            out.add(name)
    return frozenset(out)


@dataclass(frozen=True)
class SeedDoc:
    """One example article: its file name and text."""

    name: str
    text: str


# -- 1. boilerplate ---------------------------------------------------------------


def clean_seed(text: str, repeated: set[str]) -> tuple[str, set[str]]:
    """The seed without boilerplate lines, and the outlet names it revealed."""
    kept: list[str] = []
    outlets: set[str] = set()
    for raw in text.splitlines():
        line = raw.strip().strip("-–—•· ").strip()
        if not line:
            continue
        m = _DATELINE.match(line)
        if m:
            outlets.add(m.group(2).strip())
            line = line[m.end() :].strip()
        for pattern in (_AGENCY, _AFTER_CUE, _BEFORE_CUE, _EDITOR):
            outlets.update(m.group(1) for m in pattern.finditer(line))
        n_words = _n_words(line)
        ends = line.rstrip("\"'”“»)").endswith((".", "!", "?", "。", ":", "“", "”"))
        boiler = (
            _LINK.search(line)
            or (_DATE.search(line) and n_words < 10)
            or (n_words < 5 and not ends)
            or line in repeated
        )
        if boiler:
            if _DATE.search(line) and "," in line:  # "Sputnik International, 1920, 06.01.2022"
                outlets.add(line.split(",")[0].strip())
            continue
        line = _without_furniture(line)
        if line:
            kept.append(line)
    return "\n".join(kept), outlets


def _n_words(text: str) -> int:
    if is_unspaced(text):  # Chinese or Japanese: words by characters
        return round(unspaced_chars(text) / 1.6)
    return len(WORD.findall(text))


def _without_furniture(line: str) -> str:
    """The line without its furniture sentences, and without domain names (outlets)."""
    out: list[str] = []
    for sentence in sentences(line):
        if _FURNITURE.search(sentence) and _n_words(sentence) < FURNITURE_WORDS:
            continue
        sentence = " ".join(_DOMAIN.sub(" ", sentence).split())
        if _n_words(sentence) >= 3:
            out.append(sentence)
    return " ".join(out)


def prepare_seeds(seeds: Sequence[SeedDoc]) -> tuple[list[tuple[str, str]], set[str]]:
    line_counts: Counter[str] = Counter()
    for s in seeds:
        line_counts.update({ln.strip() for ln in s.text.splitlines() if ln.strip()})
    repeated = {ln for ln, n in line_counts.items() if n > 1}
    docs: list[tuple[str, str]] = []
    outlets: set[str] = set()
    for s in seeds:
        text, found = clean_seed(s.text, repeated)
        outlets |= found
        docs.append((text, detect_language(text) or "en"))
    return docs, outlets
