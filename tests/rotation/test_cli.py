"""`mdk rotation plan` and `mdk calendar extend` on the demo data."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest


def _year_ahead() -> int:
    """The year holding most of the demo's twelve months ahead (2027 while this is written)."""
    return (datetime.now(ZoneInfo("Europe/Stockholm")) + timedelta(days=183)).year


def _invoke(runner, *args):
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.demo_data
@pytest.mark.parametrize("area", ["analcancer", "crs_hipec"])
def test_rotation_plan_json_lists_next_years_meetings_of_the_demo(runner, area):
    year = _year_ahead()
    rows = json.loads(_invoke(runner, "rotation", "plan", "--area", area, "--year", str(year),
                              "--json"))
    held = [row for row in rows if row["status"] == "planned"]
    assert len(held) > 20
    for row in rows:
        assert {"start", "iso_week", "series", "area", "host_unit", "host_unit_name", "chair",
                "status", "note"} <= set(row)
        start = datetime.fromisoformat(row["start"])
        assert start.utcoffset() is not None and start.year == year
        assert row["area"] == area
    assert all(row["host_unit"] for row in held)


@pytest.mark.demo_data
def test_rotation_plan_prints_one_line_per_meeting_with_week_and_host(runner):
    year = _year_ahead()
    lines = _invoke(runner, "rotation", "plan", "--area", "analcancer",
                    "--year", str(year)).splitlines()
    assert lines and all("\tv. " in line for line in lines)
    assert any("\tKS\t" in line for line in lines)


def test_rotation_plan_for_an_unknown_area_exits_2_naming_the_option(runner):
    result = runner.invoke(args=["rotation", "plan", "--area", "nope", "--year", "2027"])
    assert result.exit_code == 2
    assert "--area" in result.output


@pytest.mark.demo_data
def test_calendar_extend_is_idempotent(runner):
    assert _invoke(runner, "calendar", "extend").strip() == "created 0 conference(s)"
