"""Reading a config file: every failure is a ConfigError that names the file."""

from __future__ import annotations

from pathlib import Path

from newswatch.errors import ConfigError


def read_config(path: Path, what: str, *, missing_ok: bool = False) -> bytes | None:
    """A config file's bytes; None when it is missing and that is allowed."""
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        if missing_ok:
            return None
        raise ConfigError(f"{what} not found", path=str(path)) from exc
    except IsADirectoryError as exc:
        raise ConfigError(f"{what} is a folder, not a file", path=str(path)) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read {what}: {exc.strerror}", path=str(path)) from exc
