"""Step 5 of learning: the threshold.

Leave-one-out: each seed is scored against a profile learned from the others, whole and
cut to its first sentences (a headline and a lead, like a feed summary). A bundled
background of off-topic texts, written for newswatch and including lone mentions of
places and names, is scored against the full profile. The threshold sits between the
highest background score and the lowest leave-one-out score; the profile records the
numbers in `threshold_how`. When the seeds cannot calibrate it, the score of a typical
name with a typical event word is its floor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from importlib import resources
from typing import Any

from newswatch.models import Profile, ProfileTerm
from newswatch.text import sentences

LOO_FOLDS = 10


def background_texts() -> list[str]:
    """The bundled off-topic texts the threshold is calibrated against."""
    folder = resources.files("newswatch.data") / "background"
    texts: list[str] = []
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".txt"):
            texts.extend(
                t.strip() for t in item.read_text(encoding="utf-8").split("\n---\n") if t.strip()
            )
    return texts


def calibrate(
    profile: Profile,
    docs: list[tuple[str, str]],
    learn_terms: Callable[[list[tuple[str, str]]], list[ProfileTerm]],
) -> tuple[float, str]:
    """(threshold, how it was chosen); `learn_terms` learns the terms of some of the seeds
    (with the user's edits), for leave-one-out."""
    from newswatch.matching import Matcher  # matching depends on profiles, not the reverse

    positives: list[float] = []
    if len(docs) >= 3:
        # leave-one-out; with more than LOO_FOLDS seeds, held out in LOO_FOLDS folds
        # (seed i in fold i mod LOO_FOLDS), so learning stays linear in the seeds
        folds = min(len(docs), LOO_FOLDS)
        for f in range(folds):
            held = [d for i, d in enumerate(docs) if i % folds == f]
            rest = [d for i, d in enumerate(docs) if i % folds != f]
            sub = Matcher(
                replace(
                    profile,
                    terms=tuple(learn_terms(rest)),
                    threshold=0.0,
                )
            )
            for text, lang in held:
                lead = " ".join(sentences(text)[:3])
                positives.append(sub.score("", text, lang=lang).score)
                positives.append(sub.score("", lead, lang=lang).score)
    full = Matcher(replace(profile, threshold=0.0))
    negatives = [full.score("", t).score for t in background_texts()]
    top_neg = max(negatives, default=0.0)
    if positives:
        low_pos = sorted(positives)[max(0, len(positives) // 10 - 1)]
        if low_pos > top_neg:
            threshold = top_neg + 0.4 * (low_pos - top_neg)
            how = (
                f"leave-one-out on {len(docs)} seeds (whole and first sentences): lowest score "
                f"{low_pos:.3f}; {len(negatives)} bundled off-topic texts: highest score {top_neg:.3f}; "
                "threshold at 40% of the gap above the background"
            )
        else:
            threshold = top_neg * 1.05
            how = (
                f"leave-one-out scores (lowest {low_pos:.3f}) overlap the background (highest "
                f"{top_neg:.3f}): threshold just above the background"
            )
    else:
        threshold = top_neg * 1.2
        how = (
            f"fewer than 3 seeds: threshold 20% above the highest of {len(negatives)} background "
            f"scores ({top_neg:.3f})"
        )
    if not positives or low_pos <= top_neg:  # the seeds could not calibrate it: a floor
        minimal = _minimal_report(full, profile)
        threshold = max(threshold, minimal)
        how += (
            ", and at least the score of a typical name with a typical event word "
            f"({minimal:.3f}); add more seeds"
        )
    return round(threshold, 4), how


def _minimal_report(matcher: Any, profile: Profile) -> float:
    """The score of the least an article on the story says: the profile's median name and
    median event word, once each. The threshold's floor when the seeds cannot calibrate
    it (too few, or too short to tell from the background)."""
    entities = sorted((t for t in profile.terms if t.kind == "entity"), key=lambda t: t.weight)
    events = sorted((t for t in profile.terms if t.kind != "entity"), key=lambda t: t.weight)
    if not entities or not events:
        return 0.5
    name, word = entities[len(entities) // 2], events[len(events) // 2]
    lang = profile.languages[0] if profile.languages else None
    return float(matcher.score("", f"{name.label}; {word.label}.", lang=lang).score)
