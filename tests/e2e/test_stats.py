"""The statistics page in Chromium: a chart and the table beside it say the same, the table's
figures add up to the overview, and its CSV download holds exactly the table's figures."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in_as

pytestmark = pytest.mark.e2e

MEASURE = "referral_to_meeting"


def _rows(page: Page, table_id: str) -> list[list[str]]:
    return page.locator(f"#{table_id} tbody tr").evaluate_all(
        "rows => rows.map(row => [...row.cells].map(cell => cell.textContent.trim()))")


def _headers(page: Page, table_id: str) -> list[str]:
    return page.locator(f"#{table_id} thead th").evaluate_all(
        "cells => cells.map(cell => cell.textContent.trim())")


def test_a_chart_and_its_table_agree_and_the_csv_downloads_the_same_figures(anonymous_page):
    page = anonymous_page
    log_in_as(page, "coordinator")
    page.get_by_role("link", name="Statistik").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Statistik")
    expect(page.locator("#stats-view")).to_contain_text("Koordinatorernas vy")

    # The demo's past meetings this year: the referral → meeting lead time has patients.
    overview = {row[0]: row for row in _rows(page, "table-lead_times")}
    heading = page.locator(f"#caption-lead_time_{MEASURE}").inner_text()
    patients = int(overview[heading][1])
    assert patients >= 5

    chart = page.get_by_role("img", name=re.compile(re.escape(heading)))
    expect(chart).to_be_visible()
    histogram = _rows(page, f"table-lead_time_{MEASURE}")
    assert sum(int(count) for _days, count in histogram) == patients
    # Every bar's number is drawn on the chart, in the table's order.
    drawn = chart.locator("text.stats-value").evaluate_all(
        "texts => texts.map(text => text.textContent.trim())")  # SVG has no innerText
    assert drawn == [count for _days, count in histogram]

    section = page.locator(f"#section-lead_time_{MEASURE}")
    with page.expect_download() as download_info:
        section.get_by_role("link", name=re.compile("Ladda ner som CSV")).click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"analcancer-lead_time_{MEASURE}-")
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8") as file:
        rows = list(csv.reader(io.StringIO(file.read())))
    assert rows[0] == _headers(page, f"table-lead_time_{MEASURE}")
    assert rows[1:] == histogram
