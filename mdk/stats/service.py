"""Statistics per care area and period (issue 15, point 3): the tables the page shows and
the CSV exports, built from the aggregating queries (mdk.stats.queries).

Every table is data (columns, rows of figures) so the page and its CSV show the same
figures, hidden by the same small-number rule (mdk.stats.figures) outside the
coordinators' view. README.md ("Statistics") defines each figure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from mdk.access import policy
from mdk.calendar.closures import closed_reason
from mdk.care_areas.domain import CareArea
from mdk.care_areas.service import competence_label
from mdk.conference_day.service import quorum_of
from mdk.conferences.queries import closures_between
from mdk.i18n import to_local
from mdk.stats import proms, queries
from mdk.stats.figures import (
    SECONDARY,
    Distribution,
    Figure,
    Hidden,
    Target,
    all_or_nothing,
    count,
    hidden_count,
    parts,
    share,
    summary,
)
from mdk.stats.period import Period

# How far around the period the closures are read for working-day lead times.
CLOSURE_MARGIN = timedelta(days=400)


@dataclass(frozen=True)
class Column:
    key: str
    label: object
    numeric: bool = True


@dataclass(frozen=True)
class Bar:
    label: str
    value: Figure


@dataclass
class Table:
    key: str  # the CSV's name: /stats/<key>.csv
    caption: object
    columns: tuple[Column, ...]
    rows: list[list[Figure]] = field(default_factory=list)
    bars: list[Bar] | None = None  # drawn as a bar chart beside the table
    note: object = None

    def column(self, key: str) -> list[Figure]:
        index = [column.key for column in self.columns].index(key)
        return [row[index] for row in self.rows]


@dataclass
class Statistics:
    area: CareArea
    period: Period
    detail: bool  # the coordinators' view: no figure hidden
    tables: dict[str, Table] = field(default_factory=dict)

    def add(self, table: Table) -> None:
        self.tables[table.key] = table


@dataclass(frozen=True)
class Measure:
    key: str
    label: object
    events: tuple[str, str]  # the lead-time target's from_event, to_event
    pairs: Callable[[str, queries.Bounds], list[tuple[date, date, int]]]


MEASURES = (
    Measure("referral_to_meeting", _l("Referral to MDK meeting"),
            ("referral_submitted", "conference"), queries.referral_to_meeting),
    Measure("meeting_to_report", _l("MDK meeting to report sent"),
            ("conference", "report_sent"), queries.meeting_to_report),
    Measure("meeting_to_treatment", _l("MDK meeting to start of treatment"),
            ("conference", "treatment_start"), queries.meeting_to_treatment),
)

ADHERENCE_LABELS = {"followed": _l("Recommendation followed"),
                    "deviated": _l("Deviated from the recommendation"),
                    "not_treated": _l("Not treated")}
DEFERRAL_LABELS = {("defer", False): _l("Deferred by a coordinator"),
                   ("defer", True): _l("Deferred at the referral deadline (material not ready)"),
                   ("not_discussed", False): _l("Listed, not discussed"),
                   ("not_discussed", True): _l("Listed, not discussed")}
DISCREPANCY_KEYS = ("concordant", "minor", "major")


def may_view(principal: policy.Principal, area: CareArea) -> bool:
    return policy.can(principal, "stats.view", area)


def may_view_detail(principal: policy.Principal, area: CareArea) -> bool:
    """The coordinators' view: every figure shown, any period of days."""
    return policy.can(principal, "stats.detail", area)


def viewable_areas(principal: policy.Principal) -> list[str]:
    return sorted(policy.areas_in_scope(principal, "stats.view"))


def statistics(principal: policy.Principal, area: CareArea, period: Period,
               language: str) -> Statistics:
    """Every table of the page, for the reader: the coordinators of the area see every
    figure, the area's other care staff see small numbers hidden."""
    policy.require(principal, "stats.view", area)
    detail = may_view_detail(principal, area)
    stats = Statistics(area, period, detail)
    bounds = period.utc_bounds(current_app.config["MDK"].tz)
    _cases_by_unit(stats, bounds)
    _lead_times(stats, bounds)
    _adherence(stats, bounds, language)
    _deferrals(stats, bounds)
    _reviews(stats, bounds, language)
    _meetings(stats, bounds, language)
    _prom_coverage(stats)
    return stats


