"""`mdk invites show` and `mdk calendar export`: the calendar objects, for operators."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

invites_cli = AppGroup("invites", help="Calendar invites of meetings and case slots.")


@invites_cli.command("show")
@click.argument("meeting_id", type=click.IntRange(1, 2_147_483_647))
@click.option("--method", type=click.Choice(["request", "cancel"]), default=None,
              help="Default: cancel for a cancelled meeting, otherwise request.")
@click.option("--case", "case_number", metavar="CASE_NUMBER",
              help="The referring physician's slot invite of this case (e.g. AC-2026-0142).")
def show_command(meeting_id: int, method: str | None, case_number: str | None) -> None:
    """Print exactly the calendar object that would be mailed for a meeting (or a case's
    slot on it)."""
    from mdk.conferences.service import get_conference
    from mdk.invites import service
    from mdk.invites.sending import slot_plan

    conference = get_conference(meeting_id)
    if conference is None:
        raise click.ClickException(f"no meeting with the id {meeting_id}")
    try:
        if case_number is None:
            calendar = service.meeting_invite(conference, method)
        else:
            case = service.case_by_number(case_number)
            if case is None:
                raise click.ClickException(f"no case with the number {case_number!r}")
            if case.care_area != conference.care_area:
                raise service.InviteError(
                    f"the case {case.number} is not of this meeting's care area")
            starts_at, ends_at, sequence = slot_plan(
                case, conference, (method or service.REQUEST).upper()
                if not conference.is_cancelled else service.CANCEL)
            calendar = service.slot_invite(case, conference, method, starts_at=starts_at,
                                           ends_at=ends_at, sequence=sequence)
    except service.InviteError as exc:
        raise click.ClickException(str(exc)) from exc
    _write(calendar)


def _write(calendar: bytes) -> None:
    click.echo(calendar, nl=False)  # bytes as they are: CRLF line ends, UTF-8


@click.command("export")
@click.option("--area", "area_key", required=True, help="The care area's key, e.g. analcancer.")
@click.option("--from", "first", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="First day (YYYY-MM-DD, Europe/Stockholm).")
@click.option("--to", "last", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="Last day, included.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file instead of standard output.")
def export_command(area_key: str, first, last, output: str | None) -> None:
    """Write the area's meetings in the range as one VCALENDAR (cancelled ones as
    STATUS:CANCELLED)."""
    from mdk.care_areas.service import CareAreaNotFound
    from mdk.invites.service import export_calendar

    first_day: date = first.date()
    last_day: date = last.date()
    if last_day < first_day:
        raise click.BadParameter("must not be before --from", param_hint="--to")
    try:
        calendar = export_calendar(area_key, first_day, last_day)
    except CareAreaNotFound as exc:
        raise click.BadParameter(f"no care area {area_key!r}", param_hint="--area") from exc
    if output is None:
        _write(calendar)
        return
    with open(output, "wb") as fh:
        fh.write(calendar)
    click.echo(f"wrote {calendar.count(b'BEGIN:VEVENT')} meeting(s) to {output}", err=True)
