"""Learning a profile from seed articles: the steps in order, and the user's edits.

A user's edits survive re-learning: pinned terms stay as written, excluded keys never
come back, and terms, aliases or places added by hand are kept. Negatives (articles the
user marked wrong) weigh the terms down and lift the threshold (see `negatives`); the
user's edits win over them too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from newswatch.errors import ConfigError
from newswatch.lexicon import Evidence, translate
from newswatch.models import Profile, ProfileTerm
from newswatch.profile.calibrate import calibrate
from newswatch.profile.candidates import Cand, find_candidates
from newswatch.profile.clean import SeedDoc, known_outlets, outlet_names, prepare_seeds
from newswatch.profile.descriptors import mark_descriptors
from newswatch.profile.levels import mark_country_level
from newswatch.profile.merge import merge_forms
from newswatch.profile.negatives import as_article, weigh_against
from newswatch.profile.weights import select_terms, story_places


def terms_from(
    docs: list[tuple[str, str]], outlets: set[str], listed: frozenset[str] | None = None
) -> tuple[list[ProfileTerm], tuple[str, ...]]:
    """The learned terms, and the story's places. `outlets`: names the seeds revealed as
    outlets; `listed`: the outlets named in advance (see `candidates.find_candidates`)."""
    groups = merge_forms(find_candidates(docs, outlets, listed))
    terms = mark_descriptors(select_terms(groups, [lang for _, lang in docs]), docs)
    terms = mark_country_level(terms, docs)
    story = story_places(groups, len(docs))
    languages = tuple(sorted({lang for _, lang in docs}))
    return translate(terms, languages, Evidence.of(docs), _inside_phrases(groups)), story


def _inside_phrases(groups: list[Cand]) -> frozenset[str]:
    """Keys of the words the seeds use no more often than one phrase holding them ("toll",
    always in "death toll")."""
    most: dict[str, int] = {}
    for g in groups:
        if g.kind == "phrase" and g.count:
            for w in g.key.split():
                most[w] = max(most.get(w, 0), g.count)
    return frozenset(
        g.key for g in groups if g.kind == "keyword" and 0 < g.count <= most.get(g.key, 0)
    )


def learn_profile(
    seeds: Sequence[SeedDoc],
    *,
    name: str = "default",
    previous: Profile | None = None,
    negatives: Sequence[SeedDoc] = (),
    feeds: Sequence[str] = (),
) -> Profile:
    """Learn a profile from seed articles, and from `negatives`, articles that are not
    on the topic (see the module rules); `feeds`: the titles of the feeds articles come
    from, whose outlets are never a story's names. Deterministic."""
    if not seeds:
        raise ConfigError("no seed articles to learn from")
    docs, outlets = prepare_seeds(seeds)
    listed = known_outlets() | outlet_names(feeds)
    terms, story = terms_from(docs, outlets, listed)
    terms = apply_edits(terms, previous)
    if previous is not None:  # places the user added are kept
        story = tuple(sorted(set(story) | set(previous.places)))
    languages = tuple(sorted({lang for _, lang in docs}))
    draft = Profile(
        name,
        tuple(terms),
        0.0,
        "",
        previous.excluded if previous else (),
        tuple(s.name for s in seeds),
        languages,
        story,
    )
    wrong = [as_article(d) for d in negatives]
    draft = replace(draft, terms=tuple(weigh_against(terms, docs, wrong, draft)[0]))
    threshold, how = calibrate(
        draft,
        docs,
        lambda some: weigh_against(
            apply_edits(terms_from(some, outlets, listed)[0], previous), some, wrong, draft
        )[0],
        marked_wrong=wrong,
    )
    return replace(draft, threshold=threshold, threshold_how=how)


def apply_edits(terms: list[ProfileTerm], previous: Profile | None) -> list[ProfileTerm]:
    """The learned terms with the user's edits of `previous` applied."""
    if previous is None:
        return terms
    excluded = set(previous.excluded)
    old = {t.key: t for t in previous.terms}
    out: list[ProfileTerm] = []
    for t in terms:
        if t.key in excluded:
            continue
        before = old.get(t.key)
        if before is not None and before.pinned:
            out.append(before)
            continue
        if before is not None:
            user_aliases = set(before.aliases) - set(t.aliases)
            if user_aliases:
                t = replace(t, aliases=tuple(sorted(set(t.aliases) | user_aliases)))
        out.append(t)
    learned = {t.key for t in out}
    for t in previous.terms:
        if (
            t.key not in learned
            and t.key not in excluded
            and (t.pinned or t.why.startswith("added by"))
        ):
            out.append(t)
    return out
