"""`mdk demo load`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Demo data (fictitious people and units).")


@demo_cli.command("load")
@click.option("--year", is_flag=True,
              help="A whole past year of both areas as well (meetings held, reports, "
                   "treatment starts, follow-up), so the statistics have content.")
def load_command(year: bool) -> None:
    """Load the demo data; running it again changes nothing."""
    from mdk.demo.service import load_demo

    for line in load_demo(year=year):
        click.echo(line)


@demo_cli.command("scale")
@click.option("--cases", default=10000, show_default=True, type=click.IntRange(1, 200000),
              help="Generated cases, one new fictitious patient each.")
@click.option("--events-per-case", default=20, show_default=True, type=click.IntRange(5, 200),
              help="Audit events per generated case (10,000 cases: 200,000 events).")
def scale_command(cases: int, events_per_case: int) -> None:
    """The demo plus many generated cases on fictitious patients, with their transitions and
    audit events, in bulk: for measuring the lists (make bench). Running it again adds none."""
    import time

    from mdk.demo.scale import build_scale

    started = time.perf_counter()
    result = build_scale(cases, events_per_case)
    click.echo(f"added {result.patients} fictitious patients, {result.cases} cases, "
               f"{result.transitions} transitions, {result.events} audit events "
               f"in {time.perf_counter() - started:.0f} s")
