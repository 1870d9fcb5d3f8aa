"""Step 4 of learning: weights, the terms kept, and the story's places.

weight = rarity x consistency: rarity is how much rarer the word is in the seeds than in
general language (RARITY_PIVOT minus its Zipf frequency in wordfreq, over RARITY_PIVOT),
consistency is the share of seeds it occurs in (square root). A term must occur in at
least two seeds (one, when there are fewer than three) and be rarer than everyday words
(Zipf < MAX_ZIPF). Entities count ENTITY_BOOST times: names say which story it is. A word
the word list lacks is as common as its lemma; the forms of one lexicon concept
(protests, протесты, protestuotojų) pool their seeds, take the Zipf frequency of the
rarest of them the word lists know, and become one term named by the form the seeds use
most. The story's place is as common as its English name (Turkish news say "Türkiye" as
an everyday word). A phrase needs both its words kept alone, or PHRASE_SEEDS of the seeds
("interest rate"; not "news agency", which introduces an outlet).

Places: countries and cities (CLDR, see `places`) named in at least 60% of the seeds are
where the story happens (`Profile.places`), when together they are named in 80% of the
seeds, all the names of one place counting together; matching uses them to tell the
story from the same events elsewhere.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from newswatch import places, translations
from newswatch.lexicon import SENSE_BASE, concept_ids
from newswatch.models import ProfileTerm
from newswatch.profile.candidates import Cand, calendar_keys, common_zipf, is_common_noun
from newswatch.profile.clean import is_outlet_cue
from newswatch.profile.merge import one_per_name, same_stem, widen
from newswatch.text import NOUN_CAPITALS, WORD, is_dictionary_word, is_unspaced, raw_key, word_key

MAX_ENTITIES = 60
MAX_KEYWORDS = 120
MAX_PHRASES = 30
MAX_ZIPF = 5.0
RARITY_PIVOT = 5.5  # Zipf frequency at which a word says nothing about a topic
ENTITY_BOOST = 1.5
HEADLINE_DF = 1  # seeds a word of a seed's headline counts for beyond its own
PHRASE_SEEDS = 0.6  # a phrase of everyday words in this share of the seeds is kept
ALONE_ZIPF = 3.5  # a word said once by the only seed in its language is kept when rarer
RUN_WORD_ZIPF = 2.5  # a dictionary word this common, seen only inside names, is no name

# -- 4. weights -------------------------------------------------------------------


def _rarity(group: Cand) -> tuple[float, float]:
    """(rarity, Zipf): the most common of the term's forms in any of its languages decides."""
    z = 0.0
    for form, _n in group.forms.most_common(4):
        for lang in group.langs:
            if group.kind == "phrase":
                z = max(z, min(common_zipf(p, lang) for p in form.split()) - 0.5)
            else:
                z = max(z, common_zipf(form, lang))
    return max(0.0, RARITY_PIVOT - z), z


def _pool(groups: list[Cand]) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """Seeds that speak of each group's thing, pooled across case and language.

    1. A single word capitalised in one seed (a headline's "Peacekeeping") and written in
       lower case in another is a common word: the capitalised group joins the keyword,
       unless the seeds write it as a name more often than in lower case ("Boeing", which
       Polish and German dictionaries know as a plane when it opens a sentence; "Fed",
       which the German dictionary knows and German capitalises as a noun anyway): then
       the keyword joins the name.
    2. Keywords that are forms of one lexicon concept (peacekeeping, taikdarių) count the
       seeds of all of them: the story is told in several languages.
    Returns id(group) -> pooled seeds, and id(group) -> its lexicon concepts.
    """
    keywords = {g.key: g for g in groups if g.kind == "keyword"}
    for g in groups:
        if g.kind == "entity" and " " not in g.key and not g.expansions and g.key in keywords:
            word = keywords[g.key]
            # (only a language that does not capitalise nouns shows it as a name, and only
            # outside a longer name: the "Typhoon" of "Typhoon Moran" may be a word)
            named = g.count - g.in_runs > (word.lower if g.langs - NOUN_CAPITALS else word.count)
            home, joins = (g, word) if named else (word, g)
            home.absorb(joins)
    by_concept: dict[int, set[int]] = defaultdict(set)
    concepts_of: dict[int, set[int]] = {}
    for g in groups:
        if g.kind != "keyword" or g.count == 0:
            continue
        keys = _group_keys(g)
        found = concept_ids("event", keys)
        # a word and its translation both in the seeds (leak, утечка): one term's seeds
        if 0 < _rarity(g)[1] <= POOL_ZIPF:
            found |= {
                SENSE_BASE + s
                for s in translations.senses((lang, k) for lang in g.langs for k in keys)
            }
        concepts_of[id(g)] = found
        for c in found:
            by_concept[c] |= g.seeds
    pooled: dict[int, set[int]] = {}
    for g in groups:
        seeds = set(g.seeds)
        for c in concepts_of.get(id(g), ()):
            seeds |= by_concept[c]
        pooled[id(g)] = seeds
    return pooled, concepts_of


