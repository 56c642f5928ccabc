"""The `mdk` command: the Flask CLI bound to create_app, plus `mdk run`."""

from __future__ import annotations

import signal
import subprocess
import sys

import click
from flask.cli import FlaskGroup, routes_command, shell_command, with_appcontext
from werkzeug.serving import run_simple

from mdk import create_app
from mdk.care_areas.cli import care_areas_cli


@click.command("run")
# The address can also come from the environment (`PORT=5001 make run` passes it on).
@click.option("--host", default="127.0.0.1", show_default=True, envvar="MDK_HOST",
              show_envvar=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535),
              envvar=["MDK_PORT", "PORT"], show_envvar=True, help="Port to listen on.")
@click.option("--no-scheduler", is_flag=True, help="Start only the web server.")
@with_appcontext
def run_command(host: str, port: int, no_scheduler: bool) -> None:
    """Run the web app and the scheduler together, for trying the service out.

    Production runs gunicorn and `python -m scheduler` as separate processes instead.
    """
    from flask import current_app

    # `kill` (SIGTERM) stops the command like Ctrl-C does, so the scheduler is stopped too.
    signal.signal(signal.SIGTERM, _interrupt)
    scheduler = None
    if not no_scheduler:
        scheduler = subprocess.Popen([sys.executable, "-m", "scheduler"])
        click.echo(f"scheduler started (pid {scheduler.pid})")
    click.echo(f"web: http://{host}:{port}/")
    try:
        # Not app.run(): Flask ignores that inside a CLI command. run_simple returns on Ctrl-C.
        run_simple(host, port, current_app._get_current_object(), threaded=True,
                   use_reloader=False, use_debugger=False)
    finally:
        if scheduler is not None:
            _stop(scheduler)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    click.echo("scheduler stopped")


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
