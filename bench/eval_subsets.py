"""How much the translation table adds when the seeds change: each topic learned from all
its seeds and from every subset that leaves one seed out, with the table off and on, and
its labelled articles decided as `backtest` does. Prints precision and recall per run.

Usage: .venv/bin/python bench/eval_subsets.py [TOPIC ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "src"), str(REPO / "bench")]

import eval_topics as ev  # noqa: E402
from newswatch import translations  # noqa: E402
from newswatch.matching import Matcher  # noqa: E402
from newswatch.profile import SeedDoc  # noqa: E402

TABLE = translations.senses


def decide(topic: ev.Topic, seeds: list[SeedDoc], table: bool) -> tuple[float, float]:
    translations.senses = TABLE if table else (lambda keys: set())  # type: ignore[assignment]
    try:
        matcher = Matcher(ev.learn_profile(seeds))
    finally:
        translations.senses = TABLE  # type: ignore[assignment]
    tp = fp = fn = 0
    for line in topic.labelled.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        hit = matcher.score(row["title"], row["text"], lang=row.get("lang")).is_match
        positive = row["label"] == "positive"
        tp += hit and positive
        fp += hit and not positive
        fn += positive and not hit
    return (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)


def main() -> None:
    wanted = set(sys.argv[1:])
    for topic in ev.topics():
        if wanted and topic.name not in wanted:
            continue
        seeds = ev.read_seeds(topic.seeds)
        for drop in [None, *range(len(seeds))]:
            some = [s for i, s in enumerate(seeds) if i != drop]
            off = decide(topic, some, False)
            on = decide(topic, some, True)
            name = "all seeds" if drop is None else f"without {seeds[drop].name[:30]}"
            print(
                f"{topic.name:20} {name:40} table off: P {off[0]:.3f} R {off[1]:.3f}"
                f"  on: P {on[0]:.3f} R {on[1]:.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