# Only words at most this common (Zipf) pool their seeds with their translations: an
# everyday word (officials, revealed) is in every seed in every language by chance.
POOL_ZIPF = 4.2


def _zipfs(groups: list[Cand], concepts_of: dict[int, set[int]]) -> dict[int, float]:
    """id(group) -> the Zipf frequency its weight comes from. The keywords that are forms
    of one lexicon concept all take the frequency of its rarest form that the seeds used
    and the word lists know: they become one term (see `lexicon.translate`), and a form
    missing from the word lists (Zipf 0: unknown, not rare, as Lithuanian "susirėmimus")
    must not make it the heaviest word of the profile."""
    zipfs = {id(g): _rarity(g)[1] for g in groups}
    known: dict[int, float] = {}
    for g in groups:
        z = zipfs[id(g)]
        if z > 0:
            for c in concepts_of.get(id(g), ()):
                if c < SENSE_BASE:
                    known[c] = min(known.get(c, z), z)
    for g in groups:
        if g.kind == "keyword":
            found = [known[c] for c in concepts_of.get(id(g), ()) if c in known]
            if found:
                zipfs[id(g)] = min(found)
    return zipfs


def _group_keys(g: Cand) -> set[str]:
    keys = {g.key} | {f.casefold() for f in g.forms if is_unspaced(f)}
    for form in g.forms:
        keys.add(" ".join(raw_key(w) for w in WORD.findall(form)))
        keys |= {" ".join(word_key(w, lang) for w in WORD.findall(form)) for lang in g.langs}
    return keys


def _says_alone(g: Cand, seed_langs: list[str], per_lang: Counter[str]) -> bool:
    """A word of the only seed in its language, repeated there: no other seed could say
    it in that language (Северный поток in the one Russian seed, 北溪 in the one Chinese)."""
    if len(g.seeds) != 1:
        return False
    if g.count < 2 and (g.kind == "phrase" or not 0.0 < _rarity(g)[1] < ALONE_ZIPF):
        return False  # said once: only a word the word list knows as rare (unknown is not rare)
    (seed,) = g.seeds
    return per_lang[seed_langs[seed]] == 1


