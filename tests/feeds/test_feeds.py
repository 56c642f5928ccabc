"""Calendar feeds: who sees which meetings and slots, the token's life, 304 answers, what
peers read in a feed, and that neither the token nor patient data leaks. On saved rows,
fetched over HTTP without a login (as a calendar client does)."""

from __future__ import annotations

import dataclasses
import logging
import re
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import recurring_ical_events
import vobject
from ical.calendar_stream import IcsCalendarStream
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler

from mdk.agenda.service import agenda_of
from mdk.audit.models import AuditEvent
from mdk.audit.service import system_actor
from mdk.conferences.models import Conference
from mdk.db import utcnow
from mdk.extensions import db
from mdk.feeds import service
from mdk.invites.service import meeting_uid, slot_uid
from mdk.people import service as people
from tests.cases.factories import NUMBERS, accept, make_world, refer
from tests.invites.helpers import saved_nhv_units
from tests.support import log_in
from tests.units.factories import make_person


@pytest.fixture()
def world(app_ctx):
    return make_world()


def _token(person) -> str:
    return service.regenerate_token(system_actor(), person)


def _get(app, path: str, **headers):
    return app.test_client().get(path, headers=headers)


def _events(data: bytes) -> list:
    return icalendar.Calendar.from_ical(data).walk("VEVENT")


def _uids(data: bytes) -> set[str]:
    return {str(event["UID"]) for event in _events(data)}


def _member(world, index: int = 0, name: str = "Olle Onkolog"):
    return make_person(world.nhv[index], name=name, competences=["oncologist"])


def _meeting(host, starts_at: datetime, area: str = "analcancer", series: str = "national",
             status: str = "planned") -> Conference:
    conference = Conference(care_area=area, series_key=series, planned_day=starts_at.date(),
                            starts_at=starts_at, ends_at=starts_at + timedelta(minutes=90),
                            host_unit_id=host.id, capacity=9, status=status)
    db.session.add(conference)
    db.session.commit()
    return conference


def test_a_members_feed_lists_exactly_the_meetings_they_are_invited_to(app, world):
    member = _member(world)
    away = _member(world, 1, "Berit Borta")
    people.add_absence(away, world.later_conference.day, world.later_conference.day, "Semester")
    crs_units = saved_nhv_units("crs_hipec")
    crs = _meeting(crs_units[0], utcnow().replace(microsecond=0) + timedelta(days=9),
                   area="crs_hipec", series="ks")
    db.session.commit()
    answer = _get(app, f"/calendar/{_token(member)}.ics")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert _uids(answer.data) == {meeting_uid(world.conference),
                                  meeting_uid(world.later_conference)}
    assert meeting_uid(crs) not in _uids(answer.data)
    assert _uids(_get(app, f"/calendar/{_token(away)}.ics").data) == {
        meeting_uid(world.conference)}


def test_a_referrers_feed_lists_their_slots_at_the_agendas_times(app, world):
    referrer = world.people["referrer"]
    mine = [accept(world, refer(world, number_index=i)) for i in (0, 1)]
    accept(world, refer(world, "other_referrer", number_index=2))
    answer = _get(app, f"/calendar/{_token(referrer)}.ics")
    events = {str(event["UID"]): event for event in _events(answer.data)}
    assert set(events) == {slot_uid(case, world.conference) for case in mine}
    slots = {slot.case.id: slot for slot in
             agenda_of(system_actor(), world.conference).slots}
    for case in mine:
        event = events[slot_uid(case, world.conference)]
        assert event["DTSTART"].dt.astimezone(UTC) == slots[case.id].starts_at
        assert event["DTEND"].dt.astimezone(UTC) == slots[case.id].ends_at
        assert str(event["SUMMARY"]) == f"nMDK analcancer – ärende {case.number}"


