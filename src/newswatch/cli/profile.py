"""`newswatch learn`, `backtest` and `explain`: the topic profile, learned and tried."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from newswatch.cli.common import ProfileOpt, fail_config, out, reported, settings
from newswatch.errors import ConfigError
from newswatch.models import Profile


def learn(
    seeds: Annotated[
        Path | None, typer.Option("--seeds", help="Folder of seed articles (default seeds/).")
    ] = None,
    profile: ProfileOpt = None,
) -> None:
    """Learn the topic profile from the seed articles and write it as editable YAML.

    Terms you pin, exclude or add in the profile survive re-learning.
    """
    from newswatch.pipeline.profiles import learn as learn_profile

    chosen = settings(seeds_dir=seeds, profile_file=profile)
    with reported():
        prof, path = learn_profile(chosen)
    out.print(
        f"learned {len(prof.terms)} terms from {len(prof.seeds)} seeds -> {path}", highlight=False
    )
    out.print(f"threshold {prof.threshold:.3f}: {prof.threshold_how}", highlight=False)
    table = Table("term", "kind", "weight", "aliases")
    for term in prof.terms[:20]:
        table.add_row(term.label, term.kind, f"{term.weight:.3f}", ", ".join(term.aliases[:6]))
    out.print(table)


def _profile_or_learn(profile: Path | None) -> Profile:
    from newswatch.pipeline.profiles import ensure_profile

    with reported():
        return ensure_profile(settings(profile_file=profile))


def backtest(
    articles: Annotated[
        Path,
        typer.Argument(
            metavar="ARTICLES.jsonl", help="JSON lines: id, title, text [, url, lang, published]."
        ),
    ],
    profile: ProfileOpt = None,
) -> None:
    """Run matching and dedup over articles in file order, with no network and fresh state.

    Prints one JSON line per article: id, match, score, threshold, reasons,
    duplicate_of, story, alert (and duplicate_kind, lang, focus, elsewhere).
    """
    from newswatch.backtest import BacktestInput, run_backtest

    prof = _profile_or_learn(profile)
    try:
        lines = articles.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        fail_config(ConfigError(f"cannot read articles: {exc}", path=str(articles)))
    items = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            items.append(BacktestInput.from_json(line))
        except (ValueError, TypeError, KeyError) as exc:
            fail_config(ConfigError(f"bad article line: {exc}", path=str(articles), line=number))
    for result in run_backtest(items, prof):
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


def explain(
    source: Annotated[
        str,
        typer.Argument(
            metavar="FILE|URL", help="A text/HTML file, or an http(s) URL to fetch and extract."
        ),
    ],
    profile: ProfileOpt = None,
) -> None:
    """Show how one article scores against the profile, term by term."""
    from newswatch.matching import Matcher
    from newswatch.matching import explain as explain_match

    prof = _profile_or_learn(profile)
    with reported():
        title, text, lang = _read_article(source)
    match = Matcher(prof).score(title, text, lang=lang)
    out.print(f"[bold]{title}[/]", highlight=False)
    out.print(explain_match(match), highlight=False)


def _read_article(source: str) -> tuple[str, str, str | None]:
    from newswatch.adapters.extract import extract_page
    from newswatch.pipeline.runtime import open_fetcher

    if source.startswith(("http://", "https://")):
        with open_fetcher(settings()) as f:
            page = f.fetch(source, trusted=True)  # the user's own URL; its redirects are checked
        content = extract_page(page.body, url=page.final_url)
        return content.title or "", content.text, content.lang
    path = Path(source)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read file: {exc.strerror}", path=source) from exc
    if path.suffix.lower() in {".html", ".htm"}:
        content = extract_page(raw, url=path.resolve().as_uri())
        return content.title or "", content.text, content.lang
    text = raw.decode("utf-8", errors="replace").strip()
    title, _, body = text.partition("\n")
    return title.strip(), body.strip(), None
