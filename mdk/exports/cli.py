"""`mdk exports register|research`: the exports from the command line, made as a person with
the grant for them (the same rules, record and audit as the pages), written to a file."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask.cli import AppGroup
from werkzeug.exceptions import HTTPException

from mdk.access.policy import principal_for
from mdk.audit.service import actor_for
from mdk.exports import service
from mdk.people.service import person_by_email
from mdk.validation import FieldError, every_error

exports_cli = AppGroup("exports", help="Export an area's discussed cases (register, research).")


def _refuse(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    raise click.exceptions.Exit(2)


def _period_options(command):
    for option in reversed((
            click.option("--as", "email", required=True,
                         help="E-mail of the person making the export (their grants apply)."),
            click.option("--area", required=True, help="Care-area key, e.g. analcancer."),
            click.option("--from", "period_from", required=True,
                         help="First meeting day, YYYY-MM-DD."),
            click.option("--to", "period_to", required=True,
                         help="Last meeting day (included), YYYY-MM-DD."),
            click.option("--purpose", required=True, help="Why the data leaves the service."),
            click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
                         help="The CSV file to write (patient data: never to the terminal)."))):
        command = option(command)
    return command


def _open_private(out: Path) -> int:
    """The output file, opened before the export is made (a path that cannot be written
    makes no export record) and readable by its owner only: it holds patient data."""
    try:
        fd = os.open(out, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    except OSError as error:
        _refuse(f"cannot write {out}: {error.strerror}")
    os.fchmod(fd, 0o600)  # an existing file keeps its mode through os.open
    return fd


def _make(kind: str, email: str, out: Path, data: dict) -> None:
    person = person_by_email(email)
    if person is None or not person.active:
        _refuse(f"no active person with the e-mail {email!r}")
    make = service.make_register_export if kind == service.REGISTER \
        else service.make_research_extract
    fd = _open_private(out)
    try:
        made = make(actor_for(person), principal_for(person), data)
    except (FieldError, HTTPException) as error:
        os.close(fd)
        out.unlink(missing_ok=True)  # no export: no file
        if isinstance(error, FieldError):
            _refuse("; ".join(f"{one.field}: {one.message}" for one in every_error(error)))
        _refuse(f"{email} may not make this export in {data['care_area']!r}")
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(made.csv)
    click.echo(f"export {made.export.id}: {made.export.row_count} rows written to {out}")


@exports_cli.command("register")
@_period_options
def register(email, area, period_from, period_to, purpose, out) -> None:
    """The identified export for the quality register (the area's registrars)."""
    _make(service.REGISTER, email, out, {"care_area": area, "period_from": period_from,
                                         "period_to": period_to, "purpose": purpose})


@exports_cli.command("research")
@_period_options
@click.option("--study", required=True, help="The study's name.")
@click.option("--ethics-reference", required=True,
              help="Etikprövningsmyndigheten's Dnr, YYYY-NNNNN-NN.")
def research(email, area, period_from, period_to, purpose, out, study,
             ethics_reference) -> None:
    """The pseudonymised research extract (the area's coordinators and registrars)."""
    _make(service.RESEARCH, email, out, {
        "care_area": area, "period_from": period_from, "period_to": period_to,
        "purpose": purpose, "study_name": study, "ethics_reference": ethics_reference})
