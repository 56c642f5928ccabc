"""`mdk users create`: the first admin of a real install (and any user before logins exist)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from mdk.care_areas.service import care_areas
from mdk.people import service
from mdk.people.models import ROLES
from mdk.units.service import unit_by_hsa_id
from mdk.validation import FieldError

users_cli = AppGroup("users", help="Create users and grant them roles.")


def _refuse(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    raise click.exceptions.Exit(2)


@users_cli.command("create")
@click.option("--email", required=True, help="E-mail address (the login, later).")
@click.option("--name", required=True, help="Full name.")
@click.option("--unit", "unit_hsa_id", required=True, help="HSA-id of the person's unit.")
@click.option("--role", required=True, help=f"One of: {', '.join(ROLES)}.")
@click.option("--area", required=True, help="Care-area key, e.g. analcancer.")
def create_user(email: str, name: str, unit_hsa_id: str, role: str, area: str) -> None:
    """Create (or update) a person at a unit and grant them a role in a care area."""
    if role not in ROLES:
        _refuse(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if area not in care_areas():
        known = ", ".join(sorted(care_areas())) or "none configured"
        _refuse(f"unknown care area {area!r}; known: {known}")
    unit = unit_by_hsa_id(unit_hsa_id)
    if unit is None:
        _refuse(f"no unit with HSA-id {unit_hsa_id!r}; add the unit first (/units/new)")
    person = service.person_by_email(email)
    try:
        if person is None:
            person = service.create_person({"name": name, "email": email, "unit_id": unit.id})
            action = "created"
        else:
            service.update_person(person, {"name": name, "unit_id": unit.id, "active": True})
            action = "updated"
        service.grant_role(person, role, area, unit.id)
    except FieldError as error:
        _refuse(f"{error.field}: {error.message}")
    click.echo(f"{action} {person.email} ({person.name}) at {unit.hsa_id} {unit.short_name}; "
               f"role {role} in {area}")
