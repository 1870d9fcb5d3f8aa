"""Secrets that live in Prefect: the Apprise YAML of NEWSWATCH_NOTIFY_SECRET.

The pipeline knows no Prefect; the flows (and the CLI) hand it this reader.
"""

from __future__ import annotations

from typing import Any


def read_secret(name: str) -> str:
    """The value of the Prefect Secret block `name` (a string: the Apprise YAML)."""
    from prefect.blocks.system import Secret

    block: Any = Secret.load(name, _sync=True)  # type: ignore[call-arg]
    value = block.get()
    return value if isinstance(value, str) else str(value)
