"""What changed between two versions of a profile, for people to read after re-learning.

Terms are the same term when their keys are equal. A weight counts as changed when it
moved by more than WEIGHT_EPSILON (weights are written with four decimals); a term kept
with fewer forms (aliases) says which went. Lists are ordered by how much they matter:
dropped and added terms by weight, re-weighted terms by how far they moved.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from newswatch.models import Profile, ProfileTerm

WEIGHT_EPSILON = 1e-4


@dataclass(frozen=True)
class Reweighted:
    """A term in both profiles whose weight moved."""

    key: str
    label: str
    before: float
    after: float


@dataclass(frozen=True)
class Narrowed:
    """A term in both profiles that lost some of its forms."""

    key: str
    label: str
    forms: tuple[str, ...]


@dataclass(frozen=True)
class ProfileChanges:
    """The difference between an old and a new profile (see the module rules)."""

    dropped: tuple[ProfileTerm, ...]
    lowered: tuple[Reweighted, ...]
    raised: tuple[Reweighted, ...]
    added: tuple[ProfileTerm, ...]
    threshold_before: float
    threshold_after: float
    narrowed: tuple[Narrowed, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (
            self.dropped
            or self.lowered
            or self.raised
            or self.added
            or self.narrowed
            or self.threshold_moved
        )

    @property
    def threshold_moved(self) -> bool:
        return abs(self.threshold_after - self.threshold_before) > WEIGHT_EPSILON


def diff_profiles(old: Profile, new: Profile) -> ProfileChanges:
    """What changed from `old` to `new` (see the module rules)."""
    before = {t.key: t for t in old.terms}
    after = {t.key: t for t in new.terms}
    moved = [
        Reweighted(k, after[k].label, before[k].weight, after[k].weight)
        for k in before.keys() & after.keys()
        if abs(after[k].weight - before[k].weight) > WEIGHT_EPSILON
    ]
    moved.sort(key=lambda r: (-abs(r.after - r.before), r.key))
    narrowed = [
        Narrowed(k, after[k].label, tuple(sorted(set(before[k].aliases) - set(after[k].aliases))))
        for k in sorted(before.keys() & after.keys())
        if set(before[k].aliases) - set(after[k].aliases)
    ]
    return ProfileChanges(
        dropped=_heaviest(t for k, t in before.items() if k not in after),
        lowered=tuple(r for r in moved if r.after < r.before),
        raised=tuple(r for r in moved if r.after > r.before),
        added=_heaviest(t for k, t in after.items() if k not in before),
        threshold_before=old.threshold,
        threshold_after=new.threshold,
        narrowed=tuple(narrowed),
    )


def render_changes(changes: ProfileChanges, limit: int = 12) -> str:
    """A few lines for the terminal: the threshold, then each kind of change, at most
    `limit` terms a line."""
    if changes.is_empty:
        return "profile unchanged"
    lines = []
    if changes.threshold_moved:
        lines.append(f"threshold {changes.threshold_before:.3f} -> {changes.threshold_after:.3f}")
    else:
        lines.append(f"threshold unchanged at {changes.threshold_after:.3f}")
    lines += _line("dropped", [f"{t.label} ({t.weight:.3f})" for t in changes.dropped], limit)
    lines += _line(
        "down-weighted",
        [f"{r.label} {r.before:.3f} -> {r.after:.3f}" for r in changes.lowered],
        limit,
    )
    lines += _line(
        "up-weighted", [f"{r.label} {r.before:.3f} -> {r.after:.3f}" for r in changes.raised], limit
    )
    lines += _line(
        "forms dropped",
        [f"{n.label} ({', '.join(n.forms)})" for n in changes.narrowed],
        limit,
    )
    lines += _line("added", [f"{t.label} ({t.weight:.3f})" for t in changes.added], limit)
    return "\n".join(lines)


def describe_changes(old: Profile, new: Profile, limit: int = 12) -> str:
    """`render_changes` of `diff_profiles`: what re-learning changed, as text."""
    return render_changes(diff_profiles(old, new), limit)


def _heaviest(terms: Iterable[ProfileTerm]) -> tuple[ProfileTerm, ...]:
    return tuple(sorted(terms, key=lambda t: (-t.weight, t.key)))


def _line(what: str, items: list[str], limit: int) -> list[str]:
    if not items:
        return []
    more = f", and {len(items) - limit} more" if len(items) > limit else ""
    return [f"{what} ({len(items)}): " + ", ".join(items[:limit]) + more]
