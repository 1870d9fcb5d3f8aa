"""Learning from negatives: articles the user marked as wrong for the topic.

A negative is an article the profile alerted on and should not have. Learning uses them
in two places, after the user's edits are applied:

1. Terms. (a) A form of an event word (an alias, most often a translation from the
   bundled lexicon, which is looser than a name's) that fires in no seed and at least
   FORM_HITS times in the negatives (once is in passing) is dropped from its term: a
   translation of "seize" that also means "attack" makes any report of an attack look
   like the story. Names keep their forms: a name's translation is the same name.
   (b) Every term is then looked for in the seeds and in the negatives (with the
   matcher, so aliases count). A term that fires in a larger share of the negatives
   than of the seeds is more a sign of the negatives than of the story: its weight is
   multiplied by seed share / negative share, and a term that fires in no seed at all
   is dropped. The seed share is counted among the seeds written in the languages of
   the negatives it fired in, when there are any: a Russian name is in the one Russian
   seed, not in the four English ones, and is no sign of the negatives for that.
   Pinned terms and terms the user added keep their weight and forms.
2. Threshold. Each negative is scored against the profile as an alert is (its first
   line, when a blank line follows it, is the title), and the threshold is raised to at
   least NEGATIVE_MARGIN times the highest of those scores: a negative does not alert
   again. Raising it costs the weakest true articles, so the part the terms do comes
   first, and what is left goes into the threshold. It rises at most to the lower
   quartile of the seeds' held-out scores cut to their first sentences (leave-one-out,
   the scores a feed summary of a seed would get; see `calibrate`; a seed the others
   find nothing in tells nothing): a negative scoring as high as the seeds' own
   summaries is the story by every term the profile has, and a threshold above a
   quarter of them would drop the story's weaker reports. Such a negative still matches, and the profile's
   `threshold_how` says so; the threshold then rises only as far as the negatives it
   can keep out (a raise that leaves every negative matching only costs true articles).

The method knows no topic: it compares where terms fire, nothing else.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from newswatch.models import Match, Profile, ProfileTerm
from newswatch.profile.clean import SeedDoc
from newswatch.text import WORD, detect_language, is_unspaced, raw_key

NEGATIVE_MARGIN = 1.02
FORM_HITS = 2  # a form said once in passing is no sign of the negatives

# (title, text, language) of a negative, as the matcher scores it
NegativeDoc = tuple[str, str, str | None]


@dataclass(frozen=True)
class Demotion:
    """A term that fires more in the negatives than in the seeds, and its new weight
    (0: dropped)."""

    key: str
    label: str
    before: float
    after: float
    seed_share: float
    negative_share: float


def as_article(doc: SeedDoc) -> NegativeDoc:
    """A negative file as the matcher scored it: (title, text, language). The first line
    is the title when a blank line follows it (how `feedback ... wrong` writes the file,
    and how seeds are laid out); otherwise the whole file is text."""
    text = doc.text.strip()
    head, sep, rest = text.partition("\n")
    title = ""
    if sep and rest.startswith(("\n", "\r\n")) and head.strip():
        title, text = head.strip(), rest.strip()
    return title, text, detect_language(f"{title}\n{text}")


def weigh_against(
    terms: Sequence[ProfileTerm],
    seeds: Sequence[tuple[str, str]],
    negatives: Sequence[NegativeDoc],
    profile: Profile,
) -> tuple[list[ProfileTerm], tuple[Demotion, ...]]:
    """The terms weighed against the negatives (rule 1), and what lost weight (the forms
    dropped are in the terms' `why`).

    `seeds` are the cleaned seeds as (text, language); `profile` gives the places and
    languages the terms are matched with."""
    if not negatives or not terms:
        return list(terms), ()
    from newswatch.matching import Matcher  # matching depends on profiles, not the reverse

    terms = _without_unseen_forms(terms, seeds, negatives, profile)
    matcher = Matcher(replace(profile, terms=tuple(terms), threshold=0.0))
    seed_fired = [_fired(matcher.score("", text, lang=lang)) for text, lang in seeds]
    neg_fired = [_fired(matcher.score(title, text, lang=lang)) for title, text, lang in negatives]
    seed_langs = [lang for _, lang in seeds]
    neg_langs = [lang for _, _, lang in negatives]
    out: list[ProfileTerm] = []
    demoted: list[Demotion] = []
    for term in terms:
        hit = [i for i, keys in enumerate(neg_fired) if term.key in keys]
        if not hit or term.pinned or term.why.startswith("added by"):
            out.append(term)
            continue
        langs = {neg_langs[i] for i in hit}
        same = [i for i, lang in enumerate(seed_langs) if lang in langs]
        pool = same or list(range(len(seeds)))
        seed_share = sum(term.key in seed_fired[i] for i in pool) / max(1, len(pool))
        neg_pool = [i for i, lang in enumerate(neg_langs) if lang in langs] if same else None
        negative_share = len(hit) / len(neg_pool if neg_pool else negatives)
        if negative_share <= seed_share:
            out.append(term)
            continue
        weight = round(term.weight * seed_share / negative_share, 4)
        demoted.append(
            Demotion(term.key, term.label, term.weight, weight, seed_share, negative_share)
        )
        if weight > 0:
            why = (
                f"{term.why}; weight x{seed_share / negative_share:.2f}: in "
                f"{negative_share:.0%} of the negatives, {seed_share:.0%} of the seeds"
            )
            out.append(replace(term, weight=weight, why=why))
    return out, tuple(demoted)


def threshold_over(
    threshold: float,
    how: str,
    profile: Profile,
    negatives: Sequence[NegativeDoc],
    seed_scores: Sequence[float] = (),
) -> tuple[float, str]:
    """The threshold raised so that the negatives score under it (rule 2), at most to the
    lower quartile of `seed_scores` above 0 (the seeds' held-out lead scores), and `how`
    saying so."""
    if not negatives:
        return threshold, how
    from newswatch.matching import Matcher

    matcher = Matcher(replace(profile, threshold=0.0))
    scores = [matcher.score(title, text, lang=lang).score for title, text, lang in negatives]
    top = max(scores)
    wanted = round(top * NEGATIVE_MARGIN, 4)
    said = f"{len(negatives)} negatives (articles marked wrong)"
    if wanted <= threshold:
        return threshold, f"{how}; the {said} score at most {top:.3f}, under it"
    ceiling = _lower_quartile([s for s in seed_scores if s > 0])
    if ceiling is not None and wanted > max(threshold, ceiling):
        # only as far as it puts negatives under it: a raise that leaves them all
        # matching costs true articles and gains nothing
        under = [s * NEGATIVE_MARGIN for s in scores if s * NEGATIVE_MARGIN <= ceiling]
        raised = round(max([threshold, *under]), 4)
        still = sum(s >= raised for s in scores)
        return raised, (
            f"{how}; raised to {raised:.3f}, just above the negatives a threshold under the "
            f"lower quartile of the held-out seed scores ({ceiling:.3f}) can keep out: {still} of the {said} "
            f"score as high as the seeds (highest {top:.3f}) and still match; they share the "
            "story's own terms (exclude one, or add seeds)"
        )
    return wanted, f"{how}; raised to {wanted:.3f}, just above the {said} (highest {top:.3f})"


def _lower_quartile(values: Sequence[float]) -> float | None:
    ordered = sorted(values)
    return ordered[len(ordered) // 4] if ordered else None


def _without_unseen_forms(
    terms: Sequence[ProfileTerm],
    seeds: Sequence[tuple[str, str]],
    negatives: Sequence[NegativeDoc],
    profile: Profile,
) -> list[ProfileTerm]:
    """The terms without the event-word forms that fire in a negative and in no seed
    (rule 1a)."""
    from newswatch.matching import Matcher

    forms: dict[str, set[tuple[int, str]]] = {}  # form key -> (term, alias)
    for n, term in enumerate(terms):
        if term.kind == "entity" or term.pinned or term.why.startswith("added by"):
            continue
        for alias in term.aliases:
            if alias == term.label:
                continue
            key = alias.casefold() if is_unspaced(alias) else _form_key(alias)
            if key:
                forms.setdefault(key, set()).add((n, alias))
    if not forms:
        return list(terms)
    one_each = tuple(
        ProfileTerm(key, key, "keyword", 1.0, tuple(sorted({a for _, a in owners})))
        for key, owners in sorted(forms.items())
    )
    matcher = Matcher(replace(profile, terms=one_each, threshold=0.0))
    in_seeds = set().union(*(_fired(matcher.score("", t, lang=g)) for t, g in seeds))
    in_negatives: Counter[str] = Counter()
    for title, text, g in negatives:
        in_negatives.update({r.key: r.hits for r in matcher.score(title, text, lang=g).reasons})
    unseen: dict[int, set[str]] = {}
    for key in {k for k, hits in in_negatives.items() if hits >= FORM_HITS} - in_seeds:
        for n, alias in forms[key]:
            unseen.setdefault(n, set()).add(alias)
    out = []
    for n, term in enumerate(terms):
        gone = unseen.get(n)
        if gone:
            term = replace(
                term,
                aliases=tuple(a for a in term.aliases if a not in gone),
                why=f"{term.why}; without {', '.join(sorted(gone))}: in the negatives, no seed",
            )
        out.append(term)
    return out


def _form_key(alias: str) -> str:
    return " ".join(raw_key(w) for w in WORD.findall(alias))


def _fired(match: Match) -> set[str]:
    return {r.key for r in match.reasons}
