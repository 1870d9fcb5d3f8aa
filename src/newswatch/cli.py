"""The `newswatch` command. Thin: it parses flags, then calls a flow or the core.

Exit codes: 0 done (a run with failed feeds is still done: they are reported),
1 the work itself failed, 2 the configuration is wrong (file, line and reason shown).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, cast
from urllib.parse import urlsplit

import typer
from rich.console import Console
from rich.table import Table

from newswatch.errors import ConfigError, NewswatchError

app = typer.Typer(
    name="newswatch",
    help=(
        "Watch news feeds for a topic learned from example articles, drop duplicates, "
        "and alert through Apprise (email, Slack, Telegram, Matrix, webhooks, ...).\n\n"
        "Settings come from config/ and NEWSWATCH_* environment variables; see config/README.md."
    ),
    no_args_is_help=True,
    add_completion=False,
)
alerts_app = typer.Typer(
    help="List alerts and their delivery state per target.", invoke_without_command=True
)
app.add_typer(alerts_app, name="alerts")
feeds_app = typer.Typer(
    help="Each feed's health; and the feeds list: add a site (autodiscovery), import or "
    "export OPML.",
    invoke_without_command=True,
)
app.add_typer(feeds_app, name="feeds")

out = Console()
err = Console(stderr=True)

FeedsOpt = Annotated[
    Path | None, typer.Option("--feeds", help="Feeds YAML (default config/feeds.yaml).")
]
NotifyOpt = Annotated[
    Path | None,
    typer.Option("--notify", help="Apprise YAML with the targets (default config/notify.yaml)."),
]
ProfileOpt = Annotated[
    Path | None, typer.Option("--profile", help="Profile YAML (default config/profile.yaml).")
]
AlertsOpt = Annotated[
    Path | None,
    typer.Option(
        "--alerts",
        help="Alert policy YAML: routing, instant or digest, hourly caps, quiet hours, templates "
        "(default config/alerts.yaml; without it every target gets every alert at once).",
    ),
]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db", help="SQLAlchemy URL of the store (default: SQLite file in the data directory)."
    ),
]


def _fail_config(exc: ConfigError) -> None:
    err.print(f"[bold red]configuration error:[/] {exc}", highlight=False)
    raise typer.Exit(2)


def _settings(**overrides: Any) -> Any:
    from newswatch.settings import load_settings

    try:
        return load_settings(**overrides)
    except ConfigError as exc:
        _fail_config(exc)


@app.command()
def run(
    feeds: FeedsOpt = None,
    notify: NotifyOpt = None,
    profile: ProfileOpt = None,
    db: DbOpt = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the run summary as JSON on stdout.")
    ] = False,
    alerts_policy: AlertsOpt = None,
    poll_all: Annotated[
        bool,
        typer.Option(
            "--all", help="Poll every feed now, also those whose next poll has not come yet."
        ),
    ] = False,
) -> None:
    """Do one ingest run: poll the feeds that are due, extract new articles, match, dedup, alert.

    Each feed is polled as often as it publishes (within NEWSWATCH_POLL_MIN_SECONDS and
    NEWSWATCH_POLL_MAX_SECONDS, never before its server's hints allow) and less often
    while it fails; `--all` polls every feed now.

    Exits 0 when the run completed, even if some feeds failed (they are listed);
    exits 2 when it could not run at all (a bad config file: which file, which line, what).
    """
    from newswatch import ingest

    settings = _settings(
        feeds_file=feeds,
        notify_file=notify,
        profile_file=profile,
        db_url=db,
        alerts_file=alerts_policy,
    )
    try:
        ingest.check_config(settings)
    except ConfigError as exc:
        _fail_config(exc)
    from flows.ingest import ingest_flow

    try:
        summary = ingest_flow(
            feeds_file=str(settings.resolved_feeds_file()),
            notify_file=str(settings.resolved_notify_file()),
            profile_file=str(settings.resolved_profile_file()),
            db_url=settings.resolved_db_url(),
            alerts_file=str(settings.resolved_alerts_file()),
            force=poll_all,
        )
    except ConfigError as exc:
        _fail_config(exc)
    except NewswatchError as exc:
        err.print(f"[bold red]run failed:[/] {exc}", highlight=False)
        raise typer.Exit(1) from exc
    if as_json:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    else:
        print_summary(summary)


def print_summary(summary: dict[str, Any], console: Console | None = None) -> None:
    """Human-readable run summary: counts, failed feeds, alerts with their reasons."""
    con = console or out
    c = summary["counts"]
    con.print(
        f"[bold]feeds polled[/] {c['feeds_polled']} ({c['feeds_failed']} failed)  "
        f"[bold]new entries[/] {c['new_entries']}  [bold]extracted[/] {c['extracted']}  "
        f"[bold]matched[/] {c['matched']}  [bold]duplicates[/] {c['duplicates']}  "
        f"[bold]alerts[/] {c['alerts']}  [bold]sent[/] {c['alerts_sent']}  "
        f"[bold]pending[/] {c['pending_alerts']}",
        highlight=False,
    )
    for f in summary["feeds"]:
        if f["status"] == "error":
            con.print(f"  [red]feed failed[/] {f['name']}: {f['error']}", highlight=False)
    for a in summary["alerts"]:
        also = [
            x.get("source") or "?"
            for x in summary["articles"]
            if x["story"] == a["story"] and x["id"] != a["article_id"]
        ]
        con.print(
            f"  [green]ALERT[/] {a['title']}  score {a['score']:.2f} (threshold {a['threshold']:.2f})\n"
            f"        matched: {', '.join(a['reasons'][:8])}\n        {a['url'] or ''}"
            + (f"\n        also reported by: {', '.join(dict.fromkeys(also))}" if also else ""),
            highlight=False,
        )
    for a in summary["articles"]:
        if a["duplicate_of"]:
            of = a.get("duplicate_of_title") or a["duplicate_of"]
            con.print(
                f"  [yellow]duplicate[/] {a['title']} from {a.get('source') or '?'}: "
                f"{a['duplicate_kind']} copy of '{of}', not alerted again",
                highlight=False,
            )
        elif a["match"] and not a["alert"]:
            con.print(f"  [cyan]same story[/] {a['title']} (story {a['story']})", highlight=False)
    for d in summary["deliveries"]:
        if d.get("state") in ("waiting", "digest"):
            con.print(f"  [yellow]postponed[/] {d['target']}: {d['detail']}", highlight=False)
        elif not d["ok"]:
            con.print(f"  [red]delivery failed[/] {d['target']}: {d['detail']}", highlight=False)


@app.command()
def learn(
    seeds: Annotated[
        Path | None, typer.Option("--seeds", help="Folder of seed articles (default seeds/).")
    ] = None,
    profile: ProfileOpt = None,
) -> None:
    """Learn the topic profile from the seed articles and write it as editable YAML.

    Terms you pin, exclude or add in the profile survive re-learning.
    """
    from newswatch import ingest

    settings = _settings(seeds_dir=seeds, profile_file=profile)
    try:
        prof, path = ingest.learn(settings)
    except ConfigError as exc:
        _fail_config(exc)
    out.print(
        f"learned {len(prof.terms)} terms from {len(prof.seeds)} seeds -> {path}", highlight=False
    )
    out.print(f"threshold {prof.threshold:.3f}: {prof.threshold_how}", highlight=False)
    table = Table("term", "kind", "weight", "aliases")
    for term in prof.terms[:20]:
        table.add_row(term.label, term.kind, f"{term.weight:.3f}", ", ".join(term.aliases[:6]))
    out.print(table)


def _load_profile_or_learn(profile: Path | None) -> Any:
    from newswatch import ingest

    settings = _settings(profile_file=profile)
    try:
        return ingest.ensure_profile(settings)
    except ConfigError as exc:
        _fail_config(exc)


@app.command()
def backtest(
    articles: Annotated[
        Path, typer.Argument(help="JSON lines: id, title, text [, url, lang, published].")
    ],
    profile: ProfileOpt = None,
) -> None:
    """Run matching and dedup over articles in file order, with no network and fresh state.

    Prints one JSON line per article: id, match, score, threshold, reasons,
    duplicate_of, story, alert (and duplicate_kind, lang, focus, elsewhere).
    """
    from newswatch.backtest import BacktestInput, run_backtest

    prof = _load_profile_or_learn(profile)
    try:
        lines = articles.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        _fail_config(ConfigError(f"cannot read articles: {exc}", path=str(articles)))
    items = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            items.append(BacktestInput.from_json(line))
        except (ValueError, TypeError, KeyError) as exc:
            _fail_config(ConfigError(f"bad article line: {exc}", path=str(articles), line=number))
    for result in run_backtest(items, prof):
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


@app.command()
def explain(
    source: Annotated[
        str, typer.Argument(help="A text/HTML file, or an http(s) URL to fetch and extract.")
    ],
    profile: ProfileOpt = None,
) -> None:
    """Show how one article scores against the profile, term by term."""
    from newswatch.matching import Matcher
    from newswatch.matching import explain as explain_match

    prof = _load_profile_or_learn(profile)
    try:
        title, text, lang = _read_article(source)
    except NewswatchError as exc:
        err.print(f"[red]cannot read {source}:[/] {exc}", highlight=False)
        raise typer.Exit(1) from exc
    match = Matcher(prof).score(title, text, lang=lang)
    out.print(f"[bold]{title}[/]", highlight=False)
    out.print(explain_match(match), highlight=False)


def _read_article(source: str) -> tuple[str, str, str | None]:
    from newswatch.adapters.extract import extract_page
    from newswatch.ingest import open_fetcher

    if source.startswith(("http://", "https://")):
        with open_fetcher(_settings()) as f:
            page = f.fetch(source, trusted=True)  # the user's own URL; its redirects are checked
        content = extract_page(page.body, url=page.final_url)
        return content.title or "", content.text, content.lang
    path = Path(source)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read file: {exc}", path=source) from exc
    if path.suffix.lower() in {".html", ".htm"}:
        content = extract_page(raw, url=path.resolve().as_uri())
        return content.title or "", content.text, content.lang
    text = raw.decode("utf-8", errors="replace").strip()
    title, _, body = text.partition("\n")
    return title.strip(), body.strip(), None


@app.command()
def serve(
    cron: Annotated[
        str | None, typer.Option(help="Cron schedule (default: every 15 minutes).")
    ] = None,
) -> None:
    """Run the ingest and digest deployments on their schedules with Prefect's serve (Ctrl-C stops).

    Also registers the on-demand `newswatch-learn` deployment. The schedules and their
    time zone come from NEWSWATCH_SCHEDULE_CRON (ingest, default every 15 minutes),
    NEWSWATCH_DIGEST_CRON (digest, default 08:00 daily) and NEWSWATCH_TIMEZONE (default
    UTC). Without PREFECT_API_URL, Prefect runs a temporary local API (`make serve`
    starts a local server instead, so the history stays in the UI).
    """
    from flows.digest import digest_flow
    from flows.ingest import ingest_flow
    from flows.learn import learn_flow
    from prefect import serve as prefect_serve
    from prefect.schedules import Cron

    settings = _settings(schedule_cron=cron)
    ingest_dep = ingest_flow.to_deployment(
        name="newswatch-ingest",
        schedule=Cron(settings.schedule_cron, timezone=settings.timezone),
        description="poll feeds and alert",
    )
    digest_dep = digest_flow.to_deployment(
        name="newswatch-digest",
        schedule=Cron(settings.digest_cron, timezone=settings.timezone),
        description="send the waiting alerts as one digest per target",
    )
    learn_dep = learn_flow.to_deployment(name="newswatch-learn", description="re-learn the profile")
    prefect_serve(cast(Any, ingest_dep), cast(Any, digest_dep), cast(Any, learn_dep))


@app.command()
def digest(
    notify: NotifyOpt = None,
    alerts_policy: AlertsOpt = None,
    db: DbOpt = None,
) -> None:
    """Send the digest now: per target, one message with every alert that waited for it.

    Alerts wait for the digest when they score below a target's `instant_min_score` or
    went over its `max_per_hour` (see config/alerts.example.yaml). `newswatch serve`
    runs this on NEWSWATCH_DIGEST_CRON (default 08:00 daily). Exits 1 if a send failed.
    """
    settings = _settings(notify_file=notify, alerts_file=alerts_policy, db_url=db)
    try:
        from newswatch import ingest

        ingest.load_notifier(settings)
        ingest.load_alert_policy(settings)
    except ConfigError as exc:
        _fail_config(exc)
    from flows.digest import digest_flow

    result = digest_flow(
        notify_file=str(settings.resolved_notify_file()),
        alerts_file=str(settings.resolved_alerts_file()),
        db_url=settings.resolved_db_url(),
    )
    if not result["deliveries"]:
        out.print("nothing waiting for the digest")
    for d in result["deliveries"]:
        mark = "[green]sent[/]" if d["ok"] else "[red]FAILED[/]"
        out.print(f"{mark} {d['alert_id']} -> {d['target']} {d['detail']}", highlight=False)
    if result["failed"]:
        raise typer.Exit(1)


@app.command("notify-test")
def notify_test(notify: NotifyOpt = None) -> None:
    """Send a test message to each configured target and say which succeeded."""
    from newswatch.adapters.notify import Notifier
    from newswatch.render import render_test_message

    settings = _settings(notify_file=notify)
    path = settings.resolved_notify_file()
    try:
        notifier = Notifier.from_file(path)
    except ConfigError as exc:
        _fail_config(exc)
    title, body = render_test_message()
    failures = 0
    for target in notifier.targets():
        outcome = notifier.send(target, title, body)
        mark = "[green]ok[/]" if outcome.ok else "[red]FAILED[/]"
        failures += not outcome.ok
        out.print(f"{mark} {target.display} {outcome.detail}", highlight=False, soft_wrap=True)
    if failures:
        raise typer.Exit(1)


@alerts_app.callback()
def alerts(
    ctx: typer.Context,
    db: DbOpt = None,
    limit: Annotated[int, typer.Option(help="How many recent alerts.")] = 20,
    ids: Annotated[
        bool, typer.Option("--ids", help="Show each alert's id (for `alerts retry`).")
    ] = False,
) -> None:
    """List recent alerts with their delivery state per target."""
    if ctx.invoked_subcommand:
        return
    from newswatch.adapters.store import Store

    settings = _settings(db_url=db)
    with Store.open(settings.resolved_db_url()) as store:
        rows = store.recent_alerts(limit=limit)
        also = {
            alert.alert_id: store.also_reported(alert.story_id, alert.article_id)
            for alert, _ in rows
        }
    if not rows:
        out.print("no alerts yet")
        return
    table = Table("created", "score")
    if ids:
        table.add_column("id", overflow="fold")
    table.add_column("title", overflow="fold")
    table.add_column("deliveries", overflow="fold")
    table.add_column("also reported by", overflow="fold")
    for alert, dels in rows:
        states = (
            "; ".join(f"{d['target']}: {d['state']} ({d['attempts']})" for d in dels)
            or "no targets"
        )
        first = [alert.created.strftime("%Y-%m-%d %H:%M"), f"{alert.score:.2f}"]
        others = ", ".join(dict.fromkeys(also[alert.alert_id])) or "-"
        table.add_row(*first, *([alert.alert_id] if ids else []), alert.title, states, others)
    out.print(table)


@alerts_app.command("retry")
def alerts_retry(
    alert_id: Annotated[str, typer.Argument(help="The alert's id (see `newswatch alerts --ids`).")],
    db: DbOpt = None,
    notify: NotifyOpt = None,
) -> None:
    """Send one alert again to every target it has not reached (failed or still waiting)."""
    from newswatch import ingest
    from newswatch.adapters.store import Store

    settings = _settings(db_url=db, notify_file=notify)
    now = datetime.now(UTC)
    with Store.open(settings.resolved_db_url()) as store:
        count = store.requeue_alert(alert_id, now=now)
    if count == 0:
        err.print(f"no undelivered target for alert {alert_id}", highlight=False)
        raise typer.Exit(1)
    try:
        notifier = ingest.load_notifier(settings)
    except ConfigError as exc:
        _fail_config(exc)
    outcomes = [
        o for o in ingest.deliver_alerts(settings, notifier, now=now) if o.alert_id == alert_id
    ]
    for o in outcomes:
        mark = "[green]sent[/]" if o.ok else "[red]FAILED[/]"
        out.print(f"{mark} {o.target} {o.detail}", highlight=False, soft_wrap=True)
    if not outcomes or not all(o.ok for o in outcomes):
        raise typer.Exit(1)


@feeds_app.callback()
def feeds(ctx: typer.Context, db: DbOpt = None) -> None:
    """Show each polled feed's health: last success, failures in a row, next poll, last error.

    A feed that failed 5 times in a row is unhealthy: still polled, at a slow pace
    (its wait doubles with each failure, up to a day)."""
    if ctx.invoked_subcommand:
        return
    from newswatch.adapters.store import Store

    settings = _settings(db_url=db)
    with Store.open(settings.resolved_db_url()) as store:
        states = store.feed_states()
    if not states:
        out.print("no feed polled yet")
        return
    table = Table("health", "last success", "failures", "next poll", "every")
    table.add_column("feed", overflow="fold")
    table.add_column("last error", overflow="fold")

    def when(value: datetime | None) -> str:
        return value.strftime("%Y-%m-%d %H:%M") if value else "-"

    for s in states:
        health = "ok" if s.healthy else "[red]unhealthy[/]"
        every = f"{s.poll_interval // 60} min" if s.poll_interval else "-"
        name = f"{s.name}\n{s.url}" if s.name else s.url
        table.add_row(
            health,
            when(s.last_success) if s.last_success else "never",
            str(s.consecutive_failures),
            when(s.next_poll),
            every,
            name,
            s.last_error or "",
        )
    out.print(table)


def _append_feeds(path: Path, new: list[Any]) -> int:
    """Append feeds to a feeds file (created if missing), skipping URLs already in it."""
    import yaml

    from newswatch.settings import load_feeds, parse_feeds

    existing = {f.url for f in load_feeds(path)} if path.exists() else set()
    fresh = [f for f in new if f.url not in existing]
    if not fresh:
        return 0
    text = path.read_text(encoding="utf-8") if path.exists() else "feeds:\n"
    if not text.endswith("\n"):
        text += "\n"
    items = [
        {"name": f.name, "url": f.url, **({"tags": list(f.tags)} if f.tags else {})} for f in fresh
    ]
    block = yaml.safe_dump(items, allow_unicode=True, sort_keys=False, default_flow_style=False)
    text += "".join(f"  {line}\n" for line in block.splitlines())
    parse_feeds(text, path=str(path))  # never write a file that would not load
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return len(fresh)


@feeds_app.command("add")
def feeds_add(
    url: Annotated[
        str, typer.Argument(help="A feed's URL, or a site whose home page links its feed.")
    ],
    feeds: FeedsOpt = None,
    name: Annotated[
        str | None, typer.Option(help="Name shown in alerts (default: the feed's title).")
    ] = None,
) -> None:
    """Add a feed to the feeds file. Given a site, finds its feed (<link rel="alternate">)."""
    from newswatch.adapters.feeds import parse_feed
    from newswatch.adapters.opml import discover_feeds
    from newswatch.ingest import open_fetcher
    from newswatch.models import Feed

    settings = _settings(feeds_file=feeds)
    path = settings.resolved_feeds_file()
    with open_fetcher(settings) as fetcher:
        try:
            page = fetcher.fetch(url, trusted=True)  # the user's own URL
            parsed = parse_feed(page.body, page.headers, feed=Feed(url, url))
            feed_url = url
            if not parsed.entries and parsed.problem:
                found = discover_feeds(page.body, page.final_url)
                if not found:
                    err.print(f"[red]no feed at {url}, and its page links none[/]", highlight=False)
                    raise typer.Exit(1)
                feed_url = found[0][0]
                got = fetcher.fetch(feed_url)  # found in a page: not trusted
                parsed = parse_feed(got.body, got.headers, feed=Feed(feed_url, feed_url))
                if not parsed.entries and parsed.problem:
                    err.print(f"[red]{feed_url} is not a usable feed:[/] {parsed.problem}")
                    raise typer.Exit(1)
        except NewswatchError as exc:
            err.print(f"[red]cannot add {url}:[/] {exc}", highlight=False)
            raise typer.Exit(1) from exc
    title = name or parsed.title or (urlsplit(feed_url).hostname or feed_url)
    try:
        added = _append_feeds(path, [Feed(title, feed_url)])
    except ConfigError as exc:
        _fail_config(exc)
    if added:
        out.print(
            f"added {title} <{feed_url}> ({len(parsed.entries)} items now) to {path}",
            highlight=False,
        )
    else:
        out.print(f"{feed_url} is already in {path}", highlight=False)


@feeds_app.command("import")
def feeds_import(
    opml: Annotated[Path, typer.Argument(help="An OPML file (from a feed reader's export).")],
    feeds: FeedsOpt = None,
) -> None:
    """Add every feed of an OPML file to the feeds file (feeds already there are skipped)."""
    from newswatch.adapters.opml import parse_opml

    settings = _settings(feeds_file=feeds)
    try:
        found = parse_opml(opml.read_bytes(), path=str(opml))
        added = _append_feeds(settings.resolved_feeds_file(), found)
    except OSError as exc:
        _fail_config(ConfigError(f"cannot read: {exc}", path=str(opml)))
    except ConfigError as exc:
        _fail_config(exc)
    out.print(
        f"{added} of {len(found)} feeds added to {settings.resolved_feeds_file()}", highlight=False
    )


@feeds_app.command("export")
def feeds_export(feeds: FeedsOpt = None) -> None:
    """Print the feeds list as OPML (for a feed reader, or another newswatch)."""
    from newswatch.adapters.opml import render_opml
    from newswatch.settings import load_feeds

    settings = _settings(feeds_file=feeds)
    try:
        listed = load_feeds(settings.resolved_feeds_file())
    except ConfigError as exc:
        _fail_config(exc)
    sys.stdout.write(render_opml(listed))


@app.command()
def demo(
    keep: Annotated[bool, typer.Option(help="Keep the demo's data folder afterwards.")] = False,
) -> None:
    """Run one real ingest on bundled demo feeds served from 127.0.0.1, alerting to a local webhook."""
    from newswatch.demo import run_demo

    try:
        code = run_demo(out, keep=keep, now=datetime.now(UTC))
    except ConfigError as exc:
        _fail_config(exc)
    raise typer.Exit(code)


def main() -> None:  # pragma: no cover - console entry point
    app()
