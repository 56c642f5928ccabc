"""Care-area settings in words for the pages ("Varje tisdag 08:00–09:30, värdskap roterar …").

Presentation only: used by the views and templates, never by services.
"""

from __future__ import annotations

from babel.dates import get_day_names
from flask_babel import gettext as _

from mdk.care_areas.domain import CareArea, HostPolicy, MaterialItem, MeetingSeriesConfig
from mdk.care_areas.service import competence_label
from mdk.i18n import current_language


def weekday_name(iso_weekday: int, language: str | None = None) -> str:
    return get_day_names("wide", locale=language or current_language())[iso_weekday - 1]


def number_word(count: int) -> str:
    words = {1: _("one"), 2: _("two"), 3: _("three"), 4: _("four"), 5: _("five"),
             6: _("six")}
    return words.get(count, str(count))


def cadence_in_words(series: MeetingSeriesConfig) -> str:
    return _("Every %(weekday)s %(start)s–%(end)s", weekday=weekday_name(series.weekday),
             start=series.start, end=series.end)


def host_policy_in_words(policy: HostPolicy, area: CareArea) -> str:
    if policy.kind == "fixed":
        unit = area.nhv_unit(policy.fixed_unit or "")
        return _("fixed host: %(unit)s", unit=unit.name if unit else policy.fixed_unit)
    count = number_word(len(area.nhv_units))
    if policy.rotation == "per_period":
        words = _period_in_words(policy, count)
    else:
        words = _("hosting rotates per meeting among the %(count)s units", count=count)
    if policy.weights:
        weights = ", ".join(
            f"{unit.short_name} {policy.weights.get(unit.hsa_id, 1):g}" for unit in area.nhv_units
        )
        weighted = _("weighted: %(weights)s", weights=weights)
        words = f"{words} ({weighted})"
    return words


def _period_in_words(policy: HostPolicy, count: str) -> str:
    length = policy.period_length or 1
    if length == 1:
        phrases = {
            "weeks": _("hosting rotates per week among the %(count)s units", count=count),
            "months": _("hosting rotates per month among the %(count)s units", count=count),
            "years": _("hosting rotates per year among the %(count)s units", count=count),
        }
    else:
        phrases = {
            "weeks": _("hosting rotates in periods of %(num)s weeks among the %(count)s units",
                       num=length, count=count),
            "months": _("hosting rotates in periods of %(num)s months among the %(count)s "
                        "units", num=length, count=count),
            "years": _("hosting rotates in periods of %(num)s years among the %(count)s units",
                       num=length, count=count),
        }
    return phrases[policy.period_unit or "weeks"]


def series_in_words(series: MeetingSeriesConfig, area: CareArea) -> str:
    """'Varje tisdag 08:00–09:30, värdskap roterar per möte mellan de fyra enheterna'."""
    return f"{cadence_in_words(series)}, {host_policy_in_words(series.host_policy, area)}"


def cutoff_in_words(series: MeetingSeriesConfig) -> str:
    if series.cutoff_days == 0:
        return _("Referrals by %(time)s on the meeting day", time=series.cutoff_time)
    if series.cutoff_days == 1:
        return _("Referrals by %(time)s, one working day before the meeting",
                 time=series.cutoff_time)
    return _("Referrals by %(time)s, %(num)s working days before the meeting",
             time=series.cutoff_time, num=series.cutoff_days)


def holiday_in_words(series: MeetingSeriesConfig) -> str:
    if series.on_holiday == "next_working_day":
        return _("On a public holiday the meeting moves to the next working day.")
    return _("On a public holiday the meeting is cancelled.")


def freshness_in_words(item: MaterialItem) -> str:
    if item.max_age_days is None:
        return _("no age limit")
    # Plain text, no plural forms: the translation tool fills singular messages only.
    return _("at most %(num)s days old", num=item.max_age_days)


def reviewer_in_words(item: MaterialItem) -> str:
    if item.review_by is None:
        return ""
    return _("secondary review: %(competence)s",
             competence=competence_label(item.review_by, current_language()))
