"""Step 4b of learning: words that name what a name is, not what happened.

A keyword the seeds write next to one of the story's names most of the times they use it
("the Nord Stream pipeline", "Silicon Valley Bank") says what the named thing is: every
article about that thing has it, on the story or not (gas flows through the pipeline,
another bank's shares fall). It is a *descriptor*: its weight is scaled by
DESCRIPTOR_SHARE, so a name with its own descriptor stays a mention, and event words must
say what happened. Places are not such names: an event is often named by its place
("the Almaty protests", "the Marsk earthquake"), whether the gazetteer knows the place or
the seeds say it is one: they write it after a word for "in" (in, w, в, à, im, ...) or,
in Turkish, with a locative ending ("Hatay'da") in at least PLACE_SHARE of its uses.
Near means within NEAR words of the name, in the same seed.
"""

from __future__ import annotations

import re
from dataclasses import replace

from newswatch import places
from newswatch.models import ProfileTerm
from newswatch.text import SEGMENTED, WORD, raw_key, word_key

NEAR = 2
PLACE_SHARE = 1 / 3
# "in" (and "at", "near") in the languages newswatch reads: a name after one is a place
LOCATIVE = frozenset(
    (
        *("in", "at", "near", "across"),  # en
        *("im", "bei"),  # de
        *("à", "au", "aux", "en", "dans"),  # fr, es
        *("nel", "nella", "nei"),  # it
        *("em", "na"),  # pt
        *("w", "we", "v", "ve"),  # pl, cs
        *("в", "во", "у"),  # ru, uk
    )
)
_TURKISH_LOCATIVE = re.compile(r"^['’](?:d|t)[ae](?:ki)?\b")
DESCRIPTOR_SHARE = 0.5  # share of a keyword's uses next to a name that makes it a descriptor
DESCRIPTOR_WEIGHT = 0.25
MIN_USES = 2
ENDING = 4


def _name_tokens(raw: list[str], names: list[tuple[str, ...]]) -> set[int]:
    """Indices of the tokens that are part of one of `names` (an inflected ending of up to
    ENDING letters on a one-word name, any on the last word of a longer one)."""
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for parts in names:
        if len(parts) > 1:
            by_first.setdefault(parts[0], []).append(parts)
    singles = {parts[0] for parts in names if len(parts) == 1}
    covered: set[int] = set()
    for i, tok in enumerate(raw):
        if any(tok[:k] in singles for k in range(max(1, len(tok) - ENDING), len(tok) + 1)):
            covered.add(i)
        for parts in by_first.get(tok, ()):
            n = len(parts)
            if (
                i + n <= len(raw)
                and raw[i + 1 : i + n - 1] == list(parts[1:-1])
                and raw[i + n - 1].startswith(parts[-1])
            ):
                covered.update(range(i, i + n))
    return covered


def mark_descriptors(terms: list[ProfileTerm], docs: list[tuple[str, str]]) -> list[ProfileTerm]:
    """The terms with each descriptor's weight scaled down (see the module rules)."""
    names = [
        tuple(t.key.split())
        for t in terms
        if t.kind == "entity"
        and t.key
        and not any(c.isdigit() for c in t.key)
        and not any(places.find(f) for f in (t.label, *t.aliases))
        and not _placed(t, docs)
    ]
    keywords = {t.key for t in terms if t.kind == "keyword"}
    if not names or not keywords:
        return terms
    uses: dict[str, int] = {}
    near: dict[str, int] = {}
    for text, lang in docs:
        if lang in SEGMENTED:
            continue
        toks = WORD.findall(text)
        raw = [raw_key(t) for t in toks]
        covered = _name_tokens(raw, names)
        for i, tok in enumerate(toks):
            if i in covered:
                continue
            key = word_key(tok, lang)
            if key not in keywords:
                continue
            uses[key] = uses.get(key, 0) + 1
            if any(j in covered for j in range(i - NEAR, i + NEAR + 1)):
                near[key] = near.get(key, 0) + 1
    out = []
    for t in terms:
        n = uses.get(t.key, 0)
        if t.kind == "keyword" and n >= MIN_USES and near.get(t.key, 0) >= DESCRIPTOR_SHARE * n:
            t = replace(
                t,
                weight=round(t.weight * DESCRIPTOR_WEIGHT, 4),
                why=t.why + f"; next to a name {near[t.key]} of {n} times: says what it is",
            )
        out.append(t)
    return out


def _placed(term: ProfileTerm, docs: list[tuple[str, str]]) -> bool:
    """Whether the seeds write the name as a place: after a word for "in", or with a
    Turkish locative ending, in at least PLACE_SHARE of its uses."""
    # the longest form first, so that it wins where a shorter one begins it
    forms = sorted({f for f in (term.label, *term.aliases) if WORD.findall(f)}, key=len)[::-1]
    if not forms:
        return False
    uses = placed = 0
    pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, forms)) + r")\w{0,4}", re.I)
    for text, _lang in docs:
        for m in pattern.finditer(text):
            uses += 1
            before = WORD.findall(text[max(0, m.start() - 12) : m.start()])
            if (before and before[-1].casefold() in LOCATIVE) or _TURKISH_LOCATIVE.match(
                text[m.end(1) : m.end(1) + 6]
            ):
                placed += 1
    return uses > 0 and placed >= PLACE_SHARE * uses
