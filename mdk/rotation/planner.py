"""The host planner: a pure function from meetings, units and availability to hosts.

Priorities, in order:
1. Hard constraints: a unit that is closed, unavailable or cannot staff the meeting is never
   chosen; the plan says why it was passed over.
2. Stability: a meeting that is frozen (past, agenda-locked, held, closed, material already
   at its host) keeps its host; a meeting whose current host is still eligible keeps it. Only
   meetings that lost their host are reassigned.
3. Fairness: a smooth weighted round robin over the units eligible for each meeting. Every
   eligible unit earns its weighted share of the meeting as credit; the unit with the most
   credit hosts and pays one. Credit carries over, so a unit passed over earns no credit
   while it cannot host (its share is of the meetings it was eligible for) and catches up as
   soon as it can host again. Over any run of meetings each unit's count stays within one of
   its weighted share.
4. Determinism: ties go to the unit earliest in the rotation order after the previous host.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

# unit -> day -> reason it cannot host that day (None when it can).
Availability = Callable[[str, date], str | None]


@dataclass(frozen=True)
class Slot:
    key: str
    day: date
    period: str | None = None  # per_period rotation: the period this meeting belongs to
    current_host: str | None = None
    frozen: bool = False


@dataclass(frozen=True)
class Assignment:
    key: str
    day: date
    host: str | None
    kept: bool  # the host did not change from the slot's current host
    passed_over: tuple[tuple[str, str], ...] = ()  # (unit, reason) of units that could not host

    @property
    def unassigned(self) -> bool:
        return self.host is None


@dataclass
class _Ledger:
    order: tuple[str, ...]
    weights: Mapping[str, float]
    credit: dict[str, float] = field(default_factory=dict)
    last_host: str | None = None

    def __post_init__(self) -> None:
        self.credit = {unit: 0.0 for unit in self.order}

    def earn(self, eligible: Sequence[str]) -> None:
        total = sum(self.weights.get(unit, 1.0) for unit in eligible)
        for unit in eligible:
            self.credit[unit] += self.weights.get(unit, 1.0) / total

    def pay(self, host: str) -> None:
        if host in self.credit:
            self.credit[host] -= 1.0
        self.last_host = host

    def best(self, eligible: Sequence[str]) -> str:
        start = self.order.index(self.last_host) + 1 if self.last_host in self.order else 0
        rank = {unit: (i - start) % len(self.order) for i, unit in enumerate(self.order)}
        # Round to keep float noise from breaking ties differently on different runs.
        return max(eligible, key=lambda unit: (round(self.credit[unit], 9), -rank[unit]))


def plan_hosts(slots: Sequence[Slot], order: Sequence[str], availability: Availability,
               weights: Mapping[str, float] | None = None) -> list[Assignment]:
    """Plan a rotating host for every slot, in date order (per_meeting rotation)."""
    ledger = _Ledger(tuple(order), weights or {})
    plan = []
    for slot in sorted(slots, key=lambda s: (s.day, s.key)):
        passed_over = tuple((unit, reason) for unit in order
                            if (reason := availability(unit, slot.day)) is not None)
        eligible = [unit for unit in order if unit not in dict(passed_over)]
        plan.append(_assign(slot, eligible, passed_over, ledger))
    return plan


def _assign(slot: Slot, eligible: list[str], passed_over: tuple[tuple[str, str], ...],
            ledger: _Ledger) -> Assignment:
    if eligible:
        ledger.earn(eligible)
    if slot.frozen and slot.current_host:
        ledger.pay(slot.current_host)
        return Assignment(slot.key, slot.day, slot.current_host, True, passed_over)
    if slot.current_host in eligible:
        ledger.pay(slot.current_host)
        return Assignment(slot.key, slot.day, slot.current_host, True, passed_over)
    if not eligible:
        return Assignment(slot.key, slot.day, None, slot.current_host is None, passed_over)
    host = ledger.best(eligible)
    ledger.pay(host)
    return Assignment(slot.key, slot.day, host, host == slot.current_host, passed_over)


def plan_period_hosts(slots: Sequence[Slot], order: Sequence[str], availability: Availability,
                      weights: Mapping[str, float] | None = None) -> list[Assignment]:
    """per_period rotation: one host per period (a block of weeks, months or years).

    The period's host is chosen like a meeting's, among units that can host at least one of
    its meetings; a meeting the period host cannot take goes to a stand-in by the same rule.
    """
    periods: dict[str, list[Slot]] = {}
    for slot in sorted(slots, key=lambda s: (s.day, s.key)):
        periods.setdefault(slot.period or slot.key, []).append(slot)
    period_ledger = _Ledger(tuple(order), weights or {})
    stand_in_ledger = _Ledger(tuple(order), weights or {})
    plan: list[Assignment] = []
    for members in periods.values():
        host = _period_host(members, order, availability, period_ledger)
        for slot in members:
            passed_over = tuple((unit, reason) for unit in order
                                if (reason := availability(unit, slot.day)) is not None)
            eligible = [unit for unit in order if unit not in dict(passed_over)]
            preferred = slot.current_host if slot.current_host in eligible else host
            if slot.frozen or preferred in eligible:
                chosen = slot.current_host if slot.frozen and slot.current_host else preferred
                plan.append(Assignment(slot.key, slot.day, chosen,
                                       chosen == slot.current_host, passed_over))
            else:
                plan.append(_assign(slot, eligible, passed_over, stand_in_ledger))
    return plan


def _period_host(members: list[Slot], order: Sequence[str], availability: Availability,
                 ledger: _Ledger) -> str | None:
    frozen_hosts = [slot.current_host for slot in members if slot.frozen and slot.current_host]
    can_host = [unit for unit in order
                if any(availability(unit, slot.day) is None for slot in members)]
    if not can_host:
        return None
    ledger.earn(can_host)
    current = frozen_hosts[0] if frozen_hosts else members[0].current_host
    host = current if current in can_host else ledger.best(can_host)
    ledger.pay(host)
    return host


def plan_fixed_host(slots: Sequence[Slot], unit: str, availability: Availability
                    ) -> list[Assignment]:
    """A fixed host: always that unit; a day it cannot host stays unassigned with the reason."""
    plan = []
    for slot in sorted(slots, key=lambda s: (s.day, s.key)):
        reason = availability(unit, slot.day)
        host = None if reason and not slot.frozen else unit
        passed = ((unit, reason),) if reason else ()
        plan.append(Assignment(slot.key, slot.day, host, host == slot.current_host, passed))
    return plan
