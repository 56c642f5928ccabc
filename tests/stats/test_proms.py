"""PROM coverage per time point, by hand.

Due in the period (2026-03-30 .. 2026-06-30), "Livskvalitet 3 mån": A1 A2 A3 A4 done, A5
declined, A6 not yet followed up = 6 due, 4 done: 66.7 %. "Livskvalitet 1 år": B1 not
reached = 1. Not counted: A1's due 07-02 (after the period) and A2's with no due day yet.
"""

from __future__ import annotations

from datetime import date

import pytest

from mdk.care_areas.service import care_area
from mdk.extensions import db
from mdk.proms.models import PromFollowUp
from mdk.stats import service
from mdk.stats.figures import HIDDEN as H
from mdk.stats.figures import SECONDARY as S
from tests.stats.factories import PERIOD, local


def _prom(case, position, what, due_on, status=None):
    db.session.add(PromFollowUp(
        case_id=case.id, position=position, section="follow_up", what=what,
        fixed_on=due_on or date(2027, 1, 1), due_on=due_on, status=status,
        completed_on=due_on if status == "done" else None,
        recorded_at=local(2026, 6, 1) if status else None))


@pytest.fixture()
def with_proms(dataset):
    cases = dataset.cases
    three = "Livskvalitet 3 mån"
    for name, status in (("A1", "done"), ("A2", "done"), ("A3", "done"), ("A4", "done"),
                         ("A5", "declined"), ("A6", None)):
        _prom(cases[name], 1, three, date(2026, 5, 20), status)
    _prom(cases["B1"], 1, "Livskvalitet 1 år", date(2026, 6, 30), "not_reached")
    _prom(cases["A1"], 2, "Livskvalitet 1 år", date(2026, 7, 2), "done")
    _prom(cases["A2"], 2, "Livskvalitet 1 år", None)
    db.session.commit()
    return dataset


def _rows(dataset, who):
    stats = service.statistics(dataset.world.principal(who), care_area("analcancer"), PERIOD,
                               "sv")
    return {row[0]: row[1:] for row in stats.tables["proms"].rows}


def test_prom_coverage_per_time_point(with_proms):
    # due, done, declined, not reached, pending, coverage
    assert _rows(with_proms, "coordinator") == {
        "Livskvalitet 3 mån": [6, 4, 1, 0, 1, 66.7],
        "Livskvalitet 1 år": [1, 0, 0, 1, 0, 0.0]}


def test_prom_coverage_hides_small_numbers(with_proms):
    assert _rows(with_proms, "member") == {
        "Livskvalitet 3 mån": [6, H, H, 0, H, S],
        "Livskvalitet 1 år": [H, 0, 0, H, 0, S]}


def test_prom_csv(with_proms, browser):
    client = browser(with_proms.world.people["coordinator"])
    body = client.get("/stats/proms.csv?area=analcancer&from=2026-03-30&to=2026-06-30")
    assert body.status_code == 200
    assert "Livskvalitet 3 mån,6,4,1,0,1,66.7" in body.get_data(as_text=True)


def test_the_same_measure_at_two_time_points_is_two_rows(dataset):
    """The anal-cancer plan measures "Livskvalitet och besvär" 3 and 12 months after the end
    of treatment: one row for both would add the two time points' coverage together."""
    cases = dataset.cases
    for position, months, status in ((1, 3, "done"), (2, 12, "declined")):
        db.session.add(PromFollowUp(
            case_id=cases["A1"].id, position=position, section="prom",
            what="Livskvalitet och besvär", instrument="EORTC QLQ-C30", count=months,
            unit="months", anchor="treatment_end", due_on=date(2026, 5, 4 + position),
            status=status, completed_on=date(2026, 5, 5) if status == "done" else None,
            recorded_at=local(2026, 6, 1)))
    db.session.commit()
    rows = _rows(dataset, "coordinator")
    assert list(rows) == [
        "Livskvalitet och besvär (EORTC QLQ-C30), 3 månader efter avslutad behandling",
        "Livskvalitet och besvär (EORTC QLQ-C30), 12 månader efter avslutad behandling"]
    assert rows[list(rows)[0]][:3] == [1, 1, 0] and rows[list(rows)[1]][:3] == [1, 0, 1]
