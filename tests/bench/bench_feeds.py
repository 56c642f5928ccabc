"""One year's calendar feeds of both care areas against bare icalendar serialising the same
events (issue #13; target: ratio <= 2). A throwaway SQLite file with the demo data (a year
of meetings planned ahead, with their MDT); each area's feed is rendered as its URL renders
it (mdk.feeds.service.area_feed: the meetings, their attendees, the VEVENTs, the VTIMEZONE),
and the baseline builds the same VEVENTs with icalendar from values already in memory and
serialises them. CPU time of this process, best of several rounds."""

from __future__ import annotations

import tempfile
import time

from icalendar import Calendar, Event, vCalAddress
from sqlalchemy import select

from mdk.audit.service import system_actor
from mdk.care_areas.service import care_areas
from mdk.demo.service import load_demo
from mdk.extensions import db
from mdk.feeds import service
from mdk.feeds.models import FeedToken
from mdk.invites.ical import wall_clock
from mdk.invites.service import meeting_attendees, meeting_event
from mdk.people.models import Person
from tests.bench import sqlite_bench_app

ROUNDS = 5


def _feeds(token: FeedToken) -> list[bytes]:
    return [service.area_feed(key, token).body for key in care_areas()]


def _events():
    """The CalendarEvents of both areas' feeds, built once, outside the measured part."""
    from mdk.db import utcnow
    from mdk.i18n import to_local

    today = to_local(utcnow()).date()
    first, last = service.window(today)
    result = []
    for key in care_areas():
        meetings = service._meetings(first, last, today, key)
        attendees = meeting_attendees(meetings)
        result.append([meeting_event(c, attendees[c.id]) for c in meetings])
    return result


def _bare(events_per_area, stamp) -> list[bytes]:
    """icalendar alone: one Calendar per area, one Event per meeting, the same properties."""
    out = []
    for events in events_per_area:
        calendar = Calendar()
        calendar.add("prodid", "-//bench//")
        calendar.add("version", "2.0")
        for item in events:
            event = Event()
            event.add("uid", item.uid)
            event.add("dtstamp", stamp)
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
            organizer = vCalAddress(f"mailto:{item.organizer_email}")
            organizer.params["CN"] = item.organizer_name
            event.add("organizer", organizer)
            for person in item.attendees:
                attendee = vCalAddress(f"mailto:{person.email}")
                attendee.params["CN"] = person.name
                attendee.params["ROLE"] = "CHAIR" if person.chair else "REQ-PARTICIPANT"
                attendee.params["PARTSTAT"] = person.partstat
                event.add("attendee", attendee)
            calendar.add_component(event)
        out.append(calendar.to_ical())
    return out


def _best(work) -> float:
    times = []
    for _ in range(ROUNDS):
        started = time.process_time()
        work()
        times.append(time.process_time() - started)
    return min(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = sqlite_bench_app(folder)
        with app.app_context():
            load_demo()
            db.session.commit()
            person = db.session.scalars(select(Person).order_by(Person.id)).first()
            service.regenerate_token(system_actor(), person)
            token = db.session.scalar(select(FeedToken))
            events = _events()
            stamp = token.created_at
            count = sum(len(area) for area in events)
            _feeds(token)  # warm caches (VTIMEZONE file, statement cache)
            db.session.expunge_all()
            feed_time = _best(lambda: (_feeds(token), db.session.expunge_all()))
            bare_time = _best(lambda: _bare(events, stamp))
        with app.app_context():
            db.engine.dispose()
    print(f"feeds: {count} meetings of both areas, feed {feed_time * 1000:.0f} ms, bare "
          f"icalendar {bare_time * 1000:.0f} ms, ratio {feed_time / bare_time:.2f} "
          f"(target <= 2)")
