"""`mdk calendar extend`: create the coming conferences of every series (also a scheduler job)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

calendar_cli = AppGroup("calendar", help="The meeting calendar.")


@calendar_cli.command("extend")
@click.option("--months", default=12, show_default=True, type=click.IntRange(1, 120),
              help="How far ahead the calendar must reach.")
def extend_command(months: int) -> None:
    """Create the missing conferences up to the horizon and plan their hosts (idempotent)."""
    from mdk.conferences.service import extend_calendars

    created = extend_calendars(horizon_months=months)
    click.echo(f"created {created} conference(s)")
