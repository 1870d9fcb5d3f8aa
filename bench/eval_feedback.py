"""What feedback does for a topic: the first false alerts marked wrong, and the rest.

For the default topic (seeds/ of this repo, ../shared/corpus/relevance/dev.jsonl) and each
topic of ../shared/corpus/topics/ (seeds/ and labelled.jsonl):

1. learn the profile fresh from the seeds, as `newswatch learn --seeds DIR` does, and
   decide every labelled article as `newswatch backtest` does (the same Matcher, the
   row's language);
2. take the first NEGATIVES false alerts in publication order (the row's `published`
   date, then file order) as negatives, written as `newswatch feedback ... wrong` writes
   them (title line, blank line, text), and learn again with them;
3. decide the remaining articles (all but those negatives) with both profiles.

Prints, per topic, the false alerts among the remaining articles and the recall, before
and after, and what changed in the profile. Target of the feedback issue: the other false
alerts fall by at least half, recall drops by at most 0.02.

Usage:  .venv/bin/python bench/eval_feedback.py [--negatives N] [--quiet] [topic ...]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from newswatch.adapters.seeds import read_seeds  # noqa: E402
from newswatch.matching import Matcher  # noqa: E402
from newswatch.models import Profile  # noqa: E402
from newswatch.profile import SeedDoc, describe_changes, learn_profile  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"
TOPICS = CORPUS / "topics"
NEGATIVES = 5


@dataclass
class Topic:
    name: str
    seeds: Path
    labelled: Path


@dataclass
class Outcome:
    """One topic before and after feedback, on the articles that were not negatives."""

    name: str
    negatives: int
    false_before: int
    false_after: int
    positives: int
    found_before: int
    found_after: int
    before: Profile
    after: Profile
    still_wrong: int  # negatives that still alert after re-learning

    @property
    def recall_before(self) -> float:
        return self.found_before / max(1, self.positives)

    @property
    def recall_after(self) -> float:
        return self.found_after / max(1, self.positives)

    @property
    def meets_target(self) -> bool:
        halved = self.false_after * 2 <= self.false_before
        return halved and self.recall_before - self.recall_after <= 0.02 + 1e-9


def topics() -> list[Topic]:
    found = [Topic("default", REPO / "seeds", CORPUS / "relevance" / "dev.jsonl")]
    if TOPICS.is_dir():
        found += [
            Topic(d.name, d / "seeds", d / "labelled.jsonl")
            for d in sorted(TOPICS.iterdir())
            if (d / "labelled.jsonl").exists()
        ]
    return [t for t in found if t.labelled.exists()]


def as_negative(row: dict[str, Any]) -> SeedDoc:
    """A false alert as `feedback ... wrong` writes it: title line, blank line, text."""
    return SeedDoc(f"{row['id']}.txt", f"{row['title']}\n\n{row['text']}\n")


def evaluate(topic: Topic, n_negatives: int = NEGATIVES) -> Outcome:
    rows = [json.loads(line) for line in topic.labelled.read_text(encoding="utf-8").splitlines()]
    seeds = read_seeds(topic.seeds)
    before = learn_profile(seeds)
    first = Matcher(before)
    alerts = [first.score(r["title"], r["text"], lang=r.get("lang")).is_match for r in rows]
    wrong = [i for i, r in enumerate(rows) if alerts[i] and r["label"] != "positive"]
    wrong.sort(key=lambda i: (rows[i].get("published") or "", i))
    marked = set(wrong[:n_negatives])
    after = learn_profile(seeds, negatives=[as_negative(rows[i]) for i in sorted(marked)])
    second = Matcher(after)
    out = Outcome(topic.name, len(marked), 0, 0, 0, 0, 0, before, after, 0)
    for i, row in enumerate(rows):
        now = second.score(row["title"], row["text"], lang=row.get("lang")).is_match
        if i in marked:
            out.still_wrong += now
            continue
        if row["label"] == "positive":
            out.positives += 1
            out.found_before += alerts[i]
            out.found_after += now
        else:
            out.false_before += alerts[i]
            out.false_after += now
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="*")
    ap.add_argument("--negatives", type=int, default=NEGATIVES)
    ap.add_argument("--quiet", action="store_true", help="no profile changes")
    args = ap.parse_args()
    table = []
    for topic in topics():
        if args.names and topic.name not in args.names:
            continue
        t0 = time.perf_counter()
        o = evaluate(topic, args.negatives)
        took = time.perf_counter() - t0
        if not args.quiet:
            print(f"== {o.name}: {o.negatives} negatives\n{describe_changes(o.before, o.after)}")
        line = (
            f"{o.name:22} negatives {o.negatives}  other false alerts "
            f"{o.false_before} -> {o.false_after}  recall {o.recall_before:.3f} -> "
            f"{o.recall_after:.3f} ({o.found_before} -> {o.found_after}/{o.positives})  "
            f"negatives still alerting {o.still_wrong}/{o.negatives}  "
            f"target {'met' if o.meets_target else 'NOT met'}  ({took:.1f} s)"
        )
        table.append(line)
        print(line, flush=True)
    print("\n".join(["", *table]))


if __name__ == "__main__":
    main()
