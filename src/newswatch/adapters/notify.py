"""Delivery through Apprise: one target at a time, outcomes read per service, no secrets shown.

Apprise never raises for a failed delivery, and a config it cannot read loads zero
services without a word. Here:
- a notify file that is not YAML, has a URL Apprise does not understand, or loads no
  service at all is a ConfigError naming the file and, where it can, the line;
- each send goes to exactly one target (an `Apprise` holding only that service), so a
  failing target never makes another one resend; its result is read per service:
  Apprise 2.x returns an `AppriseResult`, 1.x a bool/None; both are handled;
- a target is shown only in Apprise's privacy form (`mailtos://u...r:****@host`), and
  its key is a hash of the full URL, so nothing printed or stored holds a secret.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import apprise

from newswatch.errors import ConfigError
from newswatch.models import DeliveryOutcome
from newswatch.yamlfile import Node, parse_mapping

Format = Literal["text", "markdown", "html"]


@dataclass(frozen=True)
class Target:
    """One notification service: a secret-free key and display form, its tags and format."""

    key: str
    display: str
    tags: tuple[str, ...]
    format: Format

    def __repr__(self) -> str:  # the display form only: never the URL with its secrets
        return f"Target({self.display!r}, format={self.format!r}, tags={self.tags!r})"


def _format_of(service: Any) -> Format:
    fmt = service.notify_format
    if isinstance(fmt, (tuple, list)):  # Apprise 2.x: supported formats, preferred first
        fmt = fmt[0] if fmt else "text"
    value = getattr(fmt, "value", fmt)
    return value if value in ("text", "markdown", "html") else "text"


def _url_lines(root: Node | None) -> list[tuple[str, int]]:
    """(url, line) of every URL entry under `urls:` in an Apprise YAML document."""
    found: list[tuple[str, int]] = []
    if root is None:
        return found
    for key, _key_node, value in root.items("an Apprise notify file"):
        if key != "urls":
            continue
        for node in value.children("'urls'"):
            if node.is_mapping:
                found.extend((k, kn.line) for k, kn, _v in node.items("a 'urls' entry"))
            elif isinstance(node.value, str):
                found.append((node.value, node.line))
            else:
                raise node.error("each 'urls' entry is an Apprise URL")
    return found


class Notifier:
    """The targets of one Apprise YAML config, and sending to them one by one."""

    def __init__(self, services: list[Any]) -> None:
        self._services: dict[str, Any] = {}
        self._targets: list[Target] = []
        for service in services:
            full = service.url(privacy=False)
            key = hashlib.sha256(full.encode("utf-8")).hexdigest()[:16]
            if key in self._services:
                continue
            self._services[key] = service
            self._targets.append(
                Target(
                    key=key,
                    display=service.url(privacy=True),
                    tags=tuple(sorted(str(t) for t in (service.tags or ()))),
                    format=_format_of(service),
                )
            )

    @classmethod
    def from_file(cls, path: Path, *, storage_path: Path | None = None) -> Notifier:
        try:
            content = Path(path).read_bytes()
        except FileNotFoundError as exc:
            raise ConfigError("notify file not found", path=str(path)) from exc
        except OSError as exc:
            raise ConfigError(f"cannot read notify file: {exc.strerror}", path=str(path)) from exc
        return cls.from_yaml(content, path=str(path), storage_path=storage_path)

    @classmethod
    def from_yaml(
        cls, content: str | bytes, *, path: str | None = None, storage_path: Path | None = None
    ) -> Notifier:
        """Load an Apprise YAML config; refuse one that loads nothing or has a bad URL."""
        where = path or "<notify>"
        root = parse_mapping(content, path=where, what="an Apprise notify file")
        urls = _url_lines(root)
        text = content.decode("utf-8") if isinstance(content, bytes) else content
        for url, line in urls:
            if apprise.Apprise.instantiate(url) is None:
                scheme = url.split("://", 1)[0] if "://" in url else url[:20]
                raise ConfigError(
                    f"Apprise cannot use this URL (scheme {scheme!r}: unknown service or bad syntax)",
                    path=path,
                    line=line,
                )
        # Services that keep login state (Matrix, Telegram) keep it in Apprise's persistent
        # storage, so a run does not log in again each time (Apprise 2; 1.x ignores it).
        asset = (
            apprise.AppriseAsset(storage_path=str(storage_path), storage_mode="auto")
            if storage_path is not None
            else apprise.AppriseAsset()
        )
        config = apprise.AppriseConfig(asset=asset)
        config.add_config(text, format="yaml")
        # Apprise 2.x calls them services(), 1.x servers()
        lister = getattr(config, "services", None) or config.servers  # type: ignore[attr-defined]
        services = list(lister())
        if not services:
            raise ConfigError(
                "no notification target loaded (Apprise found no usable 'urls:' entry)",
                path=path,
                line=1,
            )
        return cls(services)

    def targets(self) -> list[Target]:
        return list(self._targets)

    def send(self, target: Target, title: str, body: str) -> DeliveryOutcome:
        """One notify to exactly this target; ok only when Apprise reports success."""
        service = self._services[target.key]
        sender = apprise.Apprise()
        sender.add(service)
        try:
            result = sender.notify(
                body=body, title=title, body_format=apprise.NotifyFormat(target.format)
            )
        except Exception as exc:  # noqa: BLE001 - a plugin bug must not stop other targets
            return DeliveryOutcome(target.display, False, f"{type(exc).__name__} while sending")
        return DeliveryOutcome(target.display, *_read_result(result))

    def send_all(self, title: str, body: str) -> list[DeliveryOutcome]:
        return [self.send(t, title, body) for t in self._targets]


def _read_result(result: Any) -> tuple[bool, str]:
    """(ok, detail) from Apprise 2.x's AppriseResult or 1.x's True/False/None."""
    if result is None:
        return False, "no service matched"
    if isinstance(result, bool):
        return result, "delivered" if result else "not delivered"
    status = getattr(getattr(result, "status", None), "name", str(getattr(result, "status", "")))
    services = list(getattr(result, "results", ()) or ())
    ok = bool(result) and all(bool(r) for r in services)
    if ok:
        return True, "delivered"
    states = ", ".join(getattr(getattr(r, "status", None), "name", "?") for r in services)
    return (
        False,
        f"not delivered ({status.lower()}: {states.lower()})"
        if states
        else f"not delivered ({status.lower()})",
    )