def test_a_coordinator_subscribes_to_their_areas_feed_only(app, world):
    coordinator = world.people["coordinator"]
    cancelled = _meeting(world.nhv[2], utcnow().replace(microsecond=0) - timedelta(days=3),
                         status="cancelled")
    secret = _token(coordinator)
    answer = _get(app, f"/calendar/{secret}/analcancer.ics")
    assert answer.status_code == 200
    events = {str(event["UID"]): str(event["STATUS"]) for event in _events(answer.data)}
    assert events == {meeting_uid(world.conference): "CONFIRMED",
                      meeting_uid(world.later_conference): "CONFIRMED",
                      meeting_uid(cancelled): "CANCELLED"}
    assert _get(app, f"/calendar/{secret}/crs_hipec.ics").status_code == 404
    assert _get(app, f"/calendar/{secret}/nowhere.ics").status_code == 404
    member_secret = _token(_member(world))
    assert _get(app, f"/calendar/{member_secret}/analcancer.ics").status_code == 404


def test_a_cancelled_meeting_leaves_the_feed_30_days_after_its_day(app, world):
    now = utcnow().replace(microsecond=0)
    recent = _meeting(world.nhv[0], now - timedelta(days=29), status="cancelled")
    old = _meeting(world.nhv[0], now - timedelta(days=32), status="cancelled")
    held = _meeting(world.nhv[0], now - timedelta(days=40))
    uids = _uids(_get(app, f"/calendar/{_token(world.people['coordinator'])}/analcancer.ics")
                 .data)
    assert meeting_uid(recent) in uids and meeting_uid(held) in uids
    assert meeting_uid(old) not in uids


def test_making_a_new_url_on_the_page_ends_the_old_one_and_is_audited(app, world):
    member = _member(world)
    old = _token(member)
    browser = app.test_client()
    log_in(browser, member)
    page = browser.get("/me/calendar-feed")
    assert page.status_code == 200 and old not in page.get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))[1]
    answer = browser.post("/me/calendar-feed", data={"csrf_token": csrf})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200
    new = text.split("/calendar/", 1)[1].split(".ics", 1)[0]
    assert len(new) >= 43 and new != old  # 256 bits, URL-safe
    assert _get(app, f"/calendar/{old}.ics").status_code == 404
    assert _get(app, f"/calendar/{new}.ics").status_code == 200
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "feed_token.regenerate")).all()
    assert len(events) == 2
    assert all(new not in str(vars(event)) and old not in str(vars(event)) for event in events)


def test_unknown_tokens_and_those_of_inactive_people_get_404(app, world):
    member = _member(world)
    secret = _token(member)
    assert _get(app, "/calendar/" + "A" * 43 + ".ics").status_code == 404
    assert _get(app, "/calendar/x.ics").status_code == 404
    assert _get(app, f"/calendar/{secret[:-1]}.ics").status_code == 404
    people.update_person(member, {"active": False})
    assert _get(app, f"/calendar/{secret}.ics").status_code == 404


def test_feeds_turned_off_answer_404_and_the_page_says_so(app, world, monkeypatch):
    member = _member(world)
    secret = _token(member)
    coordinator_secret = _token(world.people["coordinator"])
    browser = app.test_client()
    log_in(browser, member)
    monkeypatch.setitem(app.config, "MDK",
                        dataclasses.replace(app.config["MDK"], feeds_enabled=False))
    page = browser.get("/me/calendar-feed").get_data(as_text=True)
    assert _get(app, f"/calendar/{secret}.ics").status_code == 404
    assert _get(app, f"/calendar/{coordinator_secret}/analcancer.ics").status_code == 404
    assert "Kalenderflöden är avstängda" in page or "Calendar feeds are turned off" in page
    assert "<form method=\"post\"" not in page


