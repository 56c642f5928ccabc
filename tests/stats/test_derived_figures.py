"""Figures that would let a hidden small number be worked out from other figures shown
(outside the coordinators' view): across tables, from percentiles, and the CSV's cells."""

from __future__ import annotations

import csv
import io

from mdk.care_areas.service import care_area
from mdk.extensions import db
from mdk.stats import service
from mdk.stats.figures import (
    HIDDEN,
    SECONDARY,
    Distribution,
    Hidden,
    Target,
    parts,
    summary,
)
from mdk.stats.views import csv_figure, show_figure
from mdk.treatment.models import TreatmentOutcome
from tests.stats.factories import PERIOD, _move, local
from tests.stats.test_figures_by_hand import MONTHS_QUERY, QUERY


def _hidden(value) -> bool:
    return isinstance(value, Hidden)


# --- 1a: units and regions --------------------------------------------------------------

def test_no_unit_of_a_region_with_a_hidden_unit_is_shown():
    rows = [(1, "A", "R1", 3), (2, "B", "R1", 10), (3, "C", "R2", 6), (4, "D", "R2", 20)]
    shown = service._units_shown(rows, detail=False)
    # The regions' totals 13 and 26 are shown: 13 - 10 would tell A, 26 - 20 would tell C.
    assert shown == [HIDDEN, SECONDARY, SECONDARY, SECONDARY]
    assert service._units_shown(rows, detail=True) == [3, 10, 6, 20]
    # Only the regions with a hidden unit are hidden whole (6 hidden as well for the 2).
    whole = [(1, "A", "R1", 7), (2, "B", "R1", 10), (3, "C", "R2", 2), (4, "D", "R3", 20),
             (5, "E", "R2", 6), (6, "F", "R3", 0)]
    assert service._units_shown(whole, detail=False) == [7, 10, HIDDEN, 20, SECONDARY, 0]


# --- 1c: within the target and the histogram ------------------------------------------

def _distribution(values: dict[int, int], max_days: int | None = None) -> Distribution:
    found = Distribution(target=Target(max_days, 80, "calendar") if max_days else None)
    for days, how_many in values.items():
        found.add(days, how_many)
    return found


def test_within_the_target_is_hidden_while_a_bucket_of_its_histogram_is():
    # 0-7: 10, 8-14: 2 (hidden), 15-21: 6 (hidden with it): 12 within 14 days minus the
    # 10 shown would tell the 2.
    distribution = _distribution({3: 10, 10: 2, 18: 6}, max_days=14)
    assert parts([bucket.count for bucket in distribution.buckets()], False)[:3] == \
        [10, HIDDEN, SECONDARY]
    figures = summary(distribution, detail=False)
    assert figures["within_target"] is SECONDARY
    assert figures["share_within_target"] is SECONDARY
    detail = summary(distribution, detail=True)
    assert (detail["within_target"], detail["share_within_target"]) == (12, 66.7)
    # No bucket hidden: within the target shown.
    shown = summary(_distribution({3: 10, 10: 5, 18: 6}, max_days=14), detail=False)
    assert (shown["within_target"], shown["share_within_target"]) == (15, 71.4)


# --- 2: a percentile at rank n is the longest value -----------------------------------

def test_a_percentile_at_the_last_rank_is_hidden():
    five = summary(_distribution({1: 1, 2: 1, 3: 1, 4: 1, 5: 1}), detail=False)
    assert (five["median"], five["p80"]) == (3, 4)  # ranks 3 and 4 of 5
    assert five["p90"] is SECONDARY and five["max"] is SECONDARY  # rank 5: the longest
    nine = summary(_distribution({day: 1 for day in range(1, 10)}), detail=False)
    assert (nine["median"], nine["p80"]) == (5, 8)
    assert nine["p90"] is SECONDARY  # ceil(0.9 * 9) = 9
    ten = summary(_distribution({day: 1 for day in range(1, 11)}), detail=False)
    assert ten["p90"] == 9  # rank 9 of 10: not the longest
    assert summary(_distribution({day: 1 for day in range(1, 10)}), detail=True)["p90"] == 9


# --- 3: a separate marker for secondary hiding ----------------------------------------

def test_a_part_hidden_for_another_is_not_shown_as_below_five():
    assert parts([6, 2, 30], detail=False) == [SECONDARY, HIDDEN, 30]
    assert show_figure(SECONDARY, "sv") == csv_figure(SECONDARY) == "•"
    assert show_figure(HIDDEN, "sv") == csv_figure(HIDDEN) == "<5"


def test_the_page_explains_the_marker(browser, dataset):
    html = browser(dataset.world.people["member"]).get(f"/stats?{MONTHS_QUERY}").get_data(
        as_text=True)
    assert "• dold så att ett litet antal inte kan räknas fram" in html
    assert "<td class=\"number\">•</td>" in html


# --- 1b and 5: adherence, its reasons, the lead time to treatment ---------------------

def _stats(dataset, who: str) -> service.Statistics:
    return service.statistics(dataset.world.principal(who), care_area("analcancer"), PERIOD,
                              "sv")


def test_adherence_is_hidden_whole_once_a_part_is(dataset):
    stats = _stats(dataset, "member")
    adherence = stats.tables["adherence"]
    # The lead time to treatment's n (5, the started) is shown: the total 6 would tell the
    # one not treated.
    assert stats.tables["lead_times"].rows[2][1] == 5
    assert all(_hidden(value) for row in adherence.rows for value in row[1:] if value)
    assert all(_hidden(row[1]) for row in stats.tables["deviation_reasons"].rows)


def test_reasons_count_only_started_treatments(dataset):
    b1 = dataset.cases["B1"]
    outcome = db.session.execute(db.select(TreatmentOutcome).filter_by(case_id=b1.id)) \
        .scalar_one()
    outcome.adherence, outcome.deviation_reason = "deviated", "patient_declined"
    db.session.flush()
    stats = _stats(dataset, "coordinator")
    deviated = stats.tables["adherence"].rows[1][1]
    reasons = [row[1] for row in stats.tables["deviation_reasons"].rows]
    assert deviated == 1 and sum(reasons) == deviated


# --- 4: the CSV disarms spreadsheet formulas ------------------------------------------

def test_csv_cells_cannot_start_a_formula(browser, dataset):
    people = dataset.world.people
    _move(dataset.cases["A2"], "defer", local(2026, 4, 16), '=HYPERLINK("http://x","y")',
          actor=people["coordinator"])
    db.session.flush()
    body = browser(people["coordinator"]).get(f"/stats/deferral_reasons.csv?{QUERY}") \
        .get_data(as_text=True)
    cells = [cell for row in csv.reader(io.StringIO(body)) for cell in row]
    assert "'=HYPERLINK(\"http://x\",\"y\")" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
