"""Relevance quality gate: the default profile, learned from the shipped seeds, over the
labelled development set (../shared/corpus/relevance/dev.jsonl). Floors are pinned at what
the method reaches today; raising one is a deliberate diff.

Targets of the profile issue: precision >= 0.90 overall (reached: 0.96, 24 of 25 alerts),
recall >= 0.85 on Latin- and Cyrillic-script articles (reached: 1.00 and 1.00). Chinese
recall is reported (1.00, 8 of 8, from English and Lithuanian seeds).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newswatch.adapters.seeds import read_seeds
from newswatch.matching import Matcher
from newswatch.profile import learn_profile

REPO = Path(__file__).resolve().parents[2]
DEV = REPO.parent / "shared" / "corpus" / "relevance" / "dev.jsonl"

pytestmark = [
    pytest.mark.quality,
    pytest.mark.skipif(not DEV.exists(), reason="needs ../shared/corpus"),
]

PRECISION_FLOOR = 0.92
RECALL_FLOORS = {"latin": 0.95, "cyrillic": 0.9, "cjk": 0.85}
CYRILLIC = {"ru", "uk", "bg", "sr", "mk", "be", "kk", "ky", "mn"}
CJK = {"zh", "ja", "ko"}


def _script(lang: str) -> str:
    return "cjk" if lang in CJK else "cyrillic" if lang in CYRILLIC else "latin"


def test_default_profile_on_the_dev_set() -> None:
    profile = learn_profile(read_seeds(REPO / "seeds"))
    matcher = Matcher(profile)
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]
    hits = {"tp": 0, "fp": 0}
    per_script: dict[str, list[bool]] = {"latin": [], "cyrillic": [], "cjk": []}
    false_positives = []
    for row in rows:
        match = matcher.score(row["title"], row["text"], lang=row["lang"])
        positive = row["label"] == "positive"
        if match.is_match:
            hits["tp" if positive else "fp"] += 1
            if not positive:
                false_positives.append(f"{row['id']} ({row['label']}, {match.score:.2f})")
        if positive:
            per_script[_script(row["lang"])].append(match.is_match)
    precision = hits["tp"] / max(1, hits["tp"] + hits["fp"])
    recall = {s: sum(v) / len(v) for s, v in per_script.items() if v}
    print(
        f"\nthreshold {profile.threshold:.3f}; precision {precision:.3f}; recall "
        + ", ".join(
            f"{s} {r:.3f} ({sum(per_script[s])}/{len(per_script[s])})" for s, r in recall.items()
        )
        + f"\nfalse positives: {false_positives}"
    )
    assert precision >= PRECISION_FLOOR, false_positives
    for script, floor in RECALL_FLOORS.items():
        assert recall[script] >= floor, (script, recall[script])
