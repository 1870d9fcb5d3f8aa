"""The one line-aware YAML reader behind every config file (feeds, notify, alerts, profile).

A config mistake must stop the run with the file, the line and what is wrong. PyYAML's
`compose` keeps each node's position; this module turns YAML text into a tree of `Node`s
that know their line and their plain value, and turns every way the text can fail
(not UTF-8, not YAML, not the expected shape) into one `ConfigError`. Pure: it parses
text or bytes it is given and never opens a file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from newswatch.errors import ConfigError


@dataclass(frozen=True)
class Node:
    """A YAML node with its 1-based line, in the file at `path`."""

    raw: yaml.Node
    path: str

    @property
    def line(self) -> int:
        return self.raw.start_mark.line + 1

    @property
    def value(self) -> Any:
        """The node as plain Python data (dicts, lists, strings, numbers)."""
        return yaml.safe_load(yaml.serialize(self.raw))

    @property
    def is_mapping(self) -> bool:
        return isinstance(self.raw, yaml.MappingNode)

    @property
    def is_sequence(self) -> bool:
        return isinstance(self.raw, yaml.SequenceNode)

    def error(self, message: str) -> ConfigError:
        """A ConfigError pointing at this node's line."""
        return ConfigError(message, path=self.path, line=self.line)

    def items(self, what: str) -> Iterator[tuple[str, Node, Node]]:
        """(key, key node, value node) of a mapping; anything else is a ConfigError."""
        if not isinstance(self.raw, yaml.MappingNode):
            raise self.error(f"{what} must be a mapping")
        for key, value in self.raw.value:
            yield str(key.value), Node(key, self.path), Node(value, self.path)

    def children(self, what: str) -> list[Node]:
        """The items of a sequence; anything else is a ConfigError."""
        if not isinstance(self.raw, yaml.SequenceNode):
            raise self.error(f"{what} must be a list")
        return [Node(n, self.path) for n in self.raw.value]

    def get(self, key: str) -> Node | None:
        """The value node under `key` of a mapping (None when absent or not a mapping)."""
        if isinstance(self.raw, yaml.MappingNode):
            for k, v in self.raw.value:
                if k.value == key:
                    return Node(v, self.path)
        return None

    def key_line(self, key: str) -> int | None:
        if isinstance(self.raw, yaml.MappingNode):
            for k, _v in self.raw.value:
                if k.value == key:
                    return int(k.start_mark.line) + 1
        return None


def parse_yaml(content: str | bytes, *, path: str, what: str = "file") -> Node | None:
    """Parse YAML text (or bytes that must be UTF-8); None for an empty document.

    Every failure is a ConfigError naming `path` and, when PyYAML knows it, the line.
    """
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"{what} is not UTF-8 text (byte {exc.start}): is it the right file?", path=path
            ) from exc
    else:
        text = content
    if "\x00" in text:
        raise ConfigError(f"{what} holds NUL bytes: is it the right file?", path=path)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise ConfigError(f"not valid YAML: {exc.problem}", path=path, line=line) from exc
    except yaml.YAMLError as exc:  # e.g. a reader error on a control character
        raise ConfigError(f"not valid YAML: {exc}", path=path) from exc
    return Node(root, path) if root is not None else None


def parse_mapping(content: str | bytes, *, path: str, what: str) -> Node | None:
    """Like `parse_yaml`, and the document, if any, must be a mapping."""
    root = parse_yaml(content, path=path, what=what)
    if root is not None and not root.is_mapping:
        raise root.error(f"{what} must be a mapping of keys, not a {_shape(root)}")
    return root


def _shape(node: Node) -> str:
    if node.is_sequence:
        return "list"
    return "single value"
