"""Scoring and learning speed: articles/s against a ~500-term profile, and learning time.

1. Learning: the profile from the shipped seeds (5), then from 50 seeds (the shipped ones
   plus 45 texts of ../shared/corpus/relevance/dev.jsonl when it is there, else the shipped
   seeds repeated with their paragraphs rotated). The first learn in a process also loads
   simplemma's dictionaries; both are printed, cold and warm.
2. Scoring: the learned profile widened to ~500 terms with real rare words (wordfreq's
   list, ranks 20,000-20,500), over every bundled demo and seed text and, when present,
   the dev corpus; one core, articles/s, and the ratio to a bare regex scan of the same
   texts for the same number of words (the floor of any matcher that reads the text).
3. Many topics: articles/s against 1, 5 and 20 topics (`bench_topics.py`).
Usage:  .venv/bin/python bench/bench_matching.py
"""

from __future__ import annotations

import json
import re
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from wordfreq import top_n_list  # noqa: E402

from newswatch.adapters.seeds import read_seeds  # noqa: E402
from newswatch.matching import Matcher  # noqa: E402
from newswatch.models import ProfileTerm  # noqa: E402
from newswatch.profile import SeedDoc, learn_profile  # noqa: E402
from newswatch.text import detect_language, word_key  # noqa: E402

DEV = REPO.parent / "shared" / "corpus" / "relevance" / "dev.jsonl"


def main() -> None:
    seeds = read_seeds(REPO / "seeds")
    dev = [json.loads(x) for x in DEV.read_text().splitlines()] if DEV.exists() else []

    t0 = time.perf_counter()
    profile = learn_profile(seeds)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    learn_profile(seeds)
    warm = time.perf_counter() - t0
    print(
        f"learn from {len(seeds)} seeds: {cold:.1f} s cold (dictionaries load), {warm:.1f} s warm"
    )

    if dev:
        extra = [SeedDoc(f"dev-{r['id']}.txt", f"{r['title']}\n\n{r['text']}") for r in dev[:45]]
        source = "45 dev-corpus texts"
    else:
        extra = []
        for i in range(45):
            s = seeds[i % len(seeds)]
            paras = s.text.split("\n\n")
            k = i % max(1, len(paras))
            extra.append(SeedDoc(f"rot-{i}.txt", "\n\n".join(paras[k:] + paras[:k])))
        source = "rotated copies of the seeds"
    fifty = list(seeds) + extra
    t0 = time.perf_counter()
    learn_profile(fifty)
    big = time.perf_counter() - t0
    print(f"learn from {len(fifty)} seeds (5 shipped + {source}): {big:.1f} s (target < 10 s)")

    words = [w for w in top_n_list("en", 20_500)[20_000:] if w.isalpha()]
    padding = [
        ProfileTerm(word_key(w, "en"), w, "keyword", 0.05, (w,), "bench padding")
        for w in words[: max(0, 500 - len(profile.terms))]
    ]
    wide = replace(profile, terms=profile.terms + tuple(padding))
    matcher = Matcher(wide)
    texts = [(s.text.split("\n", 1)[0], s.text) for s in seeds]
    texts += [(r["title"], r["text"]) for r in dev]
    langs = [detect_language(f"{t}\n{x}") for t, x in texts]
    n_words = sum(len(x.split()) for _, x in texts)
    rounds = max(1, 3000 // len(texts))
    t0 = time.perf_counter()
    for (title, text), lang in zip(texts, langs, strict=True):
        matcher.score(title, text, lang=lang)
    first = time.perf_counter() - t0
    print(
        f"first pass over {len(texts)} texts in {len(set(langs))} languages: {first:.1f} s "
        "(loads the lemma dictionaries of the seeds' and the lexicon's languages, once)"
    )
    t0 = time.perf_counter()
    for _ in range(rounds):
        for (title, text), lang in zip(texts, langs, strict=True):
            matcher.score(title, text, lang=lang)
    secs = time.perf_counter() - t0
    done = rounds * len(texts)
    scan = re.compile(r"\w+")
    t0 = time.perf_counter()
    for _ in range(rounds):
        for title, text in texts:
            sum(1 for _ in scan.finditer(f"{title}\n{text}"))
    floor = time.perf_counter() - t0
    print(
        f"scoring with {len(wide.terms)} terms "
        f"({sum(len(t.aliases) for t in wide.terms)} aliases): {done / secs:,.0f} articles/s "
        f"(mean {n_words // len(texts)} words; target >= 1,000/s on one core)"
    )
    print(f"ratio to a bare word scan of the same texts: {secs / floor:.1f}x")


if __name__ == "__main__":
    main()
    # 3. Many topics: articles/s against 1, 5 and 20 topics (see bench_topics.py).
    sys.path.insert(0, str(Path(__file__).parent))
    import bench_topics

    bench_topics.main()