# --- cases per referring unit and region ------------------------------------------------

def _cases_by_unit(stats: Statistics, bounds) -> None:
    rows = queries.cases_by_unit(stats.area.key, bounds)
    counts = _units_shown(rows, stats.detail)
    total = sum(n for *_rest, n in rows)
    units = Table("cases_by_unit", _l("Cases per referring unit"),
                  (Column("unit", _l("Referring unit"), False),
                   Column("region", _l("Region or care provider"), False),
                   Column("cases", _l("Cases"))))
    units.rows = [[name, region, shown] for (_id, name, region, _n), shown
                  in zip(rows, counts, strict=True)]
    units.rows.append([str(_l("All units")), "", count(total, stats.detail)])
    stats.add(units)
    by_region: dict[str, int] = {}
    for _id, _name, region, n in rows:
        by_region[region] = by_region.get(region, 0) + n
    regions = Table("cases_by_region", _l("Cases per region or care provider"),
                    (Column("region", _l("Region or care provider"), False),
                     Column("cases", _l("Cases"))))
    shown = parts(list(by_region.values()), stats.detail)
    regions.rows = [[name, value] for name, value in zip(by_region, shown, strict=True)]
    regions.rows.append([str(_l("All regions")), count(total, stats.detail)])
    regions.bars = [Bar(name, value) for name, value in zip(by_region, shown, strict=True)]
    stats.add(regions)


def _units_shown(rows, detail: bool) -> list[Figure]:
    """The units' counts by the rule; outside the coordinators' view every unit of a region
    with a hidden unit is hidden too, or the region's total minus its units shown would
    tell the hidden one."""
    counts = parts([n for *_rest, n in rows], detail)
    if detail:
        return counts
    hiding = {region for (_id, _name, region, _n), shown in zip(rows, counts, strict=True)
              if isinstance(shown, Hidden)}
    return [hidden_count(n) if region in hiding and n else shown
            for (_id, _name, region, n), shown in zip(rows, counts, strict=True)]


# --- lead times -------------------------------------------------------------------------

def day_counter(area: CareArea, period: Period, working: bool) -> Callable[[date, date], int]:
    """Days from one day to another: calendar days, or open days (weekends, holidays,
    closed eves and the area's closures skipped) after the first up to the second."""
    if not working:
        return lambda first, last: (last - first).days
    closures = tuple(closures_between(area.key, period.first - CLOSURE_MARGIN,
                                      period.last + CLOSURE_MARGIN))

    def open_days(first: date, last: date) -> int:
        low, high, sign = (first, last, 1) if first <= last else (last, first, -1)
        days, day = 0, low
        while day < high:
            day += timedelta(days=1)
            if closed_reason(day, closures) is None:
                days += 1
        return sign * days
    return open_days


def distribution_of(measure: Measure, area: CareArea, period: Period,
                    pairs: Iterable[tuple[date, date, int]]) -> Distribution:
    target = area.lead_time_target(*measure.events)
    counter = day_counter(area, period, target is not None and target.day_kind == "working")
    found = Distribution(target=Target(target.max_days, target.share_percent, target.day_kind)
                         if target else None)
    for first, last, n in pairs:
        if first is not None and last is not None:
            found.add(counter(first, last), n)
    return found


def _lead_times(stats: Statistics, bounds) -> None:
    overview = Table("lead_times", _l("Lead times in days"), (
        Column("measure", _l("Lead time"), False), Column("n", _l("Patients")),
        Column("median", _l("Median")), Column("p80", _l("80th percentile")),
        Column("p90", _l("90th percentile")), Column("min", _l("Shortest")),
        Column("max", _l("Longest")), Column("target_days", _l("Target: at most days")),
        Column("within_target", _l("Within the target")),
        Column("share_within_target", _l("Share within the target (%)")),
        Column("target_share", _l("Target share (%)"))))
    stats.add(overview)
    for measure in MEASURES:
        distribution = distribution_of(measure, stats.area, stats.period,
                                       measure.pairs(stats.area.key, bounds))
        figures = summary(distribution, stats.detail)
        overview.rows.append([str(measure.label), *(figures[column.key]
                                                    for column in overview.columns[1:])])
        buckets = distribution.buckets()
        shown = parts([bucket.count for bucket in buckets], stats.detail)
        working = distribution.target is not None and distribution.target.day_kind == "working"
        histogram = Table(f"lead_time_{measure.key}", measure.label, (
            Column("days", _l("Working days") if working else _l("Days"), False),
            Column("patients", _l("Patients"))))
        histogram.rows = [[bucket.label, value] for bucket, value
                          in zip(buckets, shown, strict=True)]
        histogram.bars = [Bar(bucket.label, value) for bucket, value
                          in zip(buckets, shown, strict=True)]
        if distribution.target is not None:
            histogram.note = _l(
                "Target: at most %(days)d days for at least %(share)d %% of the patients.",
                days=distribution.target.max_days, share=distribution.target.share_percent)
        stats.add(histogram)


