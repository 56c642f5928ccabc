"""`mdk care-areas check` and `mdk care-areas list`.

These read the files themselves, without the app: `check` must work exactly when a broken
file keeps the app from starting.
"""

from __future__ import annotations

from pathlib import Path

import click

from mdk.care_areas.service import (
    COMPETENCES_FILE,
    CareAreaError,
    care_area_files,
    load_care_area_file,
    load_care_areas,
    load_competences,
)
from mdk.config import load_settings

DIR_OPTION = click.option(
    "--dir", "folder", type=click.Path(path_type=Path, file_okay=False),
    help="Folder of care-area files (default: the care_areas_dir setting).",
)


@click.group("care-areas")
def care_areas_cli() -> None:
    """Care areas: the files in config/care_areas (one file = one NHV care area)."""


@care_areas_cli.command("check")
@DIR_OPTION
def check_command(folder: Path | None) -> None:
    """Validate every care-area file: one OK line per area, or every problem (exit 1)."""
    folder = folder or load_settings().care_areas_path
    failed = False
    try:
        known = set(load_competences(COMPETENCES_FILE))
        files = care_area_files(folder)
    except CareAreaError as exc:
        _echo_problems(exc)
        raise SystemExit(1) from exc
    for path in files:
        try:
            area = load_care_area_file(path, known)
        except CareAreaError as exc:
            failed = True
            _echo_problems(exc)
        else:
            click.echo(f"OK {area.key}: {area.name.sv} ({path}), {len(area.nhv_units)} NHV "
                       f"units, {len(area.series)} series")
    if failed:
        raise SystemExit(1)


@care_areas_cli.command("list")
@DIR_OPTION
def list_command(folder: Path | None) -> None:
    """List the care areas with their NHV units and meeting series."""
    folder = folder or load_settings().care_areas_path
    try:
        areas = load_care_areas(folder, COMPETENCES_FILE)
    except CareAreaError as exc:
        _echo_problems(exc)
        raise SystemExit(1) from exc
    for area in areas.values():
        shape = "national MDK" if area.national_mdk else "MDK per unit"
        click.echo(f"{area.key}\t{area.name.sv} / {area.name.en}\t{shape}")
        for unit in area.nhv_units:
            click.echo(f"  unit    {unit.hsa_id}\t{unit.short_name}\t{unit.name}")
        for series in area.series:
            click.echo(f"  series  {series.key}\tweekday {series.weekday} "
                       f"{series.start}-{series.end}\thost {series.host_policy.kind}")


def _echo_problems(error: CareAreaError) -> None:
    for problem in error.problems:
        click.echo(f"ERROR {problem}", err=True)
