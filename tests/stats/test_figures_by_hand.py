"""Every figure of the statistics, computed by hand from the dataset in
tests/stats/factories.py, checked in the service, on the page and in each CSV, in the
coordinators' view and with small numbers hidden (a member of the area).

By hand (the period 2026-03-30 .. 2026-06-30, Swedish time):
- Referred in the period: unit A: A1 (00:30 on 03-30, the day after the DST change, 22:30
  UTC on 03-29), A2..A6 = 6; unit B: B1 and B2 (23:30 on 06-30) = 2; A0 (23:30 on 03-29)
  and B0 (00:30 on 07-01, 22:30 UTC on 06-30) and C0 (03-10) are outside; 8 in all.
- Referral -> meeting, by the meeting day (M1 04-08, M2 05-06): A1 9 (10 if its UTC day
  were taken), A2 8, A3 7, B1 6, A0 10, A4 16, A5 14, A6 9: sorted 6 7 8 9 9 10 14 16;
  n 8, median (4th) 9, p80 (7th) 14, p90 (8th) 16, min 6, max 16; 0-7: 2, 8-14: 5, 15-21: 1.
- Meeting -> report (the first issue): A1 2 (not its later 12), A2 1, A3 5, B1 1, A4 2,
  A5 1, A6 5: sorted 1 1 1 2 2 5 5; n 7, median (4th) 2, p80 (6th) 5, p90 (7th) 5.
- Meeting -> treatment start: A1 12, A2 17, A3 18, A4 4, A5 24 (C0's meeting is before the
  period): sorted 4 12 17 18 24; median (3rd) 17, p80 (4th) 18, p90 (5th) 24; within 17
  days: 4, 12, 17 = 3 of 5 = 60.0 % (target 80 %); one patient in each bucket 0-7, 8-14,
  15-17, 18-21, 22-28.
- Adherence: followed A1 A2 A4 A5 = 4 (66.7 %), deviated A3 = 1 (16.7 %), not treated B1 =
  1 (16.7 %); 6 recorded. Reason: the patient declined, 1.
- Deferrals made in the period: by a coordinator A4, by the gate A6, listed not discussed
  A5: 1 each, 3 in all (C0's at 23:30 on 03-29 is outside).
- Reviews at M1: radiology 6 done (4 concordant, 1 minor, 1 major: 33.3 %), pathology 2
  (2 concordant: 0.0 %); the open task and M0's do not count.
- M1: 6 present, 3 remote, 4 units, quorum met; M2: 4 present, 0 remote, 3 units, missing
  the nuclear-medicine physician and the contact nurse. Hosting 1 and 1 (50.0 % each).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from html import unescape

from mdk.care_areas.service import care_area
from mdk.stats import service
from mdk.stats.figures import HIDDEN, SECONDARY, Hidden
from mdk.stats.period import Period
from tests.stats.factories import PERIOD

H = HIDDEN
S = SECONDARY  # hidden so that a small number cannot be worked out
QUERY = "area=analcancer&from=2026-03-30&to=2026-06-30"
# Outside the coordinators' view a period is whole months (tests/stats/test_period.py).
MONTHS = Period(date(2026, 4, 1), date(2026, 6, 30))
MONTHS_QUERY = "area=analcancer&from=2026-04-01&to=2026-06-30"

# Each table's figures (the label columns left out, but where a name is the figure).
COORDINATOR = {
    "lead_times": [[8, 9, 14, 16, 6, 16, None, None, None, None],
                   [7, 2, 5, 5, 1, 5, None, None, None, None],
                   [5, 17, 18, 24, 4, 24, 17, 3, 60.0, 80]],
    "lead_time_referral_to_meeting": [[2], [5], [1], [0], [0], [0], [0], [0]],
    "lead_time_meeting_to_report": [[7], [0], [0], [0], [0], [0], [0], [0]],
    "lead_time_meeting_to_treatment": [[1], [1], [1], [1], [1], [0], [0], [0], [0]],
    "cases_by_region": [[None], [None], [8]],  # the regions' rows checked by name below
    "adherence": [[4, 66.7], [1, 16.7], [1, 16.7], [6, None]],
    "deviation_reasons": [[1]],
    "deferrals": [[1], [1], [1], [3]],
    "deferral_reasons": [["Material saknas", 1], ["Väntar på PET-DT", 1],
                         ["Tiden räckte inte", 1]],
    "reviews": [[6, 4, 1, 1, 33.3], [2, 2, 0, 0, 0.0]],
    "hosting": [[1, 50.0], [1, 50.0], [2, None]],
}
MEMBER = {
    # p90 at its nearest rank n is the longest value (n 8, 7 and 5); within the target is
    # hidden as its histogram has hidden buckets.
    "lead_times": [[8, 9, 14, S, S, S, None, None, None, None],
                   [7, 2, 5, S, S, S, None, None, None, None],
                   [5, 17, 18, S, S, S, 17, H, S, 80]],
    # 2 and 1 hidden add up to 3: the 5 is hidden too ("•"), or 8 - 5 would tell.
    "lead_time_referral_to_meeting": [[H], [S], [H], [0], [0], [0], [0], [0]],
    "lead_time_meeting_to_report": [[7], [0], [0], [0], [0], [0], [0], [0]],
    "lead_time_meeting_to_treatment": [[H], [H], [H], [H], [H], [0], [0], [0], [0]],
    "cases_by_region": [[None], [None], [8]],
    # A part hidden: every figure of the table (the lead time to treatment tells the
    # started, the total minus it the not treated).
    "adherence": [[H, S], [H, S], [H, S], [S, None]],
    "deviation_reasons": [[H]],
    "deferrals": [[H], [H], [H], [H]],
    "reviews": [[6, H, H, H, S], [H, H, 0, 0, S]],
    "hosting": [[1, 50.0], [1, 50.0], [2, None]],  # meetings, not patients
}
ATTENDANCE = [[6, 3, 4], [4, 0, 3]]


def _figures(table, key: str) -> list[list]:
    rows = table.rows
    if key == "deferral_reasons":
        return [row[1:] for row in rows]
    if key == "cases_by_region":
        return [[None] if index < len(rows) - 1 else row[1:] for index, row in enumerate(rows)]
    return [row[1:] for row in rows]


def _units(world, first: object, second: object) -> list[list]:
    a, b = world.referring, world.other_referring
    rows = sorted([[a.name, a.provider.name, first], [b.name, b.provider.name, second]],
                  key=lambda row: (row[1], row[0]))
    return rows


def _check_service(dataset, who: str, expected: dict) -> service.Statistics:
    stats = service.statistics(dataset.world.principal(who), care_area("analcancer"), PERIOD,
                               "sv")
    for key, rows in expected.items():
        assert _figures(stats.tables[key], key) == rows, key
    assert [row[2:5] for row in stats.tables["attendance"].rows] == ATTENDANCE
    return stats


def test_coordinator_sees_every_figure(dataset):
    stats = _check_service(dataset, "coordinator", COORDINATOR)
    assert stats.detail
    assert stats.tables["cases_by_unit"].rows[:2] == _units(dataset.world, 6, 2)
    assert stats.tables["cases_by_unit"].rows[2][2] == 8
    regions = {row[0]: row[1] for row in stats.tables["cases_by_region"].rows[:2]}
    assert regions == {dataset.world.referring.provider.name: 6,
                       dataset.world.other_referring.provider.name: 2}
    quorum = [row[5:] for row in stats.tables["attendance"].rows]
    assert quorum[0][1] == "" and quorum[1][1].count(",") == 1


def test_member_sees_small_numbers_hidden(dataset):
    stats = _check_service(dataset, "member", MEMBER)
    assert not stats.detail
    # 2 is hidden, and so is the 6 (8 - 6 would tell the 2), as "•".
    assert stats.tables["cases_by_unit"].rows[:2] == _units(dataset.world, S, H)
    assert stats.tables["cases_by_unit"].rows[2][2] == 8
    assert "deferral_reasons" not in stats.tables  # free text: coordinators only


def test_referrer_sees_no_statistics(dataset):
    import pytest
    from werkzeug.exceptions import Forbidden

    with pytest.raises(Forbidden):  # the care area is seen by all; its statistics are not
        service.statistics(dataset.world.principal("referrer"), care_area("analcancer"),
                           PERIOD, "sv")


def test_page_refused_to_a_referrer_and_another_areas_coordinator(browser, dataset):
    people = dataset.world.people
    assert browser(people["referrer"]).get(f"/stats?{QUERY}").status_code == 403
    assert browser(people["referrer"]).get(f"/stats/hosting.csv?{QUERY}").status_code == 403
    other = browser(people["crs_coordinator"])
    assert other.get(f"/stats?{QUERY}").status_code == 403
    assert other.get(f"/stats/hosting.csv?{QUERY}").status_code == 403
    page = other.get("/stats")  # their own area by default
    assert page.status_code == 200 and "CRS/HIPEC" in page.get_data(as_text=True)


# --- the page and the CSV ---------------------------------------------------------------

def _page_text(value) -> str:
    if isinstance(value, Hidden):
        return value.text
    if value is None:
        return "–"
    return f"{value:.1f}".replace(".", ",") if isinstance(value, float) else str(value)


def _csv_text(value) -> str:
    if isinstance(value, Hidden):
        return value.text
    if value is None:
        return ""
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def page_table(html: str, key: str) -> list[list[str]]:
    """The body rows of <table id="table-KEY">, as the cells' text."""
    match = re.search(rf'<table id="table-{key}">(.*?)</table>', html, re.S)
    assert match, key
    body = match.group(1).split("<tbody>", 1)[1]
    return [[unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def _expected_page(table_rows: list[list], key: str) -> list[list[str]]:
    if not table_rows:
        return [["Inget under perioden."]]
    return [[_page_text(value) for value in row] for row in table_rows]


def _check_page_and_csv(app, browser, person, expected: dict, stats_rows: dict,
                        query: str = QUERY) -> None:
    client = browser(person)
    response = client.get(f"/stats?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for key, rows in stats_rows.items():
        page = page_table(html, key)
        assert page == _expected_page(rows, key), key
        download = client.get(f"/stats/{key}.csv?{query}")
        assert download.status_code == 200 and download.mimetype == "text/csv"
        assert download.mimetype_params.get("charset") == "utf-8"
        parsed = list(csv.reader(io.StringIO(download.get_data(as_text=True))))
        assert parsed[1:] == [[_csv_text(value) for value in row] for row in rows], key
    for key, rows in expected.items():  # the hand-computed figures, in the page's cells
        if key in ("cases_by_region", "deferral_reasons"):
            continue
        assert [cells[1:] for cells in page_table(html, key)] == \
            [[_page_text(value) for value in row] for row in rows], key


def test_page_and_csv_hold_the_coordinators_figures(app, browser, dataset):
    stats = _check_service(dataset, "coordinator", COORDINATOR)
    rows = {key: table.rows for key, table in stats.tables.items()}
    _check_page_and_csv(app, browser, dataset.world.people["coordinator"], COORDINATOR, rows)


def test_page_and_csv_hide_small_numbers_for_a_member(app, browser, dataset):
    # The hand figures are checked in the service (test_member_sees_small_numbers_hidden);
    # the page and CSV, over whole months, hold the service's figures for those months.
    stats = service.statistics(dataset.world.principal("member"), care_area("analcancer"),
                               MONTHS, "sv")
    rows = {key: table.rows for key, table in stats.tables.items()}
    assert any(isinstance(value, Hidden) for table in rows.values() for row in table
               for value in row)
    _check_page_and_csv(app, browser, dataset.world.people["member"], {}, rows,
                        MONTHS_QUERY)
    client = browser(dataset.world.people["member"])
    assert client.get(f"/stats/deferral_reasons.csv?{MONTHS_QUERY}").status_code == 404


def test_charts_are_svg_with_a_title_a_description_and_their_numbers(browser, dataset):
    html = browser(dataset.world.people["coordinator"]).get(f"/stats?{QUERY}").get_data(
        as_text=True)
    flat = re.sub(r"\s+", " ", html)
    charts = re.findall(r'<svg class="stats-chart" role="img" aria-labelledby="'
                        r'chart-(\w+)-title chart-\1-desc"', flat)
    assert "lead_time_meeting_to_treatment" in charts and "hosting" in charts
    svg = flat.split('aria-labelledby="chart-lead_time_meeting_to_treatment-title')[1]
    svg = svg.split("</svg>")[0]
    assert "<title" in svg and "<desc" in svg
    assert "15–17: 1" in svg  # the description lists every bar's value
    assert svg.count('class="stats-value"') == 9  # a number written at every bar
    assert 'fill="url(#chart-lead_time_meeting_to_treatment-hatch)"' in svg  # a pattern
    assert "<script" not in html.split("<main", 1)[-1] and "cdn" not in html.lower()
    assert '<th scope="col"' in html and '<th scope="row">' in html
    assert html.count("<caption") == html.count("<table")
    assert 'style="' not in html
