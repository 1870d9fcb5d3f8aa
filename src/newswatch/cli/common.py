"""What every command shares: the consoles, the options named alike everywhere, and how a
failure ends a command (one line, the right exit code, no traceback unless --debug).

Exit codes: 0 done (a run with failed feeds is still done: they are reported),
1 the work itself failed, 2 the configuration is wrong (file, line and reason shown).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from newswatch.errors import ConfigError, NewswatchError
from newswatch.pipeline.settings import Settings, load_settings

out = Console()
err = Console(stderr=True)

# Set by the --debug flag of the `newswatch` command itself (see newswatch.cli).
state = {"debug": False}

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
        "--db",
        help="SQLAlchemy URL of the store (default: SQLite file in the data directory); "
        "never printed.",
    ),
]


def _one_line(message: object) -> str:
    """Drivers answer in several lines (psycopg adds a hint); an error here is one line."""
    return " ".join(str(message).split())


def fail_config(exc: ConfigError) -> NoReturn:
    err.print(
        f"[bold red]configuration error:[/] {_one_line(exc)}", highlight=False, soft_wrap=True
    )
    raise typer.Exit(2)


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[bold red]error:[/] {_one_line(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def settings(**overrides: Any) -> Settings:
    try:
        return load_settings(**overrides)
    except ConfigError as exc:
        fail_config(exc)


@contextmanager
def reported() -> Iterator[None]:
    """Turn newswatch's errors into one line and an exit code (2 config, 1 otherwise)."""
    try:
        yield
    except typer.Exit:
        raise
    except ConfigError as exc:
        if state["debug"]:
            raise
        fail_config(exc)
    except NewswatchError as exc:
        if state["debug"]:
            raise
        fail(str(exc))
