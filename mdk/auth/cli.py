"""`mdk users set-password EMAIL`: give a person a password (asked twice, never echoed)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from mdk.auth.service import PasswordPolicyError, set_password
from mdk.extensions import db
from mdk.people.service import person_by_email


@click.command("set-password")
@with_appcontext
@click.argument("email")
@click.password_option(help="The new password (asked for when not given).")
def set_password_command(email: str, password: str) -> None:
    """Set the password a person logs in with."""
    person = person_by_email(email)
    if person is None:
        click.echo(f"Error: no person with e-mail {email!r}", err=True)
        raise click.exceptions.Exit(2)
    try:
        set_password(person, password)
    except PasswordPolicyError as error:
        click.echo(f"Error: password: {error}", err=True)
        raise click.exceptions.Exit(2) from error
    db.session.commit()
    click.echo(f"password set for {person.email}")


def register_cli(app: Flask) -> None:
    from mdk.people.cli import users_cli

    users_cli.add_command(set_password_command)
