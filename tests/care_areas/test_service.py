"""The accessors other features call."""

from __future__ import annotations

import pytest

from mdk.care_areas import service


def test_care_areas_are_sorted_by_key(app_ctx):
    assert list(service.care_areas()) == ["analcancer", "crs_hipec"]


def test_care_area_returns_the_area_by_key(app_ctx):
    assert service.care_area("crs_hipec").name.en == "CRS/HIPEC"


def test_care_area_with_unknown_key_raises_not_found(app_ctx):
    with pytest.raises(service.CareAreaNotFound, match="'finns_inte'"):
        service.care_area("finns_inte")


def test_areas_where_unit_is_nhv_finds_the_units_area(app_ctx):
    areas = service.areas_where_unit_is_nhv("SE2321000024-CH01")
    assert [area.key for area in areas] == ["crs_hipec"]


def test_areas_where_unit_is_nhv_is_empty_for_a_referring_unit(app_ctx):
    assert service.areas_where_unit_is_nhv("SE2321000016-XYZ9") == []


def test_competences_carry_swedish_and_english_labels(app_ctx):
    radiologist = service.competences()["radiologist"]
    assert radiologist.label("sv") == "Radiolog (bild- och funktionsmedicin)"
    assert radiologist.label("en") == "Radiologist"
