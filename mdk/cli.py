"""The `mdk` command: the Flask CLI bound to create_app, plus `mdk run`."""

from __future__ import annotations

import subprocess
import sys

import click
from flask.cli import FlaskGroup, routes_command, shell_command, with_appcontext

from mdk import create_app
from mdk.care_areas.cli import care_areas_cli


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--no-scheduler", is_flag=True, help="Start only the web server.")
@with_appcontext
def run_command(host: str, port: int, no_scheduler: bool) -> None:
    """Run the web app and the scheduler together, for trying the service out.

    Production runs gunicorn and `python -m scheduler` as separate processes instead.
    """
    from flask import current_app

    scheduler = None
    if not no_scheduler:
        scheduler = subprocess.Popen([sys.executable, "-m", "scheduler"])
        click.echo(f"scheduler started (pid {scheduler.pid})")
    click.echo(f"web: http://{host}:{port}/")
    try:
        current_app.run(host=host, port=port, debug=False, use_reloader=False)
    finally:
        if scheduler is not None:
            scheduler.terminate()
            scheduler.wait(timeout=10)


def main() -> None:
    cli = FlaskGroup(create_app=create_app, add_default_commands=False,
                     help="National MDK coordination service.")
    cli.add_command(run_command)
    # Also on the group itself, so `mdk care-areas check` runs when a broken file stops the app.
    cli.add_command(care_areas_cli)
    cli.add_command(shell_command)
    cli.add_command(routes_command)
    cli.main(prog_name="mdk")


if __name__ == "__main__":  # pragma: no cover
    main()
