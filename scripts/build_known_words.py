"""Build src/newswatch/data/known_words.json: simplemma's lemma and wordfreq's Zipf
frequency of the words newswatch's own data uses, in their languages: the lexicon's
event forms (src/newswatch/data/lexicon/events.yaml) and the calibration background
(src/newswatch/data/background/); and, in everyday_words.json, the everyday words of
the translation table's spaced languages (wordfreq, Zipf >= 4.5), which learning checks
translations against.

Learning translates through the lexicon in all its languages and calibrates on the
background; looking those words up at learn time would load a lemma dictionary and a
word list per language (seconds and tens of MB each) whatever the seeds' languages.
Rebuild after changing those files or upgrading simplemma or wordfreq (a unit test
compares the table with a fresh build):

    .venv/bin/python scripts/build_known_words.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from newswatch.lexicon import lexicon_words  # noqa: E402
from newswatch.profile.calibrate import background_texts  # noqa: E402
from newswatch.text import EVERYDAY_WORDS_FILE, KNOWN_WORDS_FILE, known_words_now  # noqa: E402


def main() -> None:
    table = known_words_now(background_texts(), lexicon_words())
    everyday = table.pop("common")
    data = REPO / "src" / "newswatch" / "data"
    for name, content in ((KNOWN_WORDS_FILE, table), (EVERYDAY_WORDS_FILE, everyday)):
        text = json.dumps(content, ensure_ascii=False, sort_keys=True) + "\n"
        (data / name).write_text(text, encoding="utf-8")
    n = sum(len(v) for v in table["lemma"].values())
    print(
        f"{data / KNOWN_WORDS_FILE}: lemmas of {n} words, Zipf of "
        f"{sum(len(v) for v in table['zipf'].values())}; {data / EVERYDAY_WORDS_FILE}: "
        f"{sum(len(v) for v in everyday.values())} everyday words"
    )


if __name__ == "__main__":
    main()
