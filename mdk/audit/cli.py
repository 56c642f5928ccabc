"""`mdk audit purge` and `mdk db roles`."""

from __future__ import annotations

from datetime import date, datetime

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import text

from mdk.audit.retention import RetentionError, purge_before
from mdk.audit.roles import RoleNameError, role_grants_sql
from mdk.audit.service import system_actor
from mdk.extensions import db

audit_cli = AppGroup("audit", help="The audit log: retention.")


def _refuse(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    raise click.exceptions.Exit(2)


@audit_cli.command("purge")
@click.option("--before", "before_text", required=True, metavar="YYYY-MM-DD",
              help="Delete events from before this day (Europe/Stockholm).")
@click.option("--yes", is_flag=True, help="Really delete (there is no undo).")
def purge_command(before_text: str, yes: bool) -> None:
    """Delete audit events older than a day past the retention floor.

    Run it with the owner role's database URL: the application role cannot delete events.
    """
    try:
        before = date.fromisoformat(before_text)
    except ValueError:
        _refuse(f"--before {before_text!r} is not a date as YYYY-MM-DD")
    if not yes:
        _refuse("purging deletes audit events for good; add --yes to go ahead")
    settings = current_app.config["MDK"]
    try:
        deleted = purge_before(system_actor(), before, today=datetime.now(settings.tz).date(),
                               years=settings.audit_retention_years, zone=settings.tz)
    except RetentionError as error:
        _refuse(str(error))
    click.echo(f"deleted {deleted} audit events from before {before.isoformat()}")


def _current_schema() -> str:
    with db.engine.connect() as connection:
        return connection.scalar(text("SELECT current_schema()"))


@click.command("roles")
@click.option("--owner", required=True, help="Role that owns the schema and runs migrations.")
@click.option("--app", "app_role", required=True,
              help="Role the service connects as: no ownership, audit log append-only.")
@click.option("--schema", default=None, help="Schema (default: the connection's, or public).")
@click.option("--print", "print_only", is_flag=True, help="Print the SQL instead of running it.")
@with_appcontext
def roles_command(owner: str, app_role: str, schema: str | None, print_only: bool) -> None:
    """Grant PostgreSQL privileges: OWNER owns the tables, APP may not change the audit log.

    Both roles must exist. Run it as a superuser (or the schema's owner) after every
    `mdk db upgrade`; running it again is harmless.
    """
    if not print_only and db.engine.dialect.name != "postgresql":
        _refuse("database roles need PostgreSQL; use --print to see the SQL")
    if schema is None:
        schema = "public" if print_only else _current_schema()
    try:
        statements = role_grants_sql(owner, app_role, schema)
    except RoleNameError as error:
        _refuse(str(error))
    if print_only:
        for statement in statements:
            click.echo(f"{statement};")
        return
    with db.engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
    click.echo(f"granted: {owner} owns schema {schema}; {app_role} may read and append the "
               "audit log, not change it")
