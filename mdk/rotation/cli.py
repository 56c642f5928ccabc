"""`mdk rotation plan --area AREA --year YYYY [--json]`: who hosts which meeting, and why."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

rotation_cli = AppGroup("rotation", help="Hosting rotation among the NHV units.")


@rotation_cli.command("plan")
@click.option("--area", "area_key", required=True, help="Care-area key, e.g. analcancer.")
@click.option("--year", required=True, type=click.IntRange(2000, 2200), help="Calendar year.")
@click.option("--json", "as_json", is_flag=True, help="A JSON list of objects instead.")
def plan_command(area_key: str, year: int, as_json: bool) -> None:
    """Every meeting of every series of the area in the year: day, ISO week, series, host,
    chair, status and the reason for any skip or passed-over unit."""
    from mdk.conferences.service import rotation_plan
    from mdk.validation import FieldError

    try:
        rows = rotation_plan(area_key, year)
    except FieldError as error:
        click.echo(f"Error: --area: {error.message}", err=True)
        raise click.exceptions.Exit(2) from error
    if as_json:
        click.echo(json.dumps([row.as_json() for row in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(f"no meetings planned for {area_key} in {year} (run `mdk calendar extend`)")
    for row in rows:
        click.echo("\t".join((
            f"{row.start:%Y-%m-%d %H:%M}", f"v. {row.iso_week:02d}", row.series_key,
            row.host_unit_name or "-", row.chair or "-", row.status, row.note or "")))
