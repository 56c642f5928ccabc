"""`mdk api-tokens create | revoke | list`: tokens for a referring unit's own systems."""

from __future__ import annotations

import getpass

import click
from flask.cli import AppGroup

from mdk.api_tokens import service
from mdk.audit.service import system_actor

api_tokens_cli = AppGroup("api-tokens", help="API tokens of referring units (Bearer).")


def _fail(error: Exception) -> None:
    click.echo(f"Error: {error}", err=True)
    raise click.exceptions.Exit(2) from error


@api_tokens_cli.command("create")
@click.option("--unit", "unit_hsa_id", required=True, help="The referring unit's HSA-id.")
@click.option("--area", "areas", multiple=True,
              help="A care area the token acts in (repeat for more). Default: every area "
                   "where the unit has a referrer.")
@click.option("--name", default=None, help="What the token is for (default: the unit's "
                                           "short name); shown in lists and the audit log.")
@click.option("--expires", "days", type=click.IntRange(1, service.MAX_DAYS),
              default=service.DEFAULT_DAYS, show_default=True,
              help="Days until the token expires.")
def create_command(unit_hsa_id: str, areas: tuple[str, ...], name: str | None,
                   days: int) -> None:
    """Make a token and print it once: only its hash is kept."""
    try:
        made = service.create_token(system_actor(), unit_hsa_id=unit_hsa_id, areas=areas,
                                    name=name, days=days, created_by=f"CLI ({_os_user()})")
    except service.TokenError as error:
        _fail(error)
    token = made.token
    click.echo(f"API token {token.id} ({token.prefix}) for {token.unit.hsa_id} in "
               f"{', '.join(token.care_areas)}, expires {token.expires_at:%Y-%m-%d}.", err=True)
    click.echo("Store it now: it is not shown again.", err=True)
    click.echo(made.secret)


@api_tokens_cli.command("revoke")
@click.argument("token")
def revoke_command(token: str) -> None:
    """Revoke a token by its id or prefix (audited)."""
    try:
        revoked = service.revoke_token(system_actor(), token)
    except service.TokenError as error:
        _fail(error)
    click.echo(f"API token {revoked.id} ({revoked.prefix}) revoked")


@api_tokens_cli.command("list")
def list_command() -> None:
    """Every token with its unit, areas, expiry, revocation and last use (no secrets)."""
    for token in service.list_tokens():
        state = "revoked" if token.revoked_at else f"expires {token.expires_at:%Y-%m-%d}"
        used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
        click.echo(f"{token.id} {token.prefix} {token.unit.hsa_id} "
                   f"{','.join(token.care_areas)} {token.name!r} {state}, last used {used}")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
