"""`mdk units create`: add a unit (and its care provider) from the command line, so a fresh
install can get its first unit and admin before anyone can log in to the pages."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from mdk.hsa import is_valid_hsa_id, organisation_number
from mdk.units import service
from mdk.validation import FieldError

units_cli = AppGroup("units", help="Care units (vårdenheter).")


@units_cli.command("create")
@click.option("--hsa-id", required=True, help="The unit's HSA-id, e.g. SE2321000016-AC01.")
@click.option("--name", required=True, help="Full name of the unit.")
@click.option("--short-name", required=True, help="Short name shown in calendars.")
@click.option("--mailbox", required=True, help="The unit's functional mailbox.")
@click.option("--phone", required=True, help="The unit's phone number.")
@click.option("--provider-name", help="Care provider's name, if the provider is new.")
@click.option("--private", is_flag=True, help="The new care provider is a private one.")
def create_unit_command(hsa_id: str, name: str, short_name: str, mailbox: str, phone: str,
                        provider_name: str | None, private: bool) -> None:
    """Create a unit; its care provider is found (or created) from the HSA-id's org number."""
    if not is_valid_hsa_id(hsa_id):
        _refuse(f"hsa_id: {hsa_id!r} is not an HSA-id (SE + 10 digits + '-' + letters/digits)")
    number = organisation_number(hsa_id)
    fields = {"name": name, "short_name": short_name, "hsa_id": hsa_id, "mailbox": mailbox,
              "phone": phone}
    try:
        service.check_unit_fields(fields)  # before a new provider is saved for nothing
        provider = service.provider_by_organisation_number(number)
        if provider is None:
            if not provider_name:
                _refuse(f"no care provider with organisation number {number}; "
                        "give --provider-name to create it")
            provider = service.create_provider({"name": provider_name, "is_private": private,
                                                "organisation_number": number})
            click.echo(f"created care provider {provider.name} ({number})")
        unit = service.create_unit({**fields, "provider_id": provider.id})
    except FieldError as error:
        _refuse(f"{error.field}: {error.message}")
    click.echo(f"created unit {unit.hsa_id} {unit.short_name} ({unit.name})")


def _refuse(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    raise click.exceptions.Exit(2)
