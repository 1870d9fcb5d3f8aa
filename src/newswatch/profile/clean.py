"""Step 1 of learning: seed articles without their boilerplate.

A line goes when it holds a link or handle, looks like a dateline or byline (a date,
"Sputnik International, 1920, 06.01.2022"), is a known page furniture phrase
("Subscribe", "Leave a Reply", "Discuss", image credits), is shorter than five words
without ending a sentence (captions, section names, outlet names), or appears verbatim in
two seeds. Names seen only in such lines, or as the source of a report ("MOSCOW
(Sputnik)", "... news agency reported"), are outlet names and are never kept as terms.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from newswatch.text import WORD, detect_language, is_unspaced, unspaced_chars

_URL = re.compile(r"https?://|www\.|pic\.twitter|@\w{2,}|\b\w+\.(com|org|net|ru|lt|kz)\b", re.I)
_DATE = re.compile(r"\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b")
_FURNITURE = re.compile(
    r"\b(subscribe|leave a reply|discuss|comments?|share (this|on)|follow us|read more|"
    r"all rights reserved|sign up|newsletter|cookie|advertisement|related:|image:|photo:|"
    r"getty images|credit:|copyright|©|click here|log in|register)\b",
    re.I,
)
_DATELINE = re.compile(r"^([A-ZА-Я][A-ZА-Я .-]{2,})\s*\(([^)]{2,40})\)\s*[-–—]")
_AGENCY = re.compile(
    r"\b([A-ZА-Я][\w-]+(?: [A-ZА-Я][\w-]+)?) (?:news agency|agency|reported|TV channel|newspaper)\b"
)


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
        for m in _AGENCY.finditer(line):
            outlets.add(m.group(1))
        n_words = len(WORD.findall(line))
        if is_unspaced(line):  # Chinese or Japanese: words by characters
            n_words = round(unspaced_chars(line) / 1.6)
        ends = line.rstrip("\"'”“»)").endswith((".", "!", "?", "。", ":", "“", "”"))
        boiler = (
            _URL.search(line)
            or _FURNITURE.search(line)
            or (_DATE.search(line) and n_words < 10)
            or (n_words < 5 and not ends)
            or line in repeated
        )
        if boiler:
            if _DATE.search(line) and "," in line:  # "Sputnik International, 1920, 06.01.2022"
                outlets.add(line.split(",")[0].strip())
            continue
        kept.append(line)
    return "\n".join(kept), outlets


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
