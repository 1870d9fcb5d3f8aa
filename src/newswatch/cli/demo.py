"""`newswatch demo`: one real ingest run on bundled feeds, served and received on 127.0.0.1.

The demo watches two topics, as an install with two seed folders does: the project's own
seeds (`kazakhstan-2022`) and an invented one of its own (`port-strike`, in
`newswatch/demo_data/topics/`). It starts three small local servers: one serves the demo
feeds and article pages (`newswatch/demo_data/items.yaml`), two are JSON webhook
receivers, one per topic, that Apprise delivers the alerts to (`routes` in its alert
policy). It learns both topics, runs the real ingest flow through Prefect (ephemeral API,
SQLite store in a temporary folder), prints what happened, runs a second time to show
that nothing is fetched or alerted twice, and checks the result against what each demo
item expects, including that no topic's alert reached the other topic's receiver.
"""

from __future__ import annotations

import hashlib
import html
import json
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.markup import escape

from newswatch.errors import ConfigError
from newswatch.pipeline.settings import load_settings
from newswatch.report import summary_to_dict


@dataclass(frozen=True)
class DemoItem:
    feed: str
    path: str
    title: str
    text: str
    published: str
    expect: str
    serve_page: bool = True
    topic: str = "kazakhstan-2022"
    seed: str | None = None  # the shipped seed file it serves


# The demo's topics: name -> Apprise tag of its receiver.
DEMO_TOPICS = {"kazakhstan-2022": "asia-desk", "port-strike": "logistics-desk"}


def load_items(seeds_dir: Path) -> tuple[list[dict[str, str]], list[DemoItem]]:
    """Read items.yaml and resolve each item's text (seed file, demo article, or re-post)."""
    data_dir = resources.files("newswatch.demo_data")
    spec = yaml.safe_load((data_dir / "items.yaml").read_text(encoding="utf-8"))
    by_path: dict[str, DemoItem] = {}
    items: list[DemoItem] = []
    for raw in spec["items"]:
        if "seed" in raw:
            try:
                text = _seed_file(seeds_dir, raw["seed"]).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(
                    f"the demo serves the shipped seed articles, and {raw['seed']} is not in "
                    f"{seeds_dir.resolve()}: run it from the project folder, or set "
                    "NEWSWATCH_SEEDS_DIR to the project's seeds/"
                ) from exc
            title = raw["title"]
        elif "article" in raw:
            lines = (
                (data_dir / "articles" / raw["article"])
                .read_text(encoding="utf-8")
                .strip()
                .splitlines()
            )
            title, text = lines[0], "\n".join(lines[1:])
        else:
            original = by_path[raw["repost_of"]]
            text = original.text
            if raw.get("boilerplate"):
                text = f"{text}\n{raw['boilerplate']}"
            title = raw["title"]
        item = DemoItem(
            raw["feed"],
            raw["path"],
            title,
            text,
            raw["published"],
            raw["expect"],
            serve_page=not raw.get("same_page", False),
            topic=raw.get("topic", DemoItem.topic),
            seed=raw.get("seed"),
        )
        if "repost_of" not in raw:
            by_path[item.path] = item
        items.append(item)
    return spec["feeds"], items


def _seed_file(seeds_dir: Path, name: str) -> Path:
    """A shipped seed article: directly in the seeds folder, or in a topic folder of it."""
    direct = seeds_dir / name
    if direct.exists() or not seeds_dir.is_dir():
        return direct
    return next(iter(sorted(seeds_dir.glob(f"*/{name}"))), direct)


def demo_seeds(seeds_dir: Path, items: list[DemoItem], into: Path) -> Path:
    """The demo install's seeds folder, one folder per demo topic: `kazakhstan-2022` holds
    the shipped seed articles (the folder the items' seeds are in), `port-strike` the
    bundled invented topic's."""
    first = into / "kazakhstan-2022"
    first.mkdir(parents=True)
    shipped = next(i.seed for i in items if i.seed)
    for seed in sorted(_seed_file(seeds_dir, shipped).parent.glob("*.txt")):
        shutil.copy(seed, first / seed.name)
    second = into / "port-strike"
    second.mkdir()
    for entry in (resources.files("newswatch.demo_data") / "topics" / "port-strike").iterdir():
        if entry.name.endswith(".txt"):
            (second / entry.name).write_text(entry.read_text(encoding="utf-8"), encoding="utf-8")
    return into


def page_html(item: DemoItem, base: str) -> str:
    paragraphs = [p.strip() for p in item.text.splitlines() if p.strip()]
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    canonical = base + item.path.split("?")[0]
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(item.title)}</title>"
        f"<link rel='canonical' href='{html.escape(canonical)}'>"
        f"<meta property='og:title' content='{html.escape(item.title)}'>"
        f"<meta name='date' content='{item.published}'>"
        "</head><body><header><nav><a href='/'>Home</a> | <a href='/world'>World</a></nav></header>"
        f"<main><article><h1>{html.escape(item.title)}</h1>{body}</article></main>"
        "<footer><p>newswatch demo site, served from 127.0.0.1</p></footer></body></html>"
    )


