"""Whether a change to scoring changes any score: every article scored before and after.

`--save FILE` learns the profiles (from the shipped seeds, that profile widened to ~500
terms as `bench_matching.py` does, and every dev topic's seeds in
../shared/corpus/topics/) and scores every article of the dev corpus
(../shared/corpus/relevance/dev.jsonl, the topics' labelled sets), the first 60 again
with their language detected, and every seed with and without a title; it writes the
profiles and, per article and profile, the score, whether it matches, the keys of the
terms that fired and a hash of the whole Match (reasons, snippets, steps, focus).

`--compare FILE` scores the same articles with the profiles stored in FILE (so a change
to learning in between does not count), alone, with every profile scoring an article in
turn, and as one `Matcher.group`, and prints what differs; exit status 1 when anything does.

Usage:  .venv/bin/python bench/check_scores.py --save /tmp/before.pickle
        (change scoring)
        .venv/bin/python bench/check_scores.py --compare /tmp/before.pickle
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from wordfreq import top_n_list  # noqa: E402

from newswatch.adapters.seeds import read_seeds  # noqa: E402
from newswatch.matching import Matcher  # noqa: E402
from newswatch.models import Match, Profile, ProfileTerm  # noqa: E402
from newswatch.profile import learn_profile  # noqa: E402
from newswatch.text import word_key  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"
Article = tuple[str, str, str | None]


def learn() -> dict[str, Profile]:
    base = learn_profile(read_seeds(REPO / "seeds"), name="default")
    words = [w for w in top_n_list("en", 20_500)[20_000:] if w.isalpha()]
    padding = [
        ProfileTerm(word_key(w, "en"), w, "keyword", 0.05, (w,), "bench padding")
        for w in words[: max(0, 500 - len(base.terms))]
    ]
    profiles = {"default": base, "wide": replace(base, terms=base.terms + tuple(padding))}
    topics = CORPUS / "topics"
    if topics.is_dir():
        for folder in sorted(p for p in topics.iterdir() if (p / "seeds").is_dir()):
            profiles[folder.name] = learn_profile(read_seeds(folder / "seeds"), name=folder.name)
    return profiles


def articles() -> list[Article]:
    files = [CORPUS / "relevance" / "dev.jsonl", *sorted(CORPUS.glob("topics/*/labelled.jsonl"))]
    rows = [json.loads(x) for f in files if f.exists() for x in f.read_text().splitlines()]
    folders = [REPO / "seeds", *sorted(CORPUS.glob("topics/*/seeds"))]
    seeds = [s for folder in folders for s in read_seeds(folder)]
    items: list[Article] = [(r["title"], r["text"], r.get("lang")) for r in rows]
    items += [(r["title"], r["text"], None) for r in rows[:60]]
    items += [(s.text.split("\n", 1)[0], s.text, None) for s in seeds]
    items += [("", s.text, None) for s in seeds]
    return items


def summary(match: Match) -> list[object]:
    keys = sorted(r.key for r in match.reasons)
    return [match.score, match.is_match, keys, hashlib.sha1(repr(match).encode()).hexdigest()]


def score_all(profiles: dict[str, Profile], items: list[Article]) -> dict[str, list[object]]:
    out = {}
    for name, profile in profiles.items():
        matcher = Matcher(profile)
        for i, (title, text, lang) in enumerate(items):
            out[f"{name}/{i}"] = summary(matcher.score(title, text, lang=lang))
    return out


def differences(
    expected: dict[str, list[object]], profiles: dict[str, Profile], items: list[Article]
) -> list[str]:
    found = []
    alone = score_all(profiles, items)
    found += [
        f"alone {k}: {expected[k]} -> {alone.get(k)}"
        for k in expected
        if alone.get(k) != expected[k]
    ]
    names = list(profiles)
    in_turn = [Matcher(profiles[n]) for n in names]
    grouped = Matcher.group([profiles[n] for n in names])
    for i, (title, text, lang) in enumerate(items):
        for how, matchers in (("in turn", in_turn), ("grouped", grouped)):
            for name, matcher in zip(names, matchers, strict=True):
                got = summary(matcher.score(title, text, lang=lang))
                if got != expected[f"{name}/{i}"]:
                    found.append(f"{how} {name}/{i}: {expected[f'{name}/{i}']} -> {got}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    how = parser.add_mutually_exclusive_group(required=True)
    how.add_argument("--save", type=Path)
    how.add_argument("--compare", type=Path)
    args = parser.parse_args()
    items = articles()
    if args.save:
        profiles = learn()
        scores = score_all(profiles, items)
        args.save.write_bytes(pickle.dumps({"profiles": profiles, "scores": scores}))
        print(f"{len(scores)} scores of {len(items)} articles x {len(profiles)} profiles saved")
        return
    saved = pickle.loads(args.compare.read_bytes())  # noqa: S301 - a file this script wrote
    found = differences(saved["scores"], saved["profiles"], items)
    for line in found[:20]:
        print(line)
    print(f"{len(saved['scores'])} scores compared three ways: {len(found)} differ")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