# --- recommendations followed or deviated from ----------------------------------------

def _adherence(stats: Statistics, bounds, language: str) -> None:
    rows = queries.adherence(stats.area.key, bounds)
    groups = {"followed": 0, "deviated": 0, "not_treated": 0}
    reasons: dict[str | None, int] = {}
    for outcome, adherence, reason, n in rows:
        groups[adherence if outcome == "started" else "not_treated"] += n
        if outcome == "started" and adherence == "deviated":  # sums to the deviated row
            reasons[reason] = reasons.get(reason, 0) + n
    total = sum(groups.values())
    # The lead time to the start of treatment counts the started (followed + deviated):
    # the total minus it tells the not treated, so one hidden part hides them all.
    shown = all_or_nothing(list(groups.values()), stats.detail)
    hide_all = any(isinstance(value, Hidden) for value in shown)
    table = Table("adherence", _l("Recommendations followed or deviated from"), (
        Column("outcome", _l("Outcome"), False), Column("cases", _l("Cases")),
        Column("share", _l("Share (%)"))))
    table.rows = [[str(ADHERENCE_LABELS[key]), value,
                   SECONDARY if hide_all else share(groups[key], total, stats.detail)]
                  for key, value in zip(groups, shown, strict=True)]
    table.rows.append([str(_l("All recorded")),
                       hidden_count(total) if hide_all else count(total, stats.detail), None])
    table.bars = [Bar(str(ADHERENCE_LABELS[key]), value)
                  for key, value in zip(groups, shown, strict=True)]
    stats.add(table)
    reason_table = Table("deviation_reasons", _l("Reasons for deviating"), (
        Column("reason", _l("Reason"), False), Column("cases", _l("Cases"))))
    shown = (parts(list(reasons.values()), stats.detail) if not hide_all else
             [hidden_count(n) if n else 0 for n in reasons.values()])
    reason_table.rows = [[_reason_label(stats.area, key, language), value]
                         for key, value in zip(reasons, shown, strict=True)]
    stats.add(reason_table)


def _reason_label(area: CareArea, key: str | None, language: str) -> str:
    reason = area.deviation_reason(key) if key else None
    return reason.label(language) if reason else (key or str(_l("No reason given")))


# --- deferrals and listed, not discussed ----------------------------------------------

def _deferrals(stats: Statistics, bounds) -> None:
    totals: dict[str, int] = {}
    for action, system, n in queries.deferrals(stats.area.key, bounds):
        label = str(DEFERRAL_LABELS[(action, system)])
        totals[label] = totals.get(label, 0) + n
    table = Table("deferrals", _l("Deferrals and cases listed, not discussed"), (
        Column("kind", _l("Kind"), False), Column("moves", _l("Cases moved"))))
    shown = parts(list(totals.values()), stats.detail)
    table.rows = [[label, value] for label, value in zip(totals, shown, strict=True)]
    table.rows.append([str(_l("All")), count(sum(totals.values()), stats.detail)])
    stats.add(table)
    if not stats.detail:
        return  # reasons are free text: the coordinators' view only
    reasons = Table("deferral_reasons", _l("Reasons given (most frequent first)"), (
        Column("kind", _l("Kind"), False), Column("reason", _l("Reason"), False),
        Column("moves", _l("Cases moved"))))
    reasons.rows = [[str(DEFERRAL_LABELS[(action, system)]), reason, n] for action, system,
                    reason, n in queries.deferral_reasons(stats.area.key, bounds)]
    stats.add(reasons)


# --- secondary review ------------------------------------------------------------------

