"""Scoring against many topics: articles/s for 1, 5 and 20 topics, in one process.

Each article's words, name keys and lemmatised word keys are made once, however many
topics score it (`match_keys.read`, `word_stream`), and so is the scan for the places it
names (`places_named`); the topics' matchers are made together (`Matcher.group`), so one
automaton of every topic's terms reads each key stream once and deals each topic its
matches, and each topic combines its own. So the cost of a topic is combining its hits,
not a new reading of the text.

Topics: the profiles learned from the shipped seeds and from every dev topic's seeds in
../shared/corpus/topics/ (when present), cycled and renamed up to 20 (a renamed copy
costs what a different topic of the same size costs: its automaton is as big). Articles:
the dev corpus (../shared/corpus/relevance/dev.jsonl and the topics' labelled sets) or,
without it, the shipped seeds. Prints articles/s per topic count, and the cost of 20
topics over 1 (20 would mean every topic re-reads the text).

Usage:  .venv/bin/python bench/bench_topics.py
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from newswatch import match_keys  # noqa: E402
from newswatch.adapters.seeds import read_seeds  # noqa: E402
from newswatch.matching import Matcher  # noqa: E402
from newswatch.models import Profile  # noqa: E402
from newswatch.profile import learn_profile  # noqa: E402
from newswatch.text import detect_language  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"


def profiles() -> list[Profile]:
    learned = [learn_profile(read_seeds(REPO / "seeds"), name="default")]
    topics = CORPUS / "topics"
    if topics.is_dir():
        for folder in sorted(p for p in topics.iterdir() if (p / "seeds").is_dir()):
            learned.append(learn_profile(read_seeds(folder / "seeds"), name=folder.name))
    return learned


def articles() -> list[tuple[str, str, str | None]]:
    files = [CORPUS / "relevance" / "dev.jsonl", *sorted(CORPUS.glob("topics/*/labelled.jsonl"))]
    rows = [json.loads(x) for f in files if f.exists() for x in f.read_text().splitlines()]
    if rows:
        return [(r["title"], r["text"], r.get("lang")) for r in rows]
    return [
        (s.text.split("\n", 1)[0], s.text, detect_language(s.text))
        for s in read_seeds(REPO / "seeds")
    ]


def rate(
    matchers: list[Matcher], items: list[tuple[str, str, str | None]], *, shared: bool = True
) -> float:
    start = time.perf_counter()
    for title, text, lang in items:
        for m in matchers:
            if not shared:  # what it would cost if each topic read the text again
                match_keys.read.cache_clear()
                match_keys.word_stream.cache_clear()
                match_keys.places_named.cache_clear()
                match_keys.unspaced_places_named.cache_clear()
            m.score(title, text, lang=lang)
    return len(items) / (time.perf_counter() - start)


def main() -> None:
    base = profiles()
    items = articles()
    print(
        f"{len(base)} learned profiles ({', '.join(p.name for p in base)}); {len(items)} articles"
    )
    pool = [replace(base[i % len(base)], name=f"t{i}") for i in range(20)]
    rate([Matcher(pool[0])], items[:50])  # warm: lemma dictionaries, place tables
    results = {}
    for n in (1, 5, 20):
        matchers = Matcher.group(pool[:n])
        results[n] = max(rate(matchers, items) for _ in range(2))
        print(f"{n:>2} topics: {results[n]:8.0f} articles/s (each scored against every topic)")
    apart = rate([Matcher(p) for p in pool], items, shared=False)
    print(f"20 topics, each reading the text itself: {apart:8.0f} articles/s")
    print(
        f"cost of 20 topics over 1: {results[1] / results[20]:.1f}x with the text read once, "
        f"{results[1] / apart:.1f}x with each topic reading it"
    )


if __name__ == "__main__":
    main()