def _rfc822(iso: str) -> str:
    return format_datetime(datetime.fromisoformat(iso.replace("Z", "+00:00")))


def feed_xml(feed: dict[str, str], items: list[DemoItem], base: str) -> str:
    mine = [i for i in items if i.feed == feed["name"]]
    if feed["format"] == "atom":
        entries = "".join(
            f"<entry><title>{html.escape(i.title)}</title><id>{html.escape(base + i.path)}</id>"
            f"<link href='{html.escape(base + i.path)}'/><updated>{i.published}</updated>"
            f"<summary>{html.escape(i.text[:300])}</summary></entry>"
            for i in mine
        )
        return (
            "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
            f"<title>{html.escape(feed['name'])}</title><id>{base}{feed['path']}</id>"
            f"<updated>2022-01-10T13:00:00Z</updated>{entries}</feed>"
        )
    rss_items = "".join(
        f"<item><title>{html.escape(i.title)}</title><link>{html.escape(base + i.path)}</link>"
        f"<guid>{html.escape(base + i.path)}</guid><pubDate>{_rfc822(i.published)}</pubDate>"
        f"<description>{html.escape(i.text[:300])}</description></item>"
        for i in mine
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>{html.escape(feed['name'])}</title><link>{base}/</link>"
        f"<description>newswatch demo feed</description>{rss_items}</channel></rss>"
    )


class _Site(BaseHTTPRequestHandler):
    routes: dict[str, tuple[str, bytes]] = {}

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = self.path.split("?")[0]
        if path not in self.routes:
            self.send_error(404)
            return
        ctype, body = self.routes[path]
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


