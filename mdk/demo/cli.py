"""`mdk demo load`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Demo data (fictitious people and units).")


@demo_cli.command("load")
def load_command() -> None:
    """Load the demo data; running it again changes nothing."""
    from mdk.demo.service import load_demo

    for line in load_demo():
        click.echo(line)
