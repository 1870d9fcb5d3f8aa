"""The profile's YAML form: commented and editable, parsed with errors naming their line."""

from __future__ import annotations

from typing import Any

import yaml

from newswatch import places
from newswatch.errors import ConfigError
from newswatch.models import Profile, ProfileTerm
from newswatch.text import raw_key

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
#
# `places` are where the story happens (countries and cities named in most seeds): an
# article whose places are mostly elsewhere is another story and scores less. Empty when
# the seeds are not about one place; then geography is ignored.
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
        "places": list(profile.places),
        "terms": [
            {
                "key": t.key,
                "label": t.label,
                "kind": t.kind,
                "weight": t.weight,
                "aliases": list(t.aliases),
                "why": t.why,
                **({"pinned": True} if t.pinned else {}),
            }
            for t in profile.terms
        ],
    }
    return _HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def load_profile(text: str, *, path: str | None = None) -> Profile:
    """Parse profile YAML; a bad field raises ConfigError naming its line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise ConfigError(f"not valid YAML: {exc.problem}", path=path, line=line) from exc
    if not isinstance(data, dict) or root is None:
        raise ConfigError("a profile is a mapping with 'threshold' and 'terms'", path=path, line=1)
    term_lines = _term_lines(root)
    try:
        threshold = float(data["threshold"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            "'threshold' must be a number", path=path, line=_key_line(root, "threshold")
        ) from exc
    terms = []
    for n, item in enumerate(data.get("terms") or []):
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
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"bad term: {exc}", path=path, line=line) from exc
    story: list[str] = []
    for name in data.get("places") or ():
        if not places.find(str(name)):
            raise ConfigError(
                f"unknown place {name!r} in 'places': write a country or city as CLDR names it",
                path=path,
                line=_key_line(root, "places"),
            )
        story.append(str(name))
    return Profile(
        name=str(data.get("name") or "default"),
        terms=tuple(terms),
        threshold=threshold,
        threshold_how=str(data.get("threshold_how") or ""),
        excluded=tuple(str(x) for x in data.get("excluded") or ()),
        seeds=tuple(str(x) for x in data.get("seeds") or ()),
        languages=tuple(str(x) for x in data.get("languages") or ()),
        places=tuple(story),
    )


def _key_line(root: yaml.Node, key: str) -> int | None:
    if isinstance(root, yaml.MappingNode):
        for k, _v in root.value:
            if k.value == key:
                return k.start_mark.line + 1
    return None


def _term_lines(root: yaml.Node) -> list[int]:
    if isinstance(root, yaml.MappingNode):
        for k, v in root.value:
            if k.value == "terms" and isinstance(v, yaml.SequenceNode):
                return [n.start_mark.line + 1 for n in v.value]
    return []
