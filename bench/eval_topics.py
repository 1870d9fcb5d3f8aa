"""How well a profile learned from 5 seeds finds its story: every dev topic, and the time
and memory `newswatch learn` costs the user.

1. For each topic of ../shared/corpus/topics/ (seeds/ and labelled.jsonl) and the default
   topic (seeds/ of this repo, ../shared/corpus/relevance/dev.jsonl): learn the profile
   fresh from the seeds, as `newswatch learn --seeds DIR` does (no previous profile), and
   decide each labelled article as `newswatch backtest` does (the same Matcher, the
   row's language). Prints precision, recall, recall per language (with counts), the
   hard negatives that alert, and the strongest terms of every false positive and false
   negative (to study them).
2. `newswatch learn --seeds DIR --profile TMP` as a user runs it (a subprocess of the
   installed command): wall time and peak RSS, per topic, with the language data cache
   filled (as after `make install` / `newswatch prepare`) and, beside it, the first use of
   an empty cache (each language's lemma index and word list built once).

Usage:  .venv/bin/python bench/eval_topics.py [--quiet] [--no-timing] [topic ...]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from newswatch.adapters.seeds import read_seeds  # noqa: E402
from newswatch.matching import Matcher  # noqa: E402
from newswatch.models import Match  # noqa: E402
from newswatch.profile import learn_profile  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"
TOPICS = CORPUS / "topics"


@dataclass
class Topic:
    name: str
    seeds: Path
    labelled: Path


@dataclass
class Result:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    hard_fp: int = 0
    hard: int = 0
    by_lang: dict[str, list[int]] = field(default_factory=dict)  # lang -> [found, positives]
    mistakes: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / max(1, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return self.tp / max(1, self.tp + self.fn)


def topics() -> list[Topic]:
    found = [Topic("default", REPO / "seeds", CORPUS / "relevance" / "dev.jsonl")]
    if TOPICS.is_dir():
        found += [
            Topic(d.name, d / "seeds", d / "labelled.jsonl")
            for d in sorted(TOPICS.iterdir())
            if (d / "labelled.jsonl").exists()
        ]
    return [t for t in found if t.labelled.exists()]


def _top_terms(match: Match, n: int = 6) -> str:
    best = sorted(match.reasons, key=lambda r: -r.contribution)[:n]
    return ", ".join(f"{r.label}[{r.kind[0]}]={r.contribution:.2f}" for r in best) or "-"


def evaluate(topic: Topic) -> tuple[Result, str]:
    profile = learn_profile(read_seeds(topic.seeds))
    matcher = Matcher(profile)
    res = Result()
    for line in topic.labelled.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        match = matcher.score(row["title"], row["text"], lang=row.get("lang"))
        positive = row["label"] == "positive"
        lang = row.get("lang") or "?"
        if positive:
            counts = res.by_lang.setdefault(lang, [0, 0])
            counts[1] += 1
            counts[0] += match.is_match
        if row["label"] == "hard_negative":
            res.hard += 1
            res.hard_fp += match.is_match
        if match.is_match and positive:
            res.tp += 1
        elif match.is_match:
            res.fp += 1
        elif positive:
            res.fn += 1
        if match.is_match != positive:
            kind = "FP" if match.is_match else "FN"
            res.mistakes.append(
                f"  {kind} {lang} {row['id']} {match.score:.2f} focus={match.focus}"
                f" | {row['title'][:70]!r}\n      {_top_terms(match)}"
            )
    top = sorted(profile.terms, key=lambda t: -t.weight)[:25]
    summary = (
        f"threshold {profile.threshold:.3f}, places {list(profile.places)}, "
        f"{len(profile.terms)} terms; top: " + ", ".join(f"{t.label}({t.weight:.2f})" for t in top)
    )
    return res, summary


def time_learn(seeds: Path, cache: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of the installed `newswatch learn` on the seeds, with
    `cache` as its language-data cache (NEWSWATCH_CACHE_DIR)."""
    exe = Path(sys.executable).parent / "newswatch"
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [str(exe), "learn", "--seeds", str(seeds), "--profile", f"{tmp}/profile.yaml"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, "NEWSWATCH_CACHE_DIR": str(cache)},
        )
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise SystemExit(f"newswatch learn failed: {err}")
    return wall, usage.ru_maxrss / 1024  # Linux: kilobytes


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="*")
    ap.add_argument("--quiet", action="store_true", help="no per-article mistakes")
    ap.add_argument("--no-timing", action="store_true")
    args = ap.parse_args()
    table = []
    for topic in topics():
        if args.names and topic.name not in args.names:
            continue
        t0 = time.perf_counter()
        res, summary = evaluate(topic)
        took = time.perf_counter() - t0
        print(f"== {topic.name}: {summary}")
        if not args.quiet:
            print("\n".join(res.mistakes))
        langs = ", ".join(
            f"{lang} {f}/{n}"
            for lang, (f, n) in sorted(res.by_lang.items(), key=lambda x: -x[1][1])
        )
        line = (
            f"{topic.name:22} P {res.precision:.3f} ({res.tp}/{res.tp + res.fp})  "
            f"R {res.recall:.3f} ({res.tp}/{res.tp + res.fn})  [{langs}]  "
            f"hard-negative alerts {res.hard_fp}/{res.hard}  (in-process {took:.1f} s)"
        )
        if not args.no_timing:
            # first with an empty language-data cache (a language never used before, as
            # if `newswatch prepare` had not run), then as every later learn runs
            with tempfile.TemporaryDirectory() as cache:
                cold = time_learn(topic.seeds, Path(cache))
                wall, rss = time_learn(topic.seeds, Path(cache))
            line += (
                f"  learn cmd {wall:.1f} s, {rss:.0f} MB"
                f" (first use, empty cache: {cold[0]:.1f} s, {cold[1]:.0f} MB)"
            )
        table.append(line)
        print(line, flush=True)
    print("\n".join(["", *table]))


if __name__ == "__main__":
    main()