class _Receiver(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            self.received.append(json.loads(raw))
        except ValueError:
            self.received.append({"raw": raw.decode("utf-8", "replace")})
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def _serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def run_demo(console: Console, *, keep: bool = False, now: datetime) -> int:
    """Run the demo end to end; returns 0 when every item did what it expects."""
    from newswatch.cli.output import print_summary
    from newswatch.flows.ingest import ingest_flow
    from newswatch.pipeline import profiles

    base_settings = load_settings()
    workdir = Path(tempfile.mkdtemp(prefix="newswatch-demo-"))
    feeds_spec, items = load_items(base_settings.seeds_dir)
    site_handler: type[_Site] = type("Site", (_Site,), {"routes": {}})
    receivers: dict[str, type[_Receiver]] = {
        topic: type("Receiver", (_Receiver,), {"received": []}) for topic in DEMO_TOPICS
    }
    try:
        with ExitStack() as servers:
            site = servers.enter_context(_serve(site_handler))
            hooks = {t: servers.enter_context(_serve(h)) for t, h in receivers.items()}
            base = f"http://127.0.0.1:{site.server_address[1]}"
            for item in items:
                if not item.serve_page:
                    continue  # links to another item's page (with tracking parameters)
                site_handler.routes[item.path.split("?")[0]] = (
                    "text/html; charset=utf-8",
                    page_html(item, base).encode(),
                )
            feeds_yaml: dict[str, list[dict[str, Any]]] = {"feeds": []}
            for feed in feeds_spec:
                ctype = (
                    "application/atom+xml" if feed["format"] == "atom" else "application/rss+xml"
                )
                site_handler.routes[feed["path"]] = (ctype, feed_xml(feed, items, base).encode())
                feeds_yaml["feeds"].append(
                    {"name": feed["name"], "url": base + feed["path"], "tags": ["demo"]}
                )
            config = workdir / "config"
            config.mkdir()
            (config / "feeds.yaml").write_text(
                yaml.safe_dump(feeds_yaml, sort_keys=False), encoding="utf-8"
            )
            # one receiver per topic, and each topic routed to its receiver's tag only
            urls = [
                {f"json://127.0.0.1:{hooks[t].server_address[1]}/alerts": [{"tag": tag}]}
                for t, tag in DEMO_TOPICS.items()
            ]
            (config / "notify.yaml").write_text(yaml.safe_dump({"urls": urls}), encoding="utf-8")
            routes = {t: [tag] for t, tag in DEMO_TOPICS.items()}
            (config / "alerts.yaml").write_text(
                yaml.safe_dump({"routes": routes}), encoding="utf-8"
            )
            settings = load_settings(
                config_dir=config,
                feeds_file=None,
                notify_file=None,
                alerts_file=None,
                profile_file=config / "profile.yaml",
                profiles_dir=config / "profiles",
                db_url=f"sqlite:///{workdir / 'newswatch.db'}",
                seeds_dir=demo_seeds(base_settings.seeds_dir, items, workdir / "seeds"),
                # The demo's article pages are on 127.0.0.1, which the SSRF guard refuses
                # for links that come from feeds: the demo allows its own loopback address,
                # and only that; serving itself, it needs no politeness delay either.
                allowed_hosts=",".join(filter(None, [base_settings.allowed_hosts, "127.0.0.1"])),
                per_host_delay_seconds=0,
            )
            console.print(
                f"[bold]newswatch demo[/]: {len(items)} items in {len(feeds_spec)} feeds on {base}, "
                f"{len(DEMO_TOPICS)} topics: {', '.join(DEMO_TOPICS)}"
            )
            for learned in profiles.learn_topics(settings):
                profile = learned.profile
                console.print(
                    f"topic [bold]{profile.name}[/]: learned a profile of {len(profile.terms)} "
                    f"terms from {len(profile.seeds)} seeds (threshold {profile.threshold:.2f}); "
                    "top: " + ", ".join(t.label for t in profile.terms[:8]),
                    highlight=False,
                )
            console.rule("first run")
            first_run = _run(ingest_flow, console, settings=settings)
            print_summary(first_run, console)
            for topic, handler in receivers.items():
                console.print(
                    f"webhook receiver of {topic} ({DEMO_TOPICS[topic]}) got "
                    f"{len(handler.received)} message(s):"
                )
                for message in handler.received:
                    console.print(f"  - {escape(str(message.get('title', '')))}", highlight=False)
            console.rule("second run (nothing new: feeds answer 304)")
            received_before = sum(len(h.received) for h in receivers.values())
            second_run = _run(ingest_flow, console, settings=settings, force=True)  # the 304s
            print_summary(second_run, console)
            problems = check_expectations(
                summary_to_dict(first_run), summary_to_dict(second_run), items, base
            )
            problems += crossed_over({t: h.received for t, h in receivers.items()})
            problems += ["the second run delivered messages"] * (
                sum(len(h.received) for h in receivers.values()) != received_before
            )
    finally:
        if keep:
            console.print(f"demo data kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if problems:
        for p in problems:
            console.print(f"[red]demo check failed:[/] {p}", highlight=False)
        return 1
    console.print(
        "[bold green]demo OK[/]: every on-topic story alerted once, in its topic and at that "
        "topic's receiver only; re-posts were suppressed, off-topic articles did not alert, "
        "and the second run sent nothing."
    )
    return 0


def crossed_over(received: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Messages a topic's receiver got that name another topic (or none of its own)."""
    problems = []
    for topic, messages in received.items():
        if not messages:
            problems.append(f"the receiver of {topic} got no message")
        for message in messages:
            text = json.dumps(message, ensure_ascii=False)
            others = [t for t in received if t != topic and t in text]
            if others or topic not in text:
                problems.append(f"the receiver of {topic} got a message of {others or 'no topic'}")
    return problems


def _run(flow: Any, console: Console, **parameters: Any) -> Any:
    """Run a flow; say where to see it when a Prefect server's UI is known (make demo-ui)."""
    from prefect.utilities.urls import url_for

    state = flow(**parameters, return_state=True)
    url = url_for("flow-run", obj_id=state.state_details.flow_run_id)
    if url:
        console.print(f"in the Prefect UI: {url}", highlight=False)
    return state.result()


def check_expectations(
    first: dict[str, Any], second: dict[str, Any], items: list[DemoItem], base: str
) -> list[str]:
    """Compare the run's decisions with each item's `expect`."""
    problems = []
    by_url = {a["url"]: a for a in first["articles"]}
    stories_alerted: dict[str, int] = {}
    for a in first["articles"]:
        if a["alert"]:
            stories_alerted[a["story"]] = stories_alerted.get(a["story"], 0) + 1
    for item in items:
        a = by_url.get(base + item.path)
        if a is None:
            problems.append(f"{item.path}: never processed")
            continue
        if item.expect == "none" and (a["match"] or a["alert"]):
            problems.append(f"{item.path}: off-topic article matched (score {a['score']})")
        if item.expect == "alert" and not a["match"]:
            problems.append(f"{item.path}: on-topic article not matched (score {a['score']})")
        if item.expect == "alert" and a["match"] and item.topic not in a["topics"]:
            problems.append(f"{item.path}: matched {a['topics']}, not its topic {item.topic}")
        if item.expect == "alert" and not a["alert"] and a["story"] not in stories_alerted:
            problems.append(f"{item.path}: on-topic story never alerted")
        if item.expect == "duplicate" and not a["duplicate_of"]:
            problems.append(f"{item.path}: re-post not recognised as a duplicate")
    problems += [f"story {s} alerted {n} times" for s, n in stories_alerted.items() if n > 1]
    if first["counts"]["alerts_sent"] != first["counts"]["alerts"]:
        problems.append("not every alert was delivered")
    if second["counts"]["new_entries"] or second["counts"]["alerts"]:
        problems.append("the second run found new entries or alerts")
    return problems
