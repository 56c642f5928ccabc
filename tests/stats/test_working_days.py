"""A lead-time target in working days counts open days (weekends, Swedish holidays and
closures skipped), as the area's `day_kind` says."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from mdk.care_areas.domain import LeadTimeTarget
from mdk.care_areas.service import care_area
from mdk.stats import service
from mdk.stats.period import Period

PERIOD = Period(date(2026, 1, 1), date(2026, 12, 31))


def test_working_days_skip_easter_and_the_weekend(app_ctx):
    count = service.day_counter(care_area("analcancer"), PERIOD, working=True)
    # Thursday before Easter to the Tuesday after: Good Friday, the weekend, Easter Monday.
    assert count(date(2026, 4, 2), date(2026, 4, 7)) == 1
    assert count(date(2026, 4, 7), date(2026, 4, 2)) == -1
    assert service.day_counter(care_area("analcancer"), PERIOD, working=False)(
        date(2026, 4, 2), date(2026, 4, 7)) == 5


def test_a_working_day_target_measures_in_working_days(app_ctx):
    area = care_area("analcancer")
    target = replace(area.lead_time_targets[0], max_days=2, day_kind="working")
    assert isinstance(target, LeadTimeTarget)
    area = replace(area, lead_time_targets=(target,))
    measure = service.MEASURES[2]  # meeting -> treatment start
    found = service.distribution_of(measure, area, PERIOD, [
        (date(2026, 4, 2), date(2026, 4, 7), 3),  # 1 working day (5 calendar days)
        (date(2026, 4, 8), date(2026, 4, 13), 2)])  # Wed -> Mon: 3 working days
    assert found.values == {1: 3, 3: 2}
    assert found.within_target == 3
