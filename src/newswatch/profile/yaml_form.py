"""The profile's YAML form: commented and editable, parsed with errors naming their line."""

from __future__ import annotations

import logging
from typing import Any

import yaml

from newswatch import places
from newswatch.errors import ConfigError
from newswatch.models import Profile, ProfileTerm
from newswatch.text import raw_key
from newswatch.yamlfile import parse_mapping

log = logging.getLogger(__name__)

# -- YAML -----------------------------------------------------------------------------

_HEADER = """\
# newswatch topic profile. Written by `newswatch learn`; edit it freely.
#
# An article matches when its score reaches `threshold`. Each term that occurs in the
# title or text adds its weight (more for repeated hits, up to twice the weight; half
# again in the title); an article needs both a name (entity) and an event word
# (keyword or phrase) to score fully. `newswatch explain FILE` shows the sum.
#
# Your edits survive re-learning:
#   pinned: true       keep this term exactly as you wrote it
#   excluded: [key]    never learn these keys again
#   a term whose `why` starts with "added by" is yours and kept
#   aliases you add to a learned term are kept
#   places you add are kept
#   level: country     a name of the country level (the country, its people, its
#                      capital, its head of state): alone it never makes a match;
#                      delete the line and pin the term to make it the story's own
#
# `places` are where the story happens (countries and cities named in most seeds): an
# article whose places are mostly elsewhere is another story and scores less. Empty when
# the seeds are not about one place; then geography is ignored. Each is stored by its
# stable id (ISO 3166 country code, IANA time zone of a city) with its English name beside
# it; to add one, write either. A place the installed CLDR data does not know is ignored
# with a warning.
"""


def dump_profile(profile: Profile) -> str:
    """The profile as commented, editable YAML."""
    data: dict[str, Any] = {
        "name": profile.name,
        "threshold": profile.threshold,
        "threshold_how": profile.threshold_how,
        "seeds": list(profile.seeds),
        "languages": list(profile.languages),
        "excluded": list(profile.excluded),
        # by stable id (ISO 3166 code, IANA zone), the English name beside it for people
        "places": [{"id": pid, "name": places.name_of(pid)} for pid in profile.places],
        "terms": [
            {
                "key": t.key,
                "label": t.label,
                "kind": t.kind,
                "weight": t.weight,
                "aliases": list(t.aliases),
                "why": t.why,
                **({"pinned": True} if t.pinned else {}),
                **({"level": t.level} if t.level else {}),
            }
            for t in profile.terms
        ],
    }
    return _HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def load_profile(content: str | bytes, *, path: str | None = None) -> Profile:
    """Parse profile YAML (through the one config reader, `newswatch.yamlfile`); a bad
    field raises ConfigError naming its line."""
    node = parse_mapping(content, path=path or "<profile>", what="a profile")
    data = node.value if node is not None else None
    if not isinstance(data, dict) or node is None:
        raise ConfigError("a profile is a mapping with 'threshold' and 'terms'", path=path, line=1)
    root = node.raw
    term_lines = _item_lines(root, "terms")
    try:
        threshold = float(data["threshold"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            "'threshold' must be a number", path=path, line=_key_line(root, "threshold")
        ) from exc
    listed = data.get("terms") or []
    if not isinstance(listed, list):
        raise ConfigError(
            "'terms' must be a list of terms", path=path, line=_key_line(root, "terms")
        )
    terms = []
    for n, item in enumerate(listed):
        line = term_lines[n] if n < len(term_lines) else None
        if not isinstance(item, dict):
            raise ConfigError("each term must be a mapping", path=path, line=line)
        try:
            kind = item.get("kind", "keyword")
            if kind not in ("entity", "keyword", "phrase"):
                raise ValueError(f"kind must be entity, keyword or phrase, not {kind!r}")
            label = str(item.get("label") or item["key"])
            aliases = item.get("aliases") or []
            if not isinstance(aliases, list):
                raise ValueError("aliases must be a list")
            terms.append(
                ProfileTerm(
                    key=str(item.get("key") or raw_key(label)),
                    label=label,
                    kind=kind,
                    weight=float(item["weight"]),
                    aliases=tuple(str(a) for a in aliases) or (label,),
                    why=str(item.get("why") or "added by hand"),
                    pinned=bool(item.get("pinned", False)),
                    level=_level(item.get("level")),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"bad term: {exc}", path=path, line=line) from exc
    story = _places(data.get("places") or [], _item_lines(root, "places"), path)
    return Profile(
        name=str(data.get("name") or "default"),
        terms=tuple(terms),
        threshold=threshold,
        threshold_how=str(data.get("threshold_how") or ""),
        excluded=tuple(str(x) for x in data.get("excluded") or ()),
        seeds=tuple(str(x) for x in data.get("seeds") or ()),
        languages=tuple(str(x) for x in data.get("languages") or ()),
        places=story,
    )


def _level(value: Any) -> str:
    if value in (None, ""):
        return ""
    if value != "country":
        raise ValueError(f"level must be 'country' or absent, not {value!r}")
    return "country"


def _key_line(root: yaml.Node, key: str) -> int | None:
    if isinstance(root, yaml.MappingNode):
        for k, _v in root.value:
            if k.value == key:
                return k.start_mark.line + 1
    return None


def _item_lines(root: yaml.Node, key: str) -> list[int]:
    if isinstance(root, yaml.MappingNode):
        for k, v in root.value:
            if k.value == key and isinstance(v, yaml.SequenceNode):
                return [n.start_mark.line + 1 for n in v.value]
    return []


def _places(entries: Any, lines: list[int], path: str | None) -> tuple[str, ...]:
    """The story's place ids. An entry is `{id, name}` (or, as profiles written before
    ids were, a name or an id). A place the installed CLDR data does not know (Babel
    renames a city now and then) is left out with a warning naming its line: the run
    goes on with the others."""
    if not isinstance(entries, list):
        raise ConfigError("'places' must be a list", path=path, line=lines[0] if lines else None)
    found: list[str] = []
    for n, entry in enumerate(entries):
        line = lines[n] if n < len(lines) else None
        if isinstance(entry, dict):
            wanted = [str(entry[k]) for k in ("id", "name") if entry.get(k)]
        else:
            wanted = [str(entry)]
        ids = next((ids for w in wanted if (ids := places.resolve(w))), ())
        if not ids:
            log.warning(
                "%s:%s: unknown place %s in 'places' (not in the installed CLDR data): ignored",
                path or "profile",
                line,
                " / ".join(repr(w) for w in wanted),
            )
        found.extend(i for i in ids if i not in found)
    return tuple(found)
