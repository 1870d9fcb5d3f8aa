"""`newswatch learn`, `backtest`, `explain` and `prepare`: the topic profile, learned and tried."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from newswatch.cli.common import ProfileOpt, fail_config, out, reported, settings
from newswatch.errors import ConfigError
from newswatch.langdata import PREPARED_LANGUAGES
from newswatch.models import Profile

TopicOpt = Annotated[
    str | None,
    typer.Option(
        "--topic", help="Only this topic (a folder name under seeds/; see `newswatch topics`)."
    ),
]


def prepare(
    lang: Annotated[
        list[str] | None,
        typer.Option(
            "--lang",
            help="A language to prepare (ISO 639-1 code, repeatable); default: "
            + ", ".join(PREPARED_LANGUAGES),
        ),
    ] = None,
) -> None:
    """Index the lemma dictionaries and word lists of these languages once, so that
    learning and runs start in a fraction of a second instead of seconds per language.

    The data comes from the installed simplemma and wordfreq packages (nothing is
    downloaded); the index is kept in NEWSWATCH_CACHE_DIR (default ~/.cache/newswatch).
    A language not prepared here is indexed the first time an article or seed needs it.
    `make install` and the container image run this once.
    """
    import time

    from newswatch import langdata

    folder = langdata.cache_dir()
    for code in lang or list(PREPARED_LANGUAGES):
        started = time.perf_counter()
        found = langdata.prepare(code.strip().lower())
        have = [name for name, ok in (("lemmas", found.lemmas), ("word list", found.words)) if ok]
        out.print(
            f"{found.lang}: {' and '.join(have) or 'no data in simplemma or wordfreq'} "
            f"({time.perf_counter() - started:.1f} s)",
            highlight=False,
        )
    out.print(f"cache: {folder}", highlight=False)


def learn(
    seeds: Annotated[
        Path | None,
        typer.Option(
            "--seeds", help="Learn one profile from this folder's articles (with --profile)."
        ),
    ] = None,
    profile: ProfileOpt = None,
    topic: TopicOpt = None,
) -> None:
    """Learn each topic's profile from its seed articles and write it as editable YAML.

    Every subfolder of seeds/ is a topic (seeds/NAME/*.txt -> config/profiles/NAME.yaml);
    articles directly in seeds/ are the topic `default` (-> config/profile.yaml). With
    --topic only that one; with --seeds DIR --profile FILE one profile from DIR into FILE.
    Terms you pin, exclude or add in a profile survive re-learning, and a topic's
    negative/ folder (examples it must not match) is learned from too.
    """
    from newswatch.pipeline import profiles

    if seeds is not None or profile is not None:
        chosen = settings(seeds_dir=seeds, profile_file=profile)
        with reported():
            prof, path = profiles.learn(chosen)
        _print_learned(prof, path, table=True)
        return
    with reported():
        learned = profiles.learn_topics(settings(), topic)
    for one in learned:
        _print_learned(one.profile, one.topic.profile_file, table=len(learned) == 1)
        if one.previous is not None:
            from newswatch.profile import describe_changes

            out.print(describe_changes(one.previous, one.profile), highlight=False)


def _print_learned(prof: Profile, path: Path, *, table: bool) -> None:
    out.print(
        f"[bold]{prof.name}[/]: learned {len(prof.terms)} terms from {len(prof.seeds)} seeds -> {path}",
        highlight=False,
    )
    out.print(f"threshold {prof.threshold:.3f}: {prof.threshold_how}", highlight=False)
    if not table:
        out.print("top: " + ", ".join(t.label for t in prof.terms[:10]), highlight=False)
        return
    rows = Table("term", "kind", "weight", "aliases")
    for term in prof.terms[:20]:
        rows.add_row(term.label, term.kind, f"{term.weight:.3f}", ", ".join(term.aliases[:6]))
    out.print(rows)


def _profile_or_learn(profile: Path | None, topic: str | None = None) -> Profile:
    return _profiles_for(profile, topic)[0]


def _profiles_for(profile: Path | None, topic: str | None) -> list[Profile]:
    """The profile file given, or the topic named, or every topic (learned if need be)."""
    from newswatch.pipeline import profiles

    with reported():
        if profile is not None:
            return [profiles.ensure_profile(settings(profile_file=profile))]
        return list(profiles.ensure_profiles(settings(), topic))


def backtest(
    articles: Annotated[
        Path,
        typer.Argument(
            metavar="ARTICLES.jsonl", help="JSON lines: id, title, text [, url, lang, published]."
        ),
    ],
    profile: ProfileOpt = None,
    topic: TopicOpt = None,
) -> None:
    """Run matching and dedup over articles in file order, with no network and fresh state.

    Prints one JSON line per article: id, match, score, threshold, reasons,
    duplicate_of, story, alert (and duplicate_kind, lang, focus, elsewhere, topic).
    Without --topic or --profile the articles are scored against every topic: the fields
    above are the best topic's, and `topics` holds each topic's match, score, threshold,
    reasons, story and alert.
    """
    from newswatch.backtest import BacktestInput, run_backtest

    profs = _profiles_for(profile, topic)
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
    for result in run_backtest(items, profs, topics=profile is None and topic is None):
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


def explain(
    source: Annotated[
        str,
        typer.Argument(
            metavar="FILE|URL", help="A text/HTML file, or an http(s) URL to fetch and extract."
        ),
    ],
    profile: ProfileOpt = None,
    topic: TopicOpt = None,
) -> None:
    """Show how one article scores against a topic's profile, term by term (the first
    topic, or --topic NAME, or --profile FILE)."""
    from newswatch.matching import Matcher
    from newswatch.render import explain as explain_match

    prof = _profile_or_learn(profile, topic)
    with reported():
        title, text, lang = read_article(source)
    match = Matcher(prof).score(title, text, lang=lang)
    out.print(f"[bold]{title}[/]", highlight=False)
    out.print(explain_match(match), highlight=False)


def read_article(source: str) -> tuple[str, str, str | None]:
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
