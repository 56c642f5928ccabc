"""The iCalendar objects of the service, as pure functions of plain values (no database).

One VEVENT per meeting or case slot, never an RRULE series: a moved or cancelled meeting then
never touches the others. Times go out as local wall-clock time with TZID=Europe/Stockholm
and the VTIMEZONE of europe_stockholm.ics beside this file (one yearly RRULE for STANDARD and
one for DAYLIGHT, which Outlook honours), spliced in where icalendar would generate its own
(lists of RDATEs). icalendar writes properties in a fixed order and parameters sorted, so
the same values give the same bytes (the golden files in tests/invites/golden rely on it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress

ZONE_NAME = "Europe/Stockholm"
ZONE = ZoneInfo(ZONE_NAME)
PRODID = "-//Nationell MDK-samordning//nMDK//SV"
VTIMEZONE_FILE = Path(__file__).with_name("europe_stockholm.ics")
METHODS = ("REQUEST", "CANCEL")
PARTSTATS = ("NEEDS-ACTION", "ACCEPTED", "TENTATIVE", "DECLINED", "DELEGATED")


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str
    chair: bool = False
    partstat: str = "NEEDS-ACTION"


@dataclass(frozen=True)
class CalendarEvent:
    """Everything one VEVENT says; `starts_at` and `ends_at` are aware instants (UTC)."""

    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str
    organizer_email: str
    organizer_name: str
    attendees: tuple[Attendee, ...] = ()
    location: str | None = None
    url: str | None = None
    cancelled: bool = False


@cache
def vtimezone() -> bytes:
    """The golden VTIMEZONE block, with the CRLF line ends iCalendar requires."""
    text = VTIMEZONE_FILE.read_text(encoding="utf-8")
    return "".join(line + "\r\n" for line in text.splitlines()).encode("utf-8")


def wall_clock(moment: datetime) -> datetime:
    """Local time for TZID=Europe/Stockholm, or UTC for the one local hour that occurs twice
    (the second 02:00-03:00 of the last Sunday of October): RFC 5545 reads an ambiguous local
    time as the first occurrence, which would put such a meeting an hour early."""
    local = moment.astimezone(ZONE)
    return moment.astimezone(UTC) if local.fold else local


def _address(email: str) -> vCalAddress:
    return vCalAddress(f"mailto:{email}")


def _event(item: CalendarEvent, dtstamp: datetime) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", dtstamp)
    event.add("sequence", item.sequence)
    event.add("dtstart", wall_clock(item.starts_at))
    event.add("dtend", wall_clock(item.ends_at))
    event.add("summary", item.summary)
    event.add("description", item.description)
    if item.location:
        event.add("location", item.location)
    if item.url:
        event.add("url", item.url)
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    organizer = _address(item.organizer_email)
    organizer.params["CN"] = item.organizer_name
    event.add("organizer", organizer)
    for person in item.attendees:
        attendee = _address(person.email)
        attendee.params["CN"] = person.name
        attendee.params["CUTYPE"] = "INDIVIDUAL"
        attendee.params["ROLE"] = "CHAIR" if person.chair else "REQ-PARTICIPANT"
        attendee.params["PARTSTAT"] = person.partstat
        attendee.params["RSVP"] = "TRUE"
        event.add("attendee", attendee)
    return event


def build_calendar(items: Sequence[CalendarEvent], dtstamp: datetime, method: str | None = None,
                   extra: Sequence[tuple[str, str]] = ()) -> bytes:
    """One VCALENDAR of the given events; `method` REQUEST or CANCEL for iTIP (an invite or
    its cancellation), None for a calendar to import or subscribe to. `extra` are further
    calendar properties in order (e.g. a feed's NAME and REFRESH-INTERVAL)."""
    if method is not None and method not in METHODS:
        raise ValueError(f"unknown iTIP method {method!r}")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method is not None:
        calendar.add("method", method)
    for name, value in extra:
        calendar.add(name, value)
    for item in items:
        calendar.add_component(_event(item, dtstamp))
    return with_vtimezone(calendar.to_ical())


def with_vtimezone(serialised: bytes) -> bytes:
    """Our VTIMEZONE before the first component (RFC 5545 lets it stand anywhere in the
    calendar; clients that resolve TZID while reading want it first)."""
    marker = b"BEGIN:VEVENT\r\n"
    at = serialised.find(marker)
    if at < 0:
        at = serialised.rindex(b"END:VCALENDAR\r\n")
    return serialised[:at] + vtimezone() + serialised[at:]


def without_method(serialised: bytes) -> bytes:
    """The calendar as a CalDAV server stores it: a calendar object resource has no METHOD."""
    return b"".join(line for line in serialised.splitlines(keepends=True)
                    if not line.startswith(b"METHOD:"))
