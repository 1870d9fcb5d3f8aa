"""Scoring an article against a profile, with the reasons for the score.

Why one module: the rules below are one sum and its caps, each defined in terms of the
others (names vouch for event words and the reverse, places and headlines scale the
result); split, a reader would have to hold several files to see why an article scored.

How the score is made:

- Every word of the title and text gets two match keys (see `text`, and `match_keys` for how): a *name key*
  (transliterated, folded, not lemmatised) and a *word key* (lemmatised first). Entities
  are found on name keys, allowing an inflectional ending of up to 4 letters on the last
  word (Tokayevas, Казахстане); keywords and phrases on word keys (up to 3 letters).
  A name ending in a vowel is also found with another ending in its place (Alma-Ata,
  Алма-Ате), and a hyphen joins the parts of a name like a space.
  Aliases in scripts written without spaces (Chinese, Japanese) are found as substrings.
  All terms are found in one pass per key stream (Aho-Corasick); matchers made together
  (`Matcher.group`, as the pipeline makes its topics') share that pass. A word of the article
  counts once: a keyword or a shorter name found on the words of a longer name that fired
  there is dropped ("Silicon" and "Silicon Valley" inside "Silicon Valley Bank"), and so
  is a keyword found on the words of a phrase that fired ("agency" in "disaster agency").
- A term that fires adds its weight, more when it recurs (x(1 + log2(hits)/2), at most
  twice the weight) and half again when it is in the title.
- Names tell which story, event words tell what happened: event words count at most
  1.5 times the names' sum and names at most 3 times the event words' sum, the story's
  places (which say where, not which story) at most 1.5 times. An article with only
  event words therefore scores nothing (what happened, but to which story?), one with
  only names a tenth (a mention, not a report: Tokayev at a summit). Fewer than three
  distinct terms count a third or two thirds (a term weighing under 0.3 counts as that
  share of one): a lone mention (a sports result from Almaty, Kazakhstan in a trade
  figure) stays low.
- Long texts gather hits by length alone, so the sum is divided by
  1 + 0.6 log2(words / 250) above 250 words (a long piece that touches the topic in
  passing gathers many weak hits; a report on the story keeps a high density of them).
- A story happens somewhere. When the profile has places (see `profile`), every country
  and city the article names is counted (CLDR names in many languages, see `places`;
  in scripts with case only when capitalised; title mentions count 1.5 times): the
  *focus* is the share that are the story's places or cities in its countries. Below a
  quarter, the score is scaled down in proportion, to a tenth when none is: the same
  event words and organisations in another country are another story (a CSTO mission to
  Armenia, clashes on the Armenia-Azerbaijan border). An article naming no place, or
  naming the story's place in its headline, keeps its score.
- A headline says what the article is about (see `headline`). When it names none of the
  profile's names and does name someone or something else, the article is about that
  other subject and mentions the story in passing: its score is multiplied by
  OTHER_SUBJECT. When a headline of 4 words or more, in a language the profile has words
  in (the seeds', the lexicon's and the translation table's), says none of the story's
  terms at all, its score is multiplied by OTHER_SUBJECT (again, when both hold: two
  signs).
- The story's names are in the headline or the lead: when the first name of the profile
  comes after LEAD_WORDS words, the article mentions the story in passing (another
  bank's troubles that recall the failed one in its eighth paragraph): its score is
  kept under the threshold (PASSING of it), whatever else it says.
- A country is not a story's specific name: when every name that fired is of the
  country level (`level: country` in the profile: a country, its people, its capital,
  its head of state or government; see `profile.levels`) or a country other than the
  story's places (the story's own places are capped as places above), names count at
  most as much as the event words (not 3 times) and add nothing to the breadth, so the
  event words alone must make the article's case. News about the same country
  (elections, diplomacy, trade) shares its name with the story; the story is told by its
  specific names (cities, people, organisations) or by what happened.
- The article matches when the score reaches the profile's threshold (learned, see
  `profile`). The reasons list every term that fired: weight, contribution, hits,
  whether in the title, the form matched and a snippet around the first hit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from newswatch import places
from newswatch.headline import is_long, other_subjects
from newswatch.lexicon import LANGUAGES as LEXICON_LANGUAGES
from newswatch.match_keys import (
    ENTITY_ENDING,
    Found,
    Named,
    TermGroup,
    find_terms,
    in_text_order,
    matches_of,
    places_named,
    read,
    term_automata,
    unspaced_places_named,
    word_stream,
)
from newswatch.models import Match, Profile, ProfileTerm, Reason
from newswatch.text import (
    WORD,
    detect_language,
    is_unspaced,
    raw_key,
    unspaced_chars,
)
from newswatch.translations import LANGUAGES as TRANSLATION_LANGUAGES

WORD_ENDING = 3
TITLE_BONUS = 1.5
EVENT_CAP = 1.5
NAME_CAP = 3.0
ENTITY_ONLY = 0.1
BREADTH = 3
BREADTH_WEIGHT = 0.3
LENGTH_PIVOT = 250
LENGTH_SLOPE = 0.6
PLACE_CAP = 1.5
PLACE_SHARE = 0.25
PLACE_FLOOR = 0.1
UNSPACED_CHARS_PER_WORD = 1.6
OTHER_SUBJECT = 0.3
COUNTRY_NAME_CAP = 1.0
LEAD_WORDS = 60
PASSING = 0.9


class Matcher:
    """A profile compiled for scoring. Build once, score many articles."""

    def __init__(self, profile: Profile, *, recent: int = 0) -> None:
        """`recent`: how many of the last articles scored it remembers, so a copy (same
        title, text and language) is not scored again; 0 remembers none."""
        self.profile = profile
        self.recent = recent
        self.terms: list[ProfileTerm] = list(profile.terms)
        # Lemmas matter only where keyword forms can be: the seeds' languages, the
        # lexicon's and the translation table's (an article in one of them is lemmatised
        # as its aliases are). Other languages are matched on names alone, and skip
        # loading a lemma dictionary (about 1.5 s each, once per process).
        self._lemma_langs = (
            set(profile.languages) | set(LEXICON_LANGUAGES) | set(TRANSLATION_LANGUAGES)
        )
        self._story: frozenset[str] = frozenset(
            pid for entry in profile.places for pid in places.resolve(entry)
        )
        self._story_id: tuple[str, ...] = (min(self._story),) if self._story else ()
        # the profile's names of the story's places count as such in any language
        self._story_terms = frozenset(
            idx
            for idx, t in enumerate(self.terms)
            if t.kind == "entity"
            and any(
                places.within(p.id, self._story)
                for form in (t.label, *t.aliases)
                for p in places.find(form)
            )
        )
        # names of the country level: marked so by learning (a country, its people, its
        # capital, its leader), or a country CLDR knows; the story's own places are capped
        # as places instead (see _combine)
        self._country_level = frozenset(
            idx
            for idx, t in enumerate(self.terms)
            if t.kind == "entity"
            and idx not in self._story_terms
            and (
                t.level == "country"
                or any(
                    len(p.id) == 2 and "/" not in p.id
                    for form in (t.label, *t.aliases)
                    for p in places.find(form)
                )
            )
        )
        self._known_keys = frozenset(
            raw_key(w) for t in self.terms for f in (t.label, *t.aliases) for w in WORD.findall(f)
        )
        # the gazetteer's names are found once per article for every topic that has
        # places (`places_named`, `unspaced_places_named`), not by each topic's automata
        self._automata = term_automata(self.terms)
        self._group: TermGroup | None = None  # see `group`
        self._member = 0
        # the last articles scored: a re-post or syndicated copy (same title, text and
        # language) is scored once; a score depends on nothing else
        self._remembered = lru_cache(maxsize=recent)(
            lambda title, text, lang: self._score(title, text, lang)
        )

    def score(self, title: str, text: str, lang: str | None = None) -> Match:
        """Score one article (see the module rules)."""
        if not self.recent:
            return self._score(title, text, lang)
        return self._remembered(title, text, lang)  # type: ignore[no-any-return]

    def _score(self, title: str, text: str, lang: str | None) -> Match:
        full = f"{title}\n{text}" if title else text
        title_end = len(title)
        lang = lang or detect_language(full)
        article = read(full)
        words = article.words
        # each term that fired: [hits, any in the title, (start, end, form) of the first]
        hits: dict[int, list[Any]] = {}
        lead: int | None = None  # words before the first name of the profile
        # places named: (token index or -1 - character offset) -> (place ids, in the title)
        where: dict[int, tuple[tuple[str, ...], bool]] = {}
        own = "*" if lang not in places.LANGUAGES else lang

        def place_ids(found: Named) -> tuple[str, ...]:
            return found.get(own) or found.get("en", ()) if found else ()

        if words:
            lemma_lang = lang if lang in self._lemma_langs else None
            found: list[tuple[int, int, int]] = []  # (term, first token, last token)
            # (places, first token)
            named = places_named(full, ENTITY_ENDING) if self._story else []
            names = article.names
            find_terms(self._matches("names", names.text), names, ENTITY_ENDING, found)
            keys = word_stream(full, lemma_lang)
            find_terms(self._matches("words", keys.text), keys, WORD_ENDING, found)
            found = self._one_term_per_word(found)
            title_tokens = len(WORD.findall(title)) if title and (found or named) else 0
            if found or named:
                for found_places, first in named:
                    w = words[first]
                    pids = place_ids(found_places)
                    if pids and (w[:1].isupper() or w[:1].lower() == w[:1].upper()):
                        # capitalised, or a script without case
                        where[first] = (pids, first < title_tokens)
                for idx, first, _ in found:
                    if idx in self._story_terms:
                        where.setdefault(first, (self._story_id, first < title_tokens))
            if found:
                # a term's hits are in the title when they start in its words; the offsets
                # in the text are needed only of each term's first hit
                on: dict[int, list[tuple[int, int]]] = {}
                for idx, first, last in found:
                    on.setdefault(idx, []).append((first, last))
                for idx, tokens in on.items():
                    first, last = min(tokens)
                    s, e = article.span(first)[0], article.span(last)[1]
                    hits[idx] = [len(tokens), first < title_tokens, (s, e, full[s:e])]
                lead = min(
                    (first for idx, first, _ in found if self.terms[idx].kind == "entity"),
                    default=None,
                )
                if lead is not None and is_unspaced(full):
                    # in Chinese or Japanese text the Latin words are not all its words
                    lead = _words_before(full, article.span(lead)[0])
        n_words = len(words)
        if article.unspaced:
            if len(self._automata["unspaced"]) or self._story:
                first_unspaced = True
                for end, pattern, idxs, found_places in in_text_order(
                    self._matches("unspaced", article.folded()),
                    unspaced_places_named(full) if self._story else (),
                ):
                    start = end - len(pattern) + 1
                    for idx in idxs:
                        hit = (start, end + 1, full[start : end + 1])
                        n, in_title, first_hit = hits.get(idx, (0, False, hit))
                        hits[idx] = [n + 1, in_title or start < title_end, min(first_hit, hit)]
                        if first_unspaced and self.terms[idx].kind == "entity":
                            first_unspaced = False  # hits come in text order
                            at = _words_before(full, start)
                            lead = at if lead is None else min(lead, at)
                    pids = place_ids(found_places)
                    if any(idx in self._story_terms for idx in idxs):
                        pids = self._story_id
                    if pids:
                        where[-1 - start] = (pids, start < title_end)
            # a run of Han or kana is many words: count them by their characters
            n_words += round(article.unspaced_chars() / UNSPACED_CHARS_PER_WORD)
        return self._combine(hits, full, n_words, lang, where, title, lead or 0)

    @classmethod
    def group(cls, profiles: Iterable[Profile], *, recent: int = 0) -> list[Matcher]:
        """Matchers of several topics that find their terms together: one automaton of
        every topic's terms reads each article's key streams once for all of them (see
        `match_keys.TermGroup`). Each scores exactly as a Matcher of its own."""
        matchers = [cls(p, recent=recent) for p in profiles]
        if len(matchers) > 1:
            group = TermGroup([m._automata for m in matchers])
            for member, matcher in enumerate(matchers):
                matcher._group, matcher._member = group, member
        return matchers

    def _matches(self, kind: str, text: str) -> Iterable[Found]:
        """What this topic's automaton of `kind` finds in `text`: its own pass, or its
        share of its group's."""
        if self._group is not None:
            return self._group.matches(kind, text)[self._member]
        return matches_of(self._automata[kind], text)

    def _one_term_per_word(self, found: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
        """The hits without those found on the words of a longer name that fired there
        ("Silicon" and "Silicon Valley" inside "Silicon Valley Bank"), without the
        keywords found on the words of a name, and without the keywords found on the
        words of a phrase that fired there ("agency" inside "disaster agency"): a word
        of the article counts once."""
        names = [(a, b) for idx, a, b in found if self.terms[idx].kind == "entity"]
        phrases = [(a, b) for idx, a, b in found if self.terms[idx].kind == "phrase"]
        if not names and not phrases:
            return found
        return [
            (idx, a, b)
            for idx, a, b in found
            if not any(
                x <= a and b <= y and (self.terms[idx].kind != "entity" or y - x > b - a)
                for x, y in names
            )
            and not (
                self.terms[idx].kind == "keyword" and any(x <= a and b <= y for x, y in phrases)
            )
        ]

    def _combine(
        self,
        hits: dict[int, list[Any]],
        full: str,
        n_words: int,
        lang: str | None,
        where: dict[int, tuple[tuple[str, ...], bool]],
        title: str = "",
        lead: int = 0,
    ) -> Match:
        reasons: list[Reason] = []
        entity_sum = 0.0
        event_sum = 0.0
        place_sum = 0.0  # the part of entity_sum that is the story's places
        for idx, (n, in_title, (s, e, surface)) in hits.items():
            term = self.terms[idx]
            contribution = term.weight * min(2.0, 1.0 + 0.5 * math.log2(n))
            if in_title:
                contribution *= TITLE_BONUS
            if term.kind == "entity":
                entity_sum += contribution
                if idx in self._story_terms:
                    place_sum += contribution
            else:
                event_sum += contribution
            reasons.append(
                Reason(
                    key=term.key,
                    label=term.label,
                    kind=term.kind,
                    weight=term.weight,
                    contribution=round(contribution, 4),
                    hits=n,
                    in_title=in_title,
                    matched=surface,
                    snippet=_snippet(full, s, e),
                )
            )
        # Each side vouches for the other only so far: event words count at most 1.5 times
        # the names that say which story it is, and names at most 3 times the event words
        # that say what happened. Names alone are a mention, not a report.
        entities = [idx for idx in hits if self.terms[idx].kind == "entity"]
        country_only = bool(entities) and all(idx in self._country_level for idx in entities)
        name_cap = COUNTRY_NAME_CAP if country_only else NAME_CAP
        steps = [
            f"terms add up to {entity_sum + event_sum:.3f}: names {entity_sum:.3f}, "
            f"event words {event_sum:.3f}"
        ]
        if event_sum > 0:
            names = min(
                entity_sum, name_cap * event_sum, entity_sum - place_sum + PLACE_CAP * event_sum
            )
            events = min(event_sum, EVENT_CAP * entity_sum)
            total = names + events
            if names < entity_sum:
                steps.append(
                    f"names count at most {name_cap:g}x the event words (the story's places "
                    f"{PLACE_CAP:g}x): {entity_sum:.3f} -> {names:.3f}"
                )
            if events < event_sum:
                steps.append(
                    f"event words count at most {EVENT_CAP:g}x the names: "
                    f"{event_sum:.3f} -> {events:.3f}"
                )
        else:
            total = entity_sum * ENTITY_ONLY
            if entity_sum > 0:
                steps.append(f"names without event words are a mention: x{ENTITY_ONLY:g}")
        # breadth: distinct terms, each counted in full only from BREADTH_WEIGHT up, so a
        # name plus an everyday word ("rise") is still a lone mention
        breadth = sum(
            min(1.0, self.terms[idx].weight / BREADTH_WEIGHT)
            for idx in hits
            if not (country_only and idx in self._country_level)
        )
        if breadth < BREADTH and hits:
            steps.append(
                f"only {breadth:.1f} distinct terms of {BREADTH:g}: x{breadth / BREADTH:.2f}"
            )
        total *= min(1.0, breadth / BREADTH)
        if n_words > LENGTH_PIVOT:
            divisor = 1.0 + LENGTH_SLOPE * math.log2(n_words / LENGTH_PIVOT)
            total /= divisor
            steps.append(f"a long text ({n_words} words): /{divisor:.2f}")
        focus, elsewhere = self._focus(where)
        if focus is not None and (factor := _place_factor(focus)) != 1.0:
            total *= factor
            steps.append(f"{focus:.0%} of the places named are the story's: x{factor:.2f}")
        if total > 0 and not any(r.in_title and r.kind == "entity" for r in reasons):
            other = other_subjects(title, lang, self._known_keys, self._lemma_langs)
            if other:
                total *= OTHER_SUBJECT
                steps.append(
                    f"the headline is about {', '.join(other)}, none of the story's names: "
                    f"x{OTHER_SUBJECT:g}"
                )
        if (
            total > 0
            and lang in self._lemma_langs
            and is_long(title)
            and not any(r.in_title for r in reasons)
        ):
            # also when it names someone else: two signs the story is not its subject;
            # only in a language the profile has words in (else its silence says nothing)
            total *= OTHER_SUBJECT
            steps.append(f"the headline says none of the story's terms: x{OTHER_SUBJECT:g}")
        if lead > LEAD_WORDS and total > PASSING * self.profile.threshold:
            total = PASSING * self.profile.threshold
            steps.append(
                f"the story's first name comes after {lead} words, not in the lead: "
                "kept under the threshold"
            )
        total = round(total, 4)
        steps.append(f"score {total:.3f}")
        reasons.sort(key=lambda r: (-r.contribution, r.key))
        return Match(
            score=round(total, 4),
            threshold=self.profile.threshold,
            reasons=tuple(reasons),
            lang=lang,
            focus=None if focus is None else round(focus, 4),
            elsewhere=elsewhere,
            steps=tuple(steps),
        )

    def _focus(
        self, where: dict[int, tuple[tuple[str, ...], bool]]
    ) -> tuple[float | None, tuple[str, ...]]:
        """Share of the article's places that are the story's, and the other places."""
        if not self._story or not where:
            return None, ()
        gaz = places.gazetteer()
        story = 0.0
        headline = False  # the headline names the story's place
        other: dict[str, float] = {}
        for pids, in_title in where.values():
            w = TITLE_BONUS if in_title else 1.0
            if any(places.within(p, self._story) for p in pids):
                story += w
                headline = headline or in_title
            else:
                name = gaz.places[pids[0]].name
                other[name] = other.get(name, 0.0) + w
        elsewhere = tuple(sorted(other, key=lambda n: (-other[n], n)))
        return (1.0 if headline else story / (story + sum(other.values()))), elsewhere


@lru_cache(maxsize=64)  # every topic asks for the same article's first names
def _words_before(text: str, offset: int) -> int:
    """About how many words precede `offset` (Chinese and Japanese by their characters)."""
    before = text[:offset]
    if is_unspaced(before):
        return round(unspaced_chars(before) / UNSPACED_CHARS_PER_WORD) + len(WORD.findall(before))
    return len(WORD.findall(before))


def _place_factor(focus: float) -> float:
    """What the score is multiplied by for a focus (see the module rules)."""
    return max(PLACE_FLOOR, min(1.0, focus / PLACE_SHARE))


def _snippet(text: str, start: int, end: int, width: int = 160) -> str:
    half = max(0, (width - (end - start)) // 2)
    a = max(0, start - half)
    b = min(len(text), end + half)
    core = " ".join(text[a:b].split())
    return ("…" if a > 0 else "") + core + ("…" if b < len(text) else "")
