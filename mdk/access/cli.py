"""`mdk access matrix`: print the access matrix (docs/access-matrix.md) from the policy."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from mdk.access.matrix import matrix_markdown, missing_routes

access_cli = AppGroup("access", help="The access policy and its matrix.")


@access_cli.command("matrix")
def print_matrix() -> None:
    """Print the access matrix as markdown (redirect it to docs/access-matrix.md)."""
    click.echo(matrix_markdown(current_app), nl=False)
    missing = missing_routes(current_app)
    if missing:
        for endpoint, method, path in missing:
            click.echo(f"no matrix row: {method} {path} ({endpoint})", err=True)
        raise SystemExit(1)
