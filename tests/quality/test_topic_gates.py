"""Quality gate per development topic: each topic of ../shared/corpus/topics/ (a story of
another kind than the default one: its 5 seeds in several languages and its labelled
articles) learned fresh from its seeds, as `newswatch learn --seeds DIR` does, and its
articles decided as `newswatch backtest` does. Floors are pinned just under what the
method reaches today (bench/eval_topics.py prints the figures and every mistake); raising
one is a deliberate diff.

Targets of the learning issue, for every topic: precision >= 0.90, recall >= 0.85, and
recall >= 0.75 in each language with 5 or more positives. Reached today:

- nord-stream-2022: precision 0.92, recall 0.90 (en 28/32, pl 23/25, ru 17/19, zh 3/3);
  6 of 51 look-alikes alerted (before the Wiktionary translation table: 0.96, 0.84, en
  25/32, ru 15/19, 3 of 51; before the headline rules, quoted names and one count per
  word: 0.93, 0.78, zh 0/3, 5 of 51; before descriptors and the one-language seed's rare
  words: 0.75, 0.79, pl 14/25, 21 of 51)
- svb-collapse-2023: precision 0.91, recall 0.89 (en 27/28, pl 18/20, ru 1/4, zh 2/2);
  5 of 54 look-alikes alerted (since 硅谷银行 is Silicon Valley Bank in Chinese, the
  table's 硅谷 and 银行 together: before it 0.90, 0.85, zh 0/2; since German's "die Fed"
  joins the Fed the English seed names: before it 0.92, 0.83, 4 of 54, once the names of the US counted as one place;
  before that 0.90, 0.83, 5 of 54; since "Silicon", more often a name than a sentence
  opener in the seeds, stays a name: 0.92, 0.81, ru 0/4, 4 of 54; other banks' troubles that
  name the failed one; before the
  headline rules and one count per word: 0.82, 0.85, 10 of 54, recall then held up by
  "Silicon" counted again inside "Silicon Valley Bank" as if it were an event word, and
  by the region "Silicon Valley" standing for the bank; before the first headline and
  lead rules and German nouns: 0.73, 15 of 54)

Every target is reached on the development sets; svb's Russian articles name the bank in
their own words, which no two seed languages confirm (ru 1/4: under 5 positives).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newswatch.adapters.seeds import read_seeds
from newswatch.matching import Matcher
from newswatch.profile import learn_profile

REPO = Path(__file__).resolve().parents[2]
TOPICS = REPO.parent / "shared" / "corpus" / "topics"

pytestmark = [
    pytest.mark.quality,
    pytest.mark.skipif(not TOPICS.is_dir(), reason="needs ../shared/corpus/topics"),
]

# topic: (precision, recall, {language: recall}) floors; languages with >= 5 positives
FLOORS: dict[str, tuple[float, float, dict[str, float]]] = {
    "nord-stream-2022": (0.91, 0.88, {"en": 0.84, "pl": 0.88, "ru": 0.85}),
    "svb-collapse-2023": (0.90, 0.88, {"en": 0.96, "pl": 0.85}),
}


@pytest.mark.parametrize("topic", sorted(FLOORS))
def test_a_topic_learned_fresh_from_its_seeds(topic: str) -> None:
    folder = TOPICS / topic
    profile = learn_profile(read_seeds(folder / "seeds"))
    matcher = Matcher(profile)
    tp = fp = 0
    found: dict[str, list[bool]] = {}
    mistakes = []
    for line in (folder / "labelled.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        match = matcher.score(row["title"], row["text"], lang=row["lang"])
        positive = row["label"] == "positive"
        if positive:
            found.setdefault(row["lang"], []).append(match.is_match)
        if match.is_match:
            tp += positive
            fp += not positive
        if match.is_match != positive:
            mistakes.append(f"{row['id']} ({row['label']}, {match.score:.2f})")
    positives = sum(len(v) for v in found.values())
    precision, recall = tp / max(1, tp + fp), tp / max(1, positives)
    by_lang = {lang: sum(v) / len(v) for lang, v in found.items()}
    print(
        f"\n{topic}: threshold {profile.threshold:.3f}; precision {precision:.3f}; recall "
        f"{recall:.3f}; "
        + ", ".join(f"{lang} {sum(v)}/{len(v)}" for lang, v in sorted(found.items()))
        + f"\nmistakes: {mistakes}"
    )
    p_floor, r_floor, lang_floors = FLOORS[topic]
    assert precision >= p_floor, mistakes
    assert recall >= r_floor, mistakes
    for lang, floor in lang_floors.items():
        assert by_lang[lang] >= floor, (lang, by_lang[lang])
    # every language with 5 or more positives has a floor
    assert {lang for lang, v in found.items() if len(v) >= 5} <= set(lang_floors)