def select_terms(groups: list[Cand], seed_langs: list[str]) -> list[ProfileTerm]:
    """The terms kept, weighted (see the module rules). `seed_langs`: each seed's language."""
    n_seeds = len(seed_langs)
    min_df = 2 if n_seeds >= 3 else 1
    per_lang = Counter(seed_langs)
    pooled, concepts_of = _pool(groups)
    groups = [g for g in groups if g.count > 0]
    zipfs = _zipfs(groups, concepts_of)
    # the story's place is as common as its English name: a country's name is an everyday
    # word of its own language's news (Turkish "Türkiye", Zipf 6.1), not of the world's
    # (Turkey, 4.6); other countries are context and keep the rule
    story = set(story_places(groups, n_seeds))
    for g in groups:
        if g.kind == "entity" and (place := g.place) in story:
            english = common_zipf(places.name_of(str(place)), "en")
            if english > 0:  # (a name the word list lacks is unknown, not rare: Aqtau)
                zipfs[id(g)] = english
    concept_counts: Counter[int] = Counter()
    for g in groups:
        for c in concepts_of.get(id(g), ()):
            concept_counts[c] += g.count
    terms: list[ProfileTerm] = []
    calendar = calendar_keys()
    lower_counts: defaultdict[str, float] = defaultdict(float)
    for g in groups:
        if g.kind == "keyword":
            # the uses written in lower case; a word only of languages that capitalise
            # nouns counts all its uses, as before ("Versäumnisse")
            share = 1.0 if g.langs <= NOUN_CAPITALS else g.lower / g.count
            for form, n in g.forms.items():
                lower_counts[raw_key(form)] += n * share
    for g in groups:
        if g.kind == "keyword" and len(g.key) < 4:
            continue  # a short German noun no name joined (see `candidates`)
        df = len(pooled.get(id(g), g.seeds))
        if g.titles and zipfs[id(g)] > 0:
            # a word of a seed's headline: the headline says what the story is, so it
            # counts as one more seed (a form the word lists lack is unknown, not rare)
            df = min(n_seeds, df + HEADLINE_DF)
        if (df < min_df and not _says_alone(g, seed_langs, per_lang)) or (
            n_seeds < 3 and g.count < 2
        ):
            continue
        if g.kind == "entity" and " " not in g.key:
            if g.key in calendar:
                continue
            if lower_counts[g.key] >= g.count:
                continue  # mostly written in lower case: a common word starting sentences
            if g.in_runs >= 0.8 * g.count and (
                zipfs[id(g)] >= 3.5
                or (
                    zipfs[id(g)] >= RUN_WORD_ZIPF
                    and all(is_dictionary_word(f, lang) for f in g.forms for lang in g.langs)
                )
            ):
                # a common word that is part of a longer name (Security, Council; the
                # "Typhoon" of Typhoon Moran, which alone would be any typhoon)
                continue
            if g.in_runs >= g.count and all(
                is_common_noun(f, lang) for f in g.forms for lang in g.langs
            ):
                continue  # a German noun seen only before a name: "der Autobauer Brevik"
        z = zipfs[id(g)]
        rarity = max(0.0, RARITY_PIVOT - z)
        if z >= MAX_ZIPF:
            continue
        weight = (rarity / RARITY_PIVOT) * math.sqrt(df / n_seeds)
        if g.kind == "entity":
            weight *= ENTITY_BOOST
        # the form used most; a name's as a name is written ("Fed", not German's "fed")
        label = max(g.forms, key=lambda f: (g.kind == "entity" and f[:1].isupper(), g.forms[f]))
        aliases = sorted({f for f in g.forms} | g.expansions)
        count = max([g.count] + [concept_counts[c] for c in concepts_of.get(id(g), ())])
        why = f"in {df}/{n_seeds} seeds, {count} times; Zipf frequency {z:.1f} in general language"
        if g.expansions:
            why += "; acronym spelled out in the seeds"
        terms.append(ProfileTerm(g.key, label, g.kind, round(weight, 4), tuple(aliases), why))  # type: ignore[arg-type]
    entities = one_per_name(
        sorted((t for t in terms if t.kind == "entity"), key=lambda t: -t.weight)[:MAX_ENTITIES]
    )
    # among equal weights (forms of one concept) the most used first: it names the term
    used = {(g.kind, g.key): g.count for g in groups}
    seeds_of = {g.key: g.seeds for g in groups if g.kind == "phrase"}
    keywords = sorted(
        (t for t in terms if t.kind == "keyword"), key=lambda t: (-t.weight, -used[(t.kind, t.key)])
    )[:MAX_KEYWORDS]
    phrases = sorted((t for t in terms if t.kind == "phrase"), key=lambda t: -t.weight)[
        :MAX_PHRASES
    ]
    # single words inside a kept multi-word entity stay; a phrase needs both its words kept
    # alone, or most seeds: two everyday words that every seed puts together name the
    # story's thing ("interest rate", "central bank")
    kept_keys = {t.key for t in keywords}
    phrases = [
        p
        for p in phrases
        if all(any(same_stem(k, x) or k == x for k in kept_keys) for x in p.key.split())
        or (
            len(seeds_of[p.key]) >= PHRASE_SEEDS * n_seeds
            and not any(is_outlet_cue(w) for w in WORD.findall(p.label))  # "news agency"
        )
    ]
    return widen(entities) + keywords + phrases


def story_places(groups: list[Cand], n_seeds: int) -> tuple[str, ...]:
    """The places the story happens in: countries and cities named in most seeds
    (at least 60%), when together they are named in nearly every seed (80%). A place
    (`Cand.place`, found once by `merge.place_of`) counts the seeds of all the names that
    stand for it, as matching finds them (`US`,
    `USA`; Turkey, Türkei, Turcji, Турции): seeds in several languages name one country
    in several ways. Seeds that are not about one place (a company, a technology) give
    none, and matching then ignores geography."""
    need = n_seeds if n_seeds < 3 else math.ceil(0.6 * n_seeds)
    seeds_of: dict[str, set[int]] = defaultdict(set)
    for g in groups:
        if g.kind == "entity" and g.count and g.place is not None:
            seeds_of[g.place] |= g.seeds
    found = {pid for pid, seeds in seeds_of.items() if len(seeds) >= need}
    covered = {s for pid in found for s in seeds_of[pid]}
    if len(covered) < 0.8 * n_seeds:
        return ()
    return tuple(sorted(found))