def test_an_unchanged_feed_answers_304_by_etag_and_by_date(app, world):
    member = _member(world)
    path = f"/calendar/{_token(member)}.ics"
    first = _get(app, path)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert _get(app, path).data == first.data  # the same plan gives the same bytes
    assert _get(app, path, **{"If-None-Match": etag}).status_code == 304
    assert _get(app, path, **{"If-Modified-Since": modified}).status_code == 304
    world.conference.video_link = "https://video.example.se/ny"
    db.session.commit()
    changed = _get(app, path, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert b"video.example.se/ny" in changed.data


def test_every_parser_reads_the_feed_and_recurring_events_finds_the_planned_meetings(app,
                                                                                    world):
    coordinator = world.people["coordinator"]
    now = utcnow().replace(microsecond=0)
    more = [_meeting(world.nhv[1], now + timedelta(days=days)) for days in (21, 28, 180)]
    _meeting(world.nhv[1], now + timedelta(days=35), status="cancelled")
    data = _get(app, f"/calendar/{_token(coordinator)}/analcancer.ics").data
    text = data.decode("utf-8")
    assert text.count("\r\nNAME:") == 1 and text.count("\r\nX-WR-CALNAME:") == 1
    assert "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in text
    assert "\r\nX-PUBLISHED-TTL:PT1H\r\n" in text and "METHOD:" not in text
    planned = sorted([world.conference, world.later_conference, *more],
                     key=lambda c: c.starts_at)
    expected = [(meeting_uid(c), c.starts_at) for c in planned]

    calendar = icalendar.Calendar.from_ical(data)
    found = recurring_ical_events.of(calendar).between(now - timedelta(days=1),
                                                       now + timedelta(days=200))
    assert sorted((str(e["UID"]), e["DTSTART"].dt.astimezone(UTC)) for e in found
                  if str(e["STATUS"]) == "CONFIRMED") == sorted(expected)
    assert str(calendar["NAME"]) == "nMDK analcancer"
    ical_events = IcsCalendarStream.calendar_from_ics(text).events
    assert sorted((e.uid, e.dtstart.astimezone(UTC)) for e in ical_events
                  if str(e.status).endswith("CONFIRMED")) == sorted(expected)
    parsed = vobject.readOne(text)
    assert sorted((e.uid.value, e.dtstart.value.astimezone(UTC)) for e in parsed.vevent_list
                  if e.status.value == "CONFIRMED") == sorted(expected)


def test_no_patient_identity_in_a_feed(app, world):
    case = accept(world, refer(world, given_name="Testpatient", family_name="Hemligsson"))
    member = _member(world)
    number = NUMBERS[0]
    forbidden = [number, number[2:], f"{number[:8]}-{number[8:]}", f"{number[2:8]}-{number[8:]}",
                 "Hemligsson", "Testpatient"]
    feeds = [_get(app, f"/calendar/{_token(world.people['referrer'])}.ics").data,
             _get(app, f"/calendar/{_token(member)}.ics").data,
             _get(app, f"/calendar/{_token(world.people['coordinator'])}/analcancer.ics").data]
    assert case.number.encode() in feeds[0]
    for data in feeds:
        unfolded = data.decode("utf-8").replace("\r\n ", "")
        for word in forbidden:
            assert word not in unfolded


def test_no_token_reaches_a_log_line(app, world, caplog):
    member = _member(world)
    secret = _token(member)
    caplog.set_level(logging.DEBUG)
    _get(app, f"/calendar/{secret}.ics")
    _get(app, f"/calendar/{secret}/analcancer.ics")
    # werkzeug's own request line, as `mdk run` writes it
    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)
    handler.requestline = f"GET /calendar/{secret}.ics HTTP/1.1"
    handler.client_address = ("127.0.0.1", 50000)
    handler.log_request(200, 1234)
    # gunicorn's access line and the app's error line carry the path too
    logging.getLogger("gunicorn.access").info('%(h)s "%(r)s" %(s)s',
                                              {"h": "127.0.0.1", "s": "200",
                                               "r": f"GET /calendar/{secret}.ics HTTP/1.1"})
    app.logger.error("unhandled error on GET /calendar/%s/analcancer.ics", secret)
    lines = [record.getMessage() for record in caplog.records]
    assert any("/calendar/***.ics" in line for line in lines)
    assert any("/calendar/***/analcancer.ics" in line for line in lines)
    assert len([line for line in lines if "/calendar/***" in line]) >= 3
    assert all(secret not in line for line in lines)
    assert secret not in caplog.text


