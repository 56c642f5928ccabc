"""Care-area files for tests: copies of the shipped files, changed on purpose."""

from __future__ import annotations

from pathlib import Path

from mdk.config import CONFIG_DIR

SHIPPED = CONFIG_DIR / "care_areas"

# A third NHV area, only as a file: hosting rotates per year, weighted, as for vulvar cancer.
THIRD_AREA = """
[area]
key = "vulvacancer"
national_mdk = true
case_prefix = "VU"
name = { sv = "Vulvacancer", en = "Vulvar cancer" }

[calendar]
organizer = "nmdk-vulvacancer@mdk.example.se"
name = "nMDK vulvacancer"

[[nhv_units]]
hsa_id = "SE2321000016-VU01"
name = "Karolinska Universitetssjukhuset, Gynekologisk onkologi"
short_name = "KS"
colour = "#1f4e79"

[[nhv_units]]
hsa_id = "SE2321000255-VU02"
name = "Skånes universitetssjukhus, Gynekologisk onkologi"
short_name = "SUS"
colour = "#2e6b30"

[licence]
critical_competences = ["oncologist", "surgeon", "contact_nurse"]

[quorum]
competences = ["oncologist", "surgeon", "radiologist"]
when_needed = ["pathologist"]

[[series]]
key = "national"
name = { sv = "Nationell MDK vulvacancer", en = "National vulvar cancer MDK" }
weekday = 4
start = "13:00"
duration_minutes = 60
case_slot_minutes = 10
cutoff_days = 1
cutoff_time = "10:00"
on_holiday = "skip"

[series.host_policy]
kind = "rotating"
rotation = "per_period"
period_length = 1
period_unit = "years"
weights = { "SE2321000016-VU01" = 2 }
"""


def write_area(folder: Path, stem: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def broken_copy(folder: Path, source: str, old: str, new: str, stem: str | None = None) -> Path:
    """The shipped file `source` with `old` (there once, or empty) replaced by `new`."""
    text = (SHIPPED / f"{source}.toml").read_text(encoding="utf-8")
    if old:
        assert text.count(old) == 1, f"{old!r} must occur once in {source}.toml"
    return write_area(folder, stem or source, text.replace(old, new))
