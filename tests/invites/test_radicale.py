"""A real CalDAV server (Radicale, started here on a free localhost port with its own
configuration and storage) stores each invite's event (METHOD removed, PUT as <uid>.ics into
a calendar made with MKCALENDAR), returns it, and finds it with a time-range REPORT at the
right UTC instants on both 2026 change days. Radicale reads the times through vobject, so
through our VTIMEZONE."""

from __future__ import annotations

import base64
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import icalendar
import pytest

from mdk.invites import service
from mdk.invites.ical import without_method
from tests.invites.helpers import ATTENDEES, DST_STARTS, case, meeting
from tests.support import free_port

USER, PASSWORD = "mdk", "radicale-test"
COLLECTION = f"/{USER}/meetings/"
REPORT = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/></D:prop>
  <C:filter>
    <C:comp-filter name="VCALENDAR">
      <C:comp-filter name="VEVENT">
        <C:time-range start="{start:%Y%m%dT%H%M%SZ}" end="{end:%Y%m%dT%H%M%SZ}"/>
      </C:comp-filter>
    </C:comp-filter>
  </C:filter>
</C:calendar-query>"""


class Radicale:
    def __init__(self, folder) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        (folder / "users").write_text(f"{USER}:{PASSWORD}\n")
        config = folder / "config"
        config.write_text(f"""
[server]
hosts = 127.0.0.1:{self.port}
[auth]
type = htpasswd
htpasswd_filename = {folder / 'users'}
htpasswd_encryption = plain
[rights]
type = owner_only
[storage]
filesystem_folder = {folder / 'collections'}
[web]
type = none
[logging]
level = warning
""")
        self.log = folder / "radicale.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "radicale", "--config",
                                             str(config)], stdout=log, stderr=log)
        self._wait_until_listening()

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError("Radicale stopped:\n" + self.log.read_text())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("Radicale did not start:\n" + self.log.read_text())

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        request = urllib.request.Request(self.base + path, data=body, method=method, headers={
            "Authorization": f"Basic {token}", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=20) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def radicale(tmp_path_factory):
    server = Radicale(tmp_path_factory.mktemp("radicale"))
    try:
        status, body = server.request("MKCALENDAR", COLLECTION)
        assert status == 201, body
        yield server
    finally:
        server.stop()


def _put(radicale: Radicale, calendar: bytes) -> str:
    stored = without_method(calendar)
    assert b"METHOD:" not in stored
    uid = str(icalendar.Calendar.from_ical(stored).walk("VEVENT")[0]["UID"])
    status, body = radicale.request("PUT", COLLECTION + quote(uid) + ".ics", stored,
                                    {"Content-Type": "text/calendar; charset=utf-8"})
    assert status in (201, 204), body
    return uid


def _found(radicale: Radicale, start: datetime, end: datetime) -> bytes:
    status, body = radicale.request("REPORT", COLLECTION, REPORT.format(start=start, end=end)
                                    .encode(), {"Depth": "1", "Content-Type":
                                                "application/xml; charset=utf-8"})
    assert status == 207, body
    return body


@pytest.mark.parametrize("moment", ["spring-forward 08:00 CEST", "fall-back 08:00 CET",
                                    "fall-back second 02:30 (CET)",
                                    "ordinary Tuesday 08:00 CET"])
def test_radicale_stores_returns_and_finds_the_meeting(app_ctx, radicale, moment):
    starts_at = DST_STARTS[moment]
    meeting_id = 5000 + list(DST_STARTS).index(moment)
    conference = meeting(starts_at, meeting_id=meeting_id)
    uid = _put(radicale, service.meeting_invite(conference, attendees=ATTENDEES))

    status, body = radicale.request("GET", COLLECTION + quote(uid) + ".ics")
    assert status == 200
    event = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    assert str(event["UID"]) == uid
    assert event["DTSTART"].dt.astimezone(UTC) == starts_at

    href = quote(uid).encode()
    minute = timedelta(minutes=1)
    ends_at = starts_at + timedelta(minutes=90)
    assert href in _found(radicale, starts_at - minute, starts_at + minute)
    assert href in _found(radicale, ends_at - minute, ends_at + minute)
    # An hour off either way (a wrong offset) would overlap these; the meeting does not.
    assert href not in _found(radicale, starts_at - timedelta(hours=1), starts_at)
    assert href not in _found(radicale, ends_at, ends_at + timedelta(hours=1))


def test_radicale_keeps_a_slot_apart_from_its_meeting(app_ctx, radicale):
    starts_at = DST_STARTS["fall-back 08:00 CET"]
    conference = meeting(starts_at, meeting_id=6001)
    slot_uid = _put(radicale, service.slot_invite(
        case(conference), conference, starts_at=starts_at + timedelta(minutes=30),
        ends_at=starts_at + timedelta(minutes=40)))
    meeting_uid = _put(radicale, service.meeting_invite(conference, attendees=ATTENDEES))
    assert slot_uid != meeting_uid
    first_half_hour = _found(radicale, starts_at, starts_at + timedelta(minutes=30))
    assert quote(meeting_uid).encode() in first_half_hour
    assert quote(slot_uid).encode() not in first_half_hour
    assert quote(slot_uid).encode() in _found(radicale, starts_at + timedelta(minutes=35),
                                              starts_at + timedelta(minutes=36))
