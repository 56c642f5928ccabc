"""Every calendar form with bad input: 422, the Swedish message next to the field, nothing
changed. And each form's happy path, once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mdk.audit.models import AuditEvent
from mdk.conferences.models import CalendarClosure, Conference, UnitUnavailability
from mdk.conferences.service import get_conference
from mdk.extensions import db
from mdk.units.service import get_unit
from tests.conferences.page_factories import local_start, make_conference, unit_ids
from tests.support import log_in
from tests.units.factories import field_error, make_person

FILL_IN = "Fyll i fältet."
BAD_DATE = "Ange ett datum som finns, som ÅÅÅÅ-MM-DD."
SOON = date.today() + timedelta(days=21)


@pytest.fixture()
def form_client(app, admin_user):
    """The logged-in coordinator, posting forms without a CSRF token (tested elsewhere)."""
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        test_client = app.test_client()
        log_in(test_client, admin_user)
        yield test_client
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


@pytest.fixture()
def meeting(app):
    """(id of a coming meeting hosted by KS, units by short name, id of the next one, by SU)."""
    with app.app_context():
        units = unit_ids()
        first = make_conference(units["KS"], SOON)
        second = make_conference(units["SU"], SOON + timedelta(days=7))
        return first.id, units, second.id


def _snapshot(app, conference_id: int) -> tuple:
    with app.app_context():
        conference = get_conference(conference_id)
        return (conference.starts_at, conference.status, conference.host_unit_id,
                conference.chair_person_id, conference.video_link,
                db.session.scalar(select(func.count(Conference.id))),
                db.session.scalar(select(func.count(AuditEvent.id))))


def _refused(app, form_client, conference_id: int, url: str, data: dict, field_id: str,
             message: str) -> None:
    before = _snapshot(app, conference_id)
    response = form_client.post(url, data=data)
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), field_id) == message
    assert _snapshot(app, conference_id) == before


# --- move -----------------------------------------------------------------------------------

def _move(meeting, **changes) -> tuple[str, dict]:
    data = {"move-day": (SOON + timedelta(days=1)).isoformat(), "move-start": "09:00",
            "move-reason": "Krockar med utbildningsdag"}
    data.update(changes)
    return f"/conferences/{meeting[0]}/move", data


def test_move_without_reason_shows_the_error_at_reason(app, form_client, meeting):
    url, data = _move(meeting, **{"move-reason": ""})
    _refused(app, form_client, meeting[0], url, data, "move-reason", FILL_IN)


def test_move_to_february_30_shows_the_error_at_the_date(app, form_client, meeting):
    url, data = _move(meeting, **{"move-day": "2026-02-30"})
    _refused(app, form_client, meeting[0], url, data, "move-day", BAD_DATE)


def test_move_to_a_past_day_shows_the_error_at_the_date(app, form_client, meeting):
    url, data = _move(meeting, **{"move-day": "2020-01-07"})
    _refused(app, form_client, meeting[0], url, data, "move-day",
             "Välj i dag eller en senare dag.")


def test_move_to_a_bad_time_shows_the_error_at_the_time(app, form_client, meeting):
    url, data = _move(meeting, **{"move-start": "25:99"})
    _refused(app, form_client, meeting[0], url, data, "move-start",
             "Ange en tid som TT:MM, t.ex. 08:00.")


def test_move_saves_the_new_day_and_time(app, form_client, meeting):
    url, data = _move(meeting)
    response = form_client.post(url, data=data)
    assert response.status_code == 302
    with app.app_context():
        start = local_start(get_conference(meeting[0]))
    assert (start.date(), f"{start:%H:%M}") == (SOON + timedelta(days=1), "09:00")


# --- cancel ---------------------------------------------------------------------------------

def test_cancel_without_reason_shows_the_error_at_reason(app, form_client, meeting):
    _refused(app, form_client, meeting[0], f"/conferences/{meeting[0]}/cancel",
             {"cancel-reason": "  "}, "cancel-reason", FILL_IN)


def test_cancel_keeps_the_meeting_struck_through(app, form_client, meeting):
    response = form_client.post(f"/conferences/{meeting[0]}/cancel",
                                data={"cancel-reason": "Inga anmälda fall"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Mötet är inställt." in page and "<del>" in page and "Inga anmälda fall" in page


# --- override host --------------------------------------------------------------------------

def test_override_with_an_unknown_unit_shows_the_error_at_the_unit(app, form_client, meeting):
    _refused(app, form_client, meeting[0], f"/conferences/{meeting[0]}/host",
             {"override-unit_id": "999999", "override-reason": "Semester"},
             "override-unit_id", "Välj en av vårdområdets NHV-enheter.")


def test_override_without_reason_shows_the_error_at_reason(app, form_client, meeting):
    unit_id = meeting[1]["SUS"]
    _refused(app, form_client, meeting[0], f"/conferences/{meeting[0]}/host",
             {"override-unit_id": str(unit_id), "override-reason": ""},
             "override-reason", FILL_IN)


def test_override_pins_the_new_host(app, form_client, meeting):
    unit_id = meeting[1]["SUS"]
    response = form_client.post(f"/conferences/{meeting[0]}/host",
                                data={"override-unit_id": str(unit_id),
                                      "override-reason": "KS har utbildningsdag"})
    assert response.status_code == 302
    with app.app_context():
        conference = get_conference(meeting[0])
        assert (conference.host_unit_id, conference.host_pinned) == (unit_id, True)


# --- swap hosts -----------------------------------------------------------------------------

def test_swap_with_an_unknown_meeting_shows_the_error_at_the_meeting(app, form_client, meeting):
    _refused(app, form_client, meeting[0], f"/conferences/{meeting[0]}/swap",
             {"swap-other_conference_id": "999999", "swap-reason": "Byte"},
             "swap-other_conference_id", "Välj ett kommande möte inom samma vårdområde.")


def test_swap_without_reason_shows_the_error_at_reason(app, form_client, meeting):
    _refused(app, form_client, meeting[0], f"/conferences/{meeting[0]}/swap",
             {"swap-other_conference_id": str(meeting[2]), "swap-reason": ""},
             "swap-reason", FILL_IN)


# --- chair and video link -------------------------------------------------------------------

def test_details_with_an_unknown_chair_shows_the_error_at_the_chair(app, form_client, meeting):
    _refused(app, form_client, meeting[0], f"/conferences/{meeting[0]}/details",
             {"details-chair_person_id": "999999", "details-video_link": ""},
             "details-chair_person_id", "Välj en person i listan.")


def test_details_with_a_non_https_link_shows_the_error_at_the_link(app, form_client, meeting):
    _refused(app, form_client, meeting[0], f"/conferences/{meeting[0]}/details",
             {"details-chair_person_id": "", "details-video_link": "javascript:alert(1)"},
             "details-video_link", "Ange en länk som börjar med https://.")


def test_details_saves_chair_from_the_host_unit_and_link(app, form_client, meeting):
    with app.app_context():
        chair_id = make_person(get_unit(meeting[1]["KS"]), name="Karin Ek").id
    form_client.post(f"/conferences/{meeting[0]}/details",
                     data={"details-chair_person_id": str(chair_id),
                           "details-video_link": "https://video.example/mdk"})
    page = form_client.get(f"/conferences/{meeting[0]}").get_data(as_text=True)
    assert "Karin Ek" in page and 'href="https://video.example/mdk"' in page


# --- add meeting ----------------------------------------------------------------------------

def _add(**changes) -> dict:
    data = {"series_key": "national", "day": (SOON + timedelta(days=2)).isoformat(),
            "start": "08:00", "reason": "Extra möte före jul"}
    data.update(changes)
    return data


def _refused_add(app, form_client, meeting, data: dict, field_id: str, message: str) -> None:
    _refused(app, form_client, meeting[0], "/calendar/analcancer/new", data, field_id, message)


def test_add_meeting_without_reason_shows_the_error_at_reason(app, form_client, meeting):
    _refused_add(app, form_client, meeting, _add(reason=""), "reason", FILL_IN)


def test_add_meeting_on_february_30_shows_the_error_at_the_date(app, form_client, meeting):
    _refused_add(app, form_client, meeting, _add(day="2026-02-30"), "day", BAD_DATE)


def test_add_meeting_on_a_past_day_shows_the_error_at_the_date(app, form_client, meeting):
    _refused_add(app, form_client, meeting, _add(day="2020-01-07"), "day",
                 "Välj i dag eller en senare dag.")


def test_add_meeting_of_an_unknown_series_shows_the_error_at_the_series(app, form_client,
                                                                        meeting):
    response = form_client.post("/calendar/analcancer/new", data=_add(series_key="nosuch"))
    assert response.status_code == 422
    assert "nosuch" in field_error(response.get_data(as_text=True), "series_key")


def test_add_meeting_creates_it_with_its_reason(app, form_client, meeting):
    response = form_client.post("/calendar/analcancer/new", data=_add(), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Mötet är tillagt." in page and "Extra möte före jul" in page


# --- unavailability and closures ------------------------------------------------------------

def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(model.id)))


def _unavailability(meeting, **changes) -> dict:
    data = {"unavailability-unit_id": str(meeting[1]["KS"]),
            "unavailability-first_day": SOON.isoformat(),
            "unavailability-last_day": (SOON + timedelta(days=4)).isoformat(),
            "unavailability-reason": "Flytt av röntgenavdelningen"}
    data.update(changes)
    return data


@pytest.mark.parametrize(("changes", "field_id", "message"), [
    ({"unavailability-unit_id": "999999"}, "unavailability-unit_id",
     "Välj en av vårdområdets NHV-enheter."),
    ({"unavailability-first_day": "2026-02-30"}, "unavailability-first_day", BAD_DATE),
    ({"unavailability-last_day": "2020-01-01"}, "unavailability-last_day",
     "Sista dagen kan inte vara före första dagen."),
    ({"unavailability-reason": ""}, "unavailability-reason", FILL_IN),
])
def test_unavailability_with_bad_input_names_the_field(app, form_client, meeting, changes,
                                                       field_id, message):
    before = _count(app, UnitUnavailability)
    response = form_client.post("/rotation/analcancer/unavailability",
                                data=_unavailability(meeting, **changes))
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), field_id) == message
    assert _count(app, UnitUnavailability) == before


def test_unavailability_replans_the_host_and_is_listed(app, form_client, meeting):
    response = form_client.post("/rotation/analcancer/unavailability",
                                data=_unavailability(meeting), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Flytt av röntgenavdelningen" in page
    with app.app_context():
        assert get_conference(meeting[0]).host_unit_id != meeting[1]["KS"]


@pytest.mark.parametrize(("changes", "field_id", "message"), [
    ({"closure-first_day": "2026-02-30"}, "closure-first_day", BAD_DATE),
    ({"closure-reason": ""}, "closure-reason", FILL_IN),
])
def test_closure_with_bad_input_names_the_field(app, form_client, meeting, changes, field_id,
                                                message):
    data = {"closure-first_day": "2027-07-05", "closure-last_day": "2027-07-30",
            "closure-reason": "Sommaruppehåll"}
    data.update(changes)
    before = _count(app, CalendarClosure)
    response = form_client.post("/rotation/analcancer/closures", data=data)
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), field_id) == message
    assert _count(app, CalendarClosure) == before


def test_closure_is_listed_after_saving(app, form_client, meeting):
    response = form_client.post("/rotation/analcancer/closures", follow_redirects=True,
                                data={"closure-first_day": "2027-07-05",
                                      "closure-last_day": "2027-07-30",
                                      "closure-reason": "Sommaruppehåll"})
    assert "Sommaruppehåll" in response.get_data(as_text=True)