def test_a_feed_takes_as_many_statements_for_20_meetings_as_for_2(app, world,
                                                                   statement_counter):
    member = _member(world)
    coordinator = world.people["coordinator"]
    referrer = world.people["referrer"]
    accept(world, refer(world))
    secrets = {"personal": _token(member), "referrer": _token(referrer),
               "area": _token(coordinator)}
    paths = {"personal": f"/calendar/{secrets['personal']}.ics",
             "referrer": f"/calendar/{secrets['referrer']}.ics",
             "area": f"/calendar/{secrets['area']}/analcancer.ics"}
    first = utcnow().replace(microsecond=0) + timedelta(days=30)
    counts = {name: [] for name in paths}
    for many in (2, 20):
        for week in range(many):
            _meeting(world.nhv[week % 4], first + timedelta(weeks=week, hours=many),
                     series=f"bulk{many}")
        for name, path in paths.items():
            with statement_counter() as counted:
                answer = _get(app, path)
            assert answer.status_code == 200
            counts[name].append(len(counted.statements))
    for name, (few, lots) in counts.items():
        assert few == lots, name


def test_gunicorns_access_log_file_gets_the_path_masked(app, tmp_path):
    """gunicorn's own Logger writing its access log file, as `--access-logfile` makes it."""
    from types import SimpleNamespace

    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    secret = "Q" * 43
    log_file = tmp_path / "access.log"
    config = Config()
    config.set("accesslog", str(log_file))
    logger = Logger(config)
    path = f"/calendar/{secret}/analcancer.ics"
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": path, "PATH_INFO": path,
               "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.7"}
    response = SimpleNamespace(status="200 OK", status_code=200, response_length=512,
                               sent=512, headers=[("Content-Type", "text/calendar")])
    request = SimpleNamespace(headers=[("USER-AGENT", "Outlook")])
    try:
        logger.access(response, request, environ, timedelta(milliseconds=12))
        for handler in logger.access_log.handlers:
            handler.flush()
        line = log_file.read_text(encoding="utf-8")
    finally:
        for log in (logger.access_log, logger.error_log):
            for handler in list(log.handlers):
                handler.close()
                log.removeHandler(handler)
    assert '"GET /calendar/***/analcancer.ics HTTP/1.1" 200' in line
    assert secret not in line


def test_a_slot_past_the_meetings_end_is_its_last_slot_on_the_agenda_in_the_feed_and_invite(
        app, world):
    """One rule for slot times (mdk.agenda.service.slot_schedule): a case that would end
    after the meeting shares its last slot, flagged over capacity on the agenda, and the
    referrer's feed and invite show that same time."""
    from mdk.invites import sending

    referrer = world.people["referrer"]
    cases = [accept(world, refer(world, number_index=i)) for i in range(3)]
    conference = world.conference
    conference.ends_at = conference.starts_at + timedelta(minutes=20)  # two 10-minute slots
    db.session.commit()

    agenda = {slot.case.id: slot for slot in agenda_of(system_actor(), conference).slots}
    last = max(agenda.values(), key=lambda slot: slot.position)
    assert last.over_capacity
    assert (last.starts_at, last.ends_at) == (conference.starts_at + timedelta(minutes=10),
                                             conference.ends_at)
    feed = {str(event["UID"]): event for event in
            _events(_get(app, f"/calendar/{_token(referrer)}.ics").data)}
    for case in cases:
        event = feed[slot_uid(case, conference)]
        slot = agenda[case.id]
        assert (event["DTSTART"].dt.astimezone(UTC), event["DTEND"].dt.astimezone(UTC)) == (
            slot.starts_at, slot.ends_at)
        assert sending.slot_plan(case, conference)[:2] == (slot.starts_at, slot.ends_at)
