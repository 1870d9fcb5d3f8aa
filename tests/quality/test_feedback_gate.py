"""Feedback quality gate: a topic corrected by its first false alerts.

For the default topic (seeds/ and ../shared/corpus/relevance/dev.jsonl) and each topic of
../shared/corpus/topics/: learn fresh from the seeds, decide every labelled article as
`newswatch backtest` does, mark the first 5 false alerts in publication order wrong
(written as `newswatch feedback ... wrong` writes them), learn again, and decide the
remaining articles. bench/eval_feedback.py prints the same figures and the profile
changes. Floors are pinned just under what the method reaches today; raising one is a
deliberate diff.

Target of the feedback issue: the other false alerts fall by at least half, and recall
drops by at most 0.02. Reached today (other false alerts, recall, before -> after); the
topics' other false alerts are none once learning itself improved:

- default (1 false alert to mark): 0 -> 0, recall 1.000 -> 1.000 (the marked one no
  longer alerts: the lexicon form that made it look like the story is dropped)
- nord-stream-2022 (5 to mark since the translation table, 6 look-alikes in all): 1 -> 1,
  recall 0.899 -> 0.873 (not the target: the one left and the threshold rise that costs
  2 reports come from "pipeline" forms in gas-supply news; before the table: 3 to mark,
  0 -> 0, recall 0.835 -> 0.835)
- svb-collapse-2023 (5 to mark since "Silicon" is a name; 4 before): 0 -> 0, recall
  0.889 -> 0.889 since 硅谷银行 is Silicon Valley Bank (0.852 -> 0.852 since German's
  "die Fed" is the Fed; before: 0.833 -> 0.815, and
  0.815 -> 0.815; 4 still alert: they
  score as high as the seeds' own summaries, and the threshold rises only as far as it
  keeps marked articles out; before that rule it rose to the median seed summary and
  cost recall 0.815 -> 0.611 with every marked article still alerting)

The false alerts share the story's own names and event words (the pipeline's name and
"pipeline" in gas-supply news; the failed bank's name in other banks' troubles): what the
terms can do is small, the rest is the threshold, and the threshold stops at the lower
quartile of the seeds' held-out lead scores (see `profile.negatives`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newswatch.adapters.seeds import read_seeds
from newswatch.matching import Matcher
from newswatch.profile import SeedDoc, learn_profile

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus"
NEGATIVES = 5

pytestmark = [
    pytest.mark.quality,
    pytest.mark.skipif(not (CORPUS / "topics").is_dir(), reason="needs ../shared/corpus"),
]

# topic: (seeds, labelled articles, recall floor and most other false alerts after feedback)
TOPICS: dict[str, tuple[Path, Path, float, int]] = {
    "default": (REPO / "seeds", CORPUS / "relevance" / "dev.jsonl", 0.99, 0),
    "nord-stream-2022": (
        CORPUS / "topics" / "nord-stream-2022" / "seeds",
        CORPUS / "topics" / "nord-stream-2022" / "labelled.jsonl",
        0.86,
        1,
    ),
    "svb-collapse-2023": (
        CORPUS / "topics" / "svb-collapse-2023" / "seeds",
        CORPUS / "topics" / "svb-collapse-2023" / "labelled.jsonl",
        0.79,
        0,
    ),
}


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_marking_the_first_false_alerts_wrong(topic: str) -> None:
    seeds_dir, labelled, recall_floor, most_false = TOPICS[topic]
    rows = [json.loads(line) for line in labelled.read_text(encoding="utf-8").splitlines()]
    seeds = read_seeds(seeds_dir)
    before = Matcher(learn_profile(seeds))
    alerted = [before.score(r["title"], r["text"], lang=r["lang"]).is_match for r in rows]
    wrong = [i for i, r in enumerate(rows) if alerted[i] and r["label"] != "positive"]
    marked = sorted(sorted(wrong, key=lambda i: (rows[i]["published"], i))[:NEGATIVES])
    negatives = [
        SeedDoc(f"{rows[i]['id']}.txt", f"{rows[i]['title']}\n\n{rows[i]['text']}") for i in marked
    ]
    profile = learn_profile(seeds, negatives=negatives)
    after = Matcher(profile)
    now = [after.score(r["title"], r["text"], lang=r["lang"]).is_match for r in rows]
    rest = [i for i in range(len(rows)) if i not in set(marked)]
    positives = [i for i in rest if rows[i]["label"] == "positive"]
    false_before = sum(alerted[i] for i in rest if rows[i]["label"] != "positive")
    false_after = sum(now[i] for i in rest if rows[i]["label"] != "positive")
    recall_before = sum(alerted[i] for i in positives) / len(positives)
    recall_after = sum(now[i] for i in positives) / len(positives)
    print(
        f"\n{topic}: {len(marked)} marked wrong; other false alerts {false_before} -> "
        f"{false_after}; recall {recall_before:.3f} -> {recall_after:.3f}; threshold "
        f"{before.profile.threshold:.3f} -> {profile.threshold:.3f}"
    )
    assert false_after <= min(most_false, false_before), (false_before, false_after)
    assert recall_after >= recall_floor, recall_after
    # the marked articles are under the threshold, or the profile says why not
    if topic == "default":
        assert not any(now[i] for i in marked)
    elif any(now[i] for i in marked):
        assert "still match" in profile.threshold_how