def _reviews(stats: Statistics, bounds, language: str) -> None:
    found: dict[str, dict[str, int]] = {}
    for competence, discrepancy, n in queries.reviews(stats.area.key, bounds):
        per = found.setdefault(competence, dict.fromkeys(DISCREPANCY_KEYS, 0))
        if discrepancy in per:
            per[discrepancy] += n
    table = Table("reviews", _l("Secondary review: discrepancies per modality"), (
        Column("modality", _l("Modality (reviewing competence)"), False),
        Column("reviews", _l("Reviews done")), Column("concordant", _l("Concordant")),
        Column("minor", _l("Minor discrepancy")), Column("major", _l("Major discrepancy")),
        Column("discrepancy_rate", _l("Discrepancy rate (%)"))))
    order = list(stats.area.secondary_review)
    for competence in sorted(found, key=lambda key: (order.index(key) if key in order
                                                      else len(order), key)):
        per = found[competence]
        done = sum(per.values())
        table.rows.append([competence_label(competence, language), count(done, stats.detail),
                           *parts([per[key] for key in DISCREPANCY_KEYS], stats.detail),
                           share(per["minor"] + per["major"], done, stats.detail)])
    stats.add(table)


# --- meetings: attendance, quorum, hosting ---------------------------------------------

def _meetings(stats: Statistics, bounds, language: str) -> None:
    held = queries.meetings(stats.area.key, bounds)
    present: dict[int, set[str]] = {}
    for conference_id, competence, _people in queries.attendance(stats.area.key, bounds):
        present.setdefault(conference_id, set()).add(competence)
    people = {row[0]: row[1:] for row in queries.participants(stats.area.key, bounds)}
    table = Table("attendance", _l("Attendance and quorum per meeting"), (
        Column("day", _l("Meeting"), False), Column("host", _l("Host unit"), False),
        Column("present", _l("People present")), Column("remote", _l("Of them remote")),
        Column("units", _l("Units present")), Column("quorum", _l("Quorum"), False),
        Column("missing", _l("Missing competences"), False)))
    met = 0
    for conference_id, starts_at, _host_id, host in held:
        quorum = quorum_of(stats.area, present.get(conference_id, set()))
        met += not quorum.missing
        total, remote, units = people.get(conference_id, (0, 0, 0))
        table.rows.append([to_local(starts_at).date().isoformat(), host or "", total, remote,
                           units, str(_l("met") if not quorum.missing else _l("not met")),
                           ", ".join(competence_label(key, language)
                                     for key in quorum.missing)])
    table.note = _l("Quorum met at %(met)d of %(held)d meetings.", met=met, held=len(held))
    stats.add(table)
    hosted: dict[str, int] = {}
    for _id, _starts, _host_id, host in held:
        name = host or str(_l("No host"))
        hosted[name] = hosted.get(name, 0) + 1
    hosting = Table("hosting", _l("Meetings hosted per unit"), (
        Column("unit", _l("Host unit"), False), Column("meetings", _l("Meetings held")),
        Column("share", _l("Share (%)"))))
    # Meetings, not patients: no figure here is hidden.
    hosting.rows = [[name, n, share(n, len(held), True)] for name, n in sorted(hosted.items())]
    hosting.rows.append([str(_l("All meetings")), len(held), None])
    hosting.bars = [Bar(name, n) for name, n in sorted(hosted.items())]
    stats.add(hosting)


# --- PROM coverage per time point -------------------------------------------------------

def _prom_coverage(stats: Statistics) -> None:
    found: dict[str, dict[str | None, int]] = {}
    for what, status, n in proms.coverage_rows(stats.area.key, stats.period.first,
                                               stats.period.last):
        found.setdefault(what, dict.fromkeys(proms.STATUSES, 0))[status] += n
    table = Table("proms", _l("PROM coverage per time point"), (
        Column("time_point", _l("Time point"), False), Column("due", _l("Time points due")),
        *(Column(str(status or "pending"), proms.LABELS[status]) for status in proms.STATUSES),
        Column("coverage", _l("Coverage (%)"))))
    for what, per in found.items():
        due = sum(per.values())
        table.rows.append([what, count(due, stats.detail),
                           *parts([per[status] for status in proms.STATUSES], stats.detail),
                           share(per["done"], due, stats.detail)])
    table.note = _l("Time points due on a day of the period; coverage: done of due.")
    stats.add(table)
