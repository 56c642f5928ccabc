"""`mdk patients fictitious`: demo and test patients (never real numbers)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from mdk.audit.service import system_actor
from mdk.patients import service

patients_cli = AppGroup("patients", help="Patients.")


@patients_cli.command("fictitious")
@click.option("--count", default=12, show_default=True, type=click.IntRange(1, 500))
@click.option("--seed", default=service.FICTITIOUS_SEED, show_default=True, type=int)
def fictitious_command(count: int, seed: int) -> None:
    """Register fictitious patients (Testpatient Ett, Två, ...); running it again adds none."""
    created = service.create_fictitious_patients(system_actor(), count, seed)
    click.echo(f"{len(created)} fictitious patients registered ({count - len(created)} "
               "were there already)")
