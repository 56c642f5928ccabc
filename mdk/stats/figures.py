"""The figures a statistics table holds, and the small-number rule that hides some of them.

A count of patients from 1 to 4 is shown as "<5" outside the coordinators' view (zero
reveals no one and is shown). A figure that would reveal a hidden count is hidden too and
shown as "•" (Secondary), so "<5" always means a count from 1 to 4: a share whose
numerator or whose remainder (denominator - numerator) is from 1 to 4, or whose
denominator is below 5; among the parts of a total shown beside them, while the hidden
parts add up to 1-4 the next smallest non-zero part is hidden too, so the total minus the
parts shown gives no small number away. A distribution of fewer than 5 patients shows only
its n; a percentile whose nearest rank is n (the longest value) is hidden; its minimum and
maximum (one patient's value each) are shown only in the coordinators' view; "within the
target" is hidden while a bucket of its histogram is. The rules across tables (units and
regions, adherence and the lead time to treatment) are in mdk.stats.service.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

SMALL = 5  # counts below this (and above zero) are hidden outside the coordinators' view


class Hidden:
    """A count of 1-4 patients hidden by the small-number rule: "<5" on the page and in
    the CSV (see Secondary for the other hidden figures)."""

    text = "<5"

    def __repr__(self) -> str:
        return "HIDDEN"

    def __str__(self) -> str:
        return self.text


class Secondary(Hidden):
    """A figure hidden so that a small number cannot be worked out from it (it is not
    itself a count of 1-4 patients): "•" on the page, in the charts and in the CSV."""

    text = "•"

    def __repr__(self) -> str:
        return "SECONDARY"


HIDDEN = Hidden()
SECONDARY = Secondary()
Figure = int | float | str | Hidden | None


def hidden_count(value: int) -> Hidden:
    """How a count hidden by the rule shows: "<5" if it is small itself, else "•"."""
    return HIDDEN if is_small(value) else SECONDARY


def is_small(count: int) -> bool:
    return 0 < count < SMALL


def count(value: int, detail: bool) -> Figure:
    return HIDDEN if not detail and is_small(value) else value


def share(numerator: int, denominator: int, detail: bool) -> Figure:
    """A percentage with one decimal; None without a denominator."""
    if denominator == 0:
        return None
    if not detail and (denominator < SMALL or is_small(numerator)
                       or is_small(denominator - numerator)):
        return SECONDARY  # a share, not a count of patients
    return round(100 * numerator / denominator, 1)


def parts(values: Sequence[int], detail: bool) -> list[Figure]:
    """Counts that add up to a total shown beside them (see the module's rule)."""
    if detail:
        return list(values)
    hidden = {index for index, value in enumerate(values) if is_small(value)}
    while is_small(sum(values[index] for index in hidden)):
        others = [(value, index) for index, value in enumerate(values)
                  if value > 0 and index not in hidden]
        if not others:
            break
        hidden.add(min(others)[1])
    return [hidden_count(value) if index in hidden else value
            for index, value in enumerate(values)]


def all_or_nothing(values: Sequence[int], detail: bool) -> list[Figure]:
    """Counts hidden all together once any of them is (outside the coordinators' view):
    for a table whose parts another table's figure would otherwise tell apart."""
    shown = parts(values, detail)
    if not any(isinstance(value, Hidden) for value in shown):
        return shown
    return [hidden_count(value) if value else 0 for value in values]


# --- distributions of lead times --------------------------------------------------------

# The edges of the histogram's buckets in days (each bucket up to and including its edge),
# with the target's day added, so "within the target" is a set of whole buckets.
WEEK_EDGES = (7, 14, 21, 28, 35, 42, 56)


@dataclass(frozen=True)
class Bucket:
    first: int | None  # None: open below (negative days: recorded before the meeting)
    last: int | None  # None: open above
    count: int

    @property
    def label(self) -> str:
        if self.first is None:
            return f"< {self.last + 1}"
        if self.last is None:
            return f"> {self.first - 1}"
        return f"{self.first}–{self.last}" if self.first != self.last else str(self.first)


@dataclass(frozen=True)
class Target:
    max_days: int
    share_percent: int
    day_kind: str  # calendar | working


@dataclass
class Distribution:
    """Lead times in days, as (days, how many) pairs."""

    values: dict[int, int] = field(default_factory=dict)
    target: Target | None = None

    def add(self, days: int, how_many: int = 1) -> None:
        self.values[days] = self.values.get(days, 0) + how_many

    @property
    def n(self) -> int:
        return sum(self.values.values())

    def percentile(self, percent: int) -> int | None:
        """Nearest rank: the smallest value with at least `percent` % of the patients at or
        below it (the median of an even n is the lower middle value)."""
        if not self.values:
            return None
        rank = max(1, math.ceil(percent * self.n / 100))
        seen = 0
        for days in sorted(self.values):
            seen += self.values[days]
            if seen >= rank:
                return days
        return None  # pragma: no cover - rank <= n

    @property
    def within_target(self) -> int:
        if self.target is None:
            return 0
        return sum(how_many for days, how_many in self.values.items()
                   if days <= self.target.max_days)

    def buckets(self) -> list[Bucket]:
        edges = sorted(set(WEEK_EDGES) | ({self.target.max_days} if self.target else set()))
        found = [Bucket(None, -1, sum(v for d, v in self.values.items() if d < 0))]
        first = 0
        for edge in edges:
            found.append(Bucket(first, edge, sum(v for d, v in self.values.items()
                                                 if first <= d <= edge)))
            first = edge + 1
        found.append(Bucket(first, None, sum(v for d, v in self.values.items() if d >= first)))
        # The open bucket below zero only when something is in it.
        return found if found[0].count else found[1:]


def _percentile(distribution: Distribution, percent: int, detail: bool) -> Figure:
    """A percentile; outside the coordinators' view hidden while n < 5, and when its nearest
    rank is n (it is then the longest value, one patient's: p90 for n 5-9; p80 only for
    n < 5, hidden anyway)."""
    n = distribution.n
    if not n:
        return None
    if not detail and (n < SMALL or math.ceil(percent * n / 100) >= n):
        return SECONDARY
    return distribution.percentile(percent)


def summary(distribution: Distribution, detail: bool) -> dict[str, Figure]:
    """n, median, p80, p90, min, max and the share within the target, by the rule."""
    n = distribution.n
    target = distribution.target
    values = sorted(distribution.values)
    within = distribution.within_target
    within_share = share(within, n, detail) if target else None
    # "Within the target" is a sum of whole buckets of the histogram: minus the buckets
    # shown at or below the target it would tell a hidden one.
    if target and not detail and any(isinstance(value, Hidden) for value in parts(
            [bucket.count for bucket in distribution.buckets()], detail)):
        within_share = SECONDARY
    return {
        "n": count(n, detail),
        "median": _percentile(distribution, 50, detail),
        "p80": _percentile(distribution, 80, detail),
        "p90": _percentile(distribution, 90, detail),
        "min": (values[0] if values else None) if detail else (SECONDARY if n else None),
        "max": (values[-1] if values else None) if detail else (SECONDARY if n else None),
        # Hidden with its share: 9 of 10 within would tell the one outside.
        "within_target": (hidden_count(within) if isinstance(within_share, Hidden)
                          else within) if target else None,
        "share_within_target": within_share,
        "target_share": target.share_percent if target else None,
        "target_days": target.max_days if target else None,
    }


def total(values: Iterable[int]) -> int:
    return sum(values)
