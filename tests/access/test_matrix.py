"""The access matrix is true: the file is what the policy generates, every route has a row,
and a walk over every route as every demo role (and anonymous) finds exactly the allows the
matrix lists."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from mdk.access.matrix import (
    LOGGED_IN,
    PUBLIC,
    ROUTES,
    app_routes,
    matrix_markdown,
    missing_routes,
    route_for,
)
from mdk.access.policy import Principal
from mdk.audit.service import actor_for, record, system_actor
from mdk.auth.session import PUBLIC_ENDPOINTS
from mdk.care_areas.service import care_area
from mdk.cases.models import Case
from mdk.cases.service import register_case
from mdk.conferences.models import Conference
from mdk.config import PROJECT_ROOT
from mdk.extensions import db
from mdk.outbox.models import OutboxMessage
from mdk.outbox.service import Recipient, queue_mail
from mdk.patients.models import Patient
from mdk.people import service as people
from mdk.people.models import Person
from tests.access.helpers import (
    DEMO_ROLES,
    csrf_token,
    denied,
    load_demo_people,
    redirects_to_login,
)
from tests.support import log_in
from tests.units.factories import make_person

MATRIX_FILE = PROJECT_ROOT / "docs" / "access-matrix.md"


def test_matrix_file_is_what_the_policy_generates(app):
    assert MATRIX_FILE.read_text(encoding="utf-8") == matrix_markdown(app), (
        "docs/access-matrix.md is out of date: run `mdk access matrix > docs/access-matrix.md`")


def test_matrix_cli_prints_the_matrix(app, runner):
    result = runner.invoke(args=["access", "matrix"])
    assert result.exit_code == 0
    assert result.output == matrix_markdown(app)


def test_every_route_of_the_app_has_a_matrix_row(app):
    assert missing_routes(app) == []


def test_every_matrix_row_is_a_route_of_the_app(app):
    served = {(endpoint, method) for endpoint, method, _path in app_routes(app)}
    declared = {(endpoint, method) for endpoint, methods in ROUTES.items() for method in methods}
    assert declared - served == set()


def test_public_rows_are_exactly_the_login_free_endpoints(app):
    public = {endpoint for endpoint, methods in ROUTES.items()
              if any(route.action == PUBLIC for route in methods.values())}
    assert public == set(PUBLIC_ENDPOINTS)


# --- the walk ---------------------------------------------------------------------------------

def _ids_for(app, person_id: int) -> dict[str, object]:
    """Real ids for the URL variables, around the person walking: their own unit, a colleague
    there (with a role in the walker's first care area and an absence), and so on."""
    with app.app_context():
        walker = db.session.get(Person, person_id)
        area = walker.role_grants[0].care_area
        colleague = make_person(unit=walker.unit)
        grant = people.grant_role(colleague, "member", area, walker.unit_id)
        absence = people.add_absence(colleague, date(2026, 12, 1), date(2026, 12, 2), "Kurs")
        patient = db.session.scalars(select(Patient).order_by(Patient.id)).first()
        event = record(system_actor(), "patient.read", patient, patient_id=patient.id)
        db.session.commit()
        case_id = _a_case_id(walker, area, patient)
        material = _material_ids(case_id)  # while the case is open
        _reported(case_id, walker, area)
        return {"unit_id": walker.unit_id, "person_id": colleague.id, "grant_id": grant.id,
                "absence_id": absence.id, "provider_id": walker.unit.provider_id,
                "key": area, "filename": "css/mdk.css", "patient_id": patient.id,
                "event_id": event.id, "file_format": "csv", "area_key": area,
                "month": "2026-12", "conference_id": _a_conference_id(area),
                "case_id": case_id, "move": "withdraw", "position": 1,
                "message_id": _a_dead_mail_id(), **material, "table": "hosting",
                "token_id": _an_api_token_id(walker, area), "name": "swagger-ui.css",
                "token": _a_feed_token(area), "answer_token": _an_answer_token(area)} \
            | _a_review_task(walker, area)


def _an_api_token_id(walker: Person, area: str) -> int:
    """A token of the walker's unit (the admins' page lists and revokes it)."""
    from mdk.api_tokens.service import create_token

    return create_token(system_actor(), unit_hsa_id=walker.unit.hsa_id, areas=(area,)).token.id


def _a_feed_token(area: str) -> str:
    """The feed token of one of the area's coordinators: the token is the key of both feed
    URLs (public: a calendar client has no session), whoever presents it."""
    from mdk.feeds.service import regenerate_token
    from mdk.people.models import RoleGrant

    coordinator = db.session.scalars(
        select(Person).join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(RoleGrant.role == "coordinator", RoleGrant.care_area == area, Person.active)
        .order_by(Person.id)).first()
    return regenerate_token(system_actor(), coordinator)


def _an_answer_token(area: str) -> str:
    """An invite answer link's token (public: the mail's reader need not log in) for a coming
    meeting of the area, as if its invite had been mailed to someone."""
    from mdk.invites.answers import make_token
    from mdk.invites.models import InviteSent
    from mdk.invites.service import meeting_uid

    conference = db.session.get(Conference, _a_conference_id(area))
    email = f"walker-{conference.id}@mdt.example.se"
    db.session.add(InviteSent(uid=meeting_uid(conference), attendee_email=email,
                              conference_id=conference.id, method="REQUEST",
                              sequence=conference.ical_sequence,
                              meeting_sequence=conference.ical_sequence))
    db.session.commit()
    return make_token(conference.id, email, "ACCEPTED", conference.ical_sequence)


def _a_review_task(walker: Person, area: str) -> dict[str, int]:
    """An open review task of the walker's care area hosted at their unit (a reviewer there
    sees it; an empty statement is refused with 422 naming the field)."""
    from mdk.material.models import MaterialItem
    from mdk.reviews.models import ReviewTask
    from mdk.reviews.service import due_for

    case = db.session.scalars(select(Case).where(Case.care_area == area)
                              .order_by(Case.id.desc())).first()
    conference = db.session.get(Conference, _a_conference_id(area))
    item = MaterialItem(case=case, kind="mri", review_by="radiologist")
    db.session.add(item)
    task = ReviewTask(case=case, item=item, conference=conference, competence="radiologist",
                      host_unit_id=walker.unit_id, due_at=due_for(conference), state="open")
    db.session.add(task)
    db.session.commit()
    return {"task_id": task.id}


def _material_ids(case_id: int) -> dict[str, int]:
    """An item of the case's material with a file (the download is walked too)."""
    import io

    from mdk.cases.models import Case
    from mdk.material import service as material
    from tests.material.factories import PDF

    case = db.session.get(Case, case_id)
    item = material.fill_entry(system_actor(), case, care_area(case.care_area)
                               .material_checklist[0].key, {})
    found = material.attach_file(system_actor(), case, material.entry_key(item),
                                 io.BytesIO(PDF), "walk.pdf")
    return {"item_id": item.id, "file_id": found.id}


def _a_dead_mail_id() -> int:
    """A mail given up on: the one thing the queue page's resend button acts on."""
    mail = queue_mail(Recipient("dead@example.se"), kind="test", template="test_message",
                      context={}, idempotency_key=f"walk:{db.session.scalar(select(Patient.id))}")
    mail = mail or db.session.scalars(select(OutboxMessage)).first()
    mail.state = "dead"
    db.session.commit()
    return mail.id


def _a_case_id(walker: Person, area: str, patient: Patient) -> int:
    """A submitted referral from the walker's unit in their care area: in scope for a
    referrer there and for the area's staff (the walk's withdraw without a reason changes
    nothing)."""
    registrar = Principal(person_id=walker.id,
                          grants=frozenset({("coordinator", area, walker.unit_id)}))
    required = {item.key: _an_answer(item) for item in care_area(area).referral_fields
                if item.required}
    return register_case(system_actor(), registrar, {
        "care_area": area, "referring_unit_id": walker.unit_id, "identity_kind": "national",
        "identity_number": patient.identity_value, "given_name": patient.given_name,
        "family_name": patient.family_name, "question": "Bedömning?",
        "case_type": "primary", "consent_recorded": True, "answers": required,
        "submit": True}).id


def _reported(case_id: int, walker: Person, area: str) -> None:
    """The walk's case discussed at a meeting of its own and reported (the report's routes
    have a report to show): on an earlier meeting than the walk's, begun an hour ago, its
    protocol signed by that meeting's chair and its care plan established, every required
    section filled with a value of its kind. The walker of the care staff is the chair."""
    from datetime import timedelta

    from mdk.care_plans import service as care_plans
    from mdk.cases.service import move_case
    from mdk.db import utcnow
    from mdk.protocols import service as protocols

    case = db.session.get(Case, case_id)
    # A walker of the area's care staff chairs it (the chair's routes are theirs to walk).
    care_staff = {grant.role for grant in walker.role_grants} & {"coordinator", "member",
                                                                 "reviewer"}
    chair = walker if care_staff else make_person(unit=walker.unit)
    principal = Principal(person_id=chair.id,
                          grants=frozenset({("coordinator", area, walker.unit_id)}))
    conference = db.session.scalars(
        select(Conference).where(Conference.care_area == area,
                                 Conference.id != _a_conference_id(area),
                                 Conference.starts_at > utcnow())
        .order_by(Conference.starts_at)).first()
    actor = actor_for(chair)
    move_case(actor, principal, case, "accept", {"conference_id": conference.id})
    starts = utcnow().replace(microsecond=0) - timedelta(hours=1)
    conference.starts_at, conference.ends_at = starts, starts + timedelta(minutes=90)
    conference.status, conference.chair_person_id = "agenda_locked", chair.id
    db.session.commit()
    template = care_area(area).template("protocol")
    protocol = protocols.open_draft(actor, principal, case)
    protocol = protocols.save_draft(actor, principal, case, protocol,
                                    _filled(template, protocol.values), protocol.version)
    protocols.sign(actor, principal, case, protocol, protocol.version, True)
    plan = care_plans.open_draft(actor, principal, case)
    plan = care_plans.save_draft(actor, principal, case, plan,
                                 _filled(care_area(area).template("care_plan"), plan.values),
                                 plan.version)
    care_plans.establish(actor, principal, case, plan, plan.version, True)


def _filled(template, values: dict) -> dict:
    """The values, with each required section still empty given one of its kind."""
    filled = dict(values)
    for section in template.sections:
        if not section.required or filled.get(section.key) not in (None, "", []):
            continue
        filled[section.key] = {
            "choice": section.options[0].key if section.options else "",
            "unit": "home_region", "boolean": True,
            "person_and_date": {"person": "Remittenten", "date": "2099-01-15"},
        }.get(section.kind, "Uppgift")
    return filled


def _an_answer(item) -> object:
    if item.type == "choice":
        return item.choices[0].key
    return {"boolean": True, "integer": 1, "date": "2026-01-05"}.get(item.type, "Uppgift")


def _a_conference_id(area: str) -> int:
    """A coming meeting of the walker's care area (the demo plans a year ahead)."""
    return db.session.scalars(select(Conference.id).where(Conference.care_area == area)
                              .order_by(Conference.starts_at.desc())).first()


def _person(app, person_id: int) -> Person:
    # Loaded in a context of its own: log_in must not run inside another app context.
    with app.app_context():
        return db.session.get(Person, person_id)


def _url(path: str, ids: dict[str, object]) -> str:
    return re.sub(r"<(?:[^:>]+:)?(\w+)>", lambda match: str(ids[match[1]]), path)


def _send(client, method: str, url: str, token: str):
    if url.startswith("/api/"):
        return client.open(url, method=method, json={} if method != "GET" else None)
    data = {"csrf_token": token} if method != "GET" else None
    return client.open(url, method=method, data=data)


def _walk_order(rows):
    # Logging out ends the walker's session: last.
    return sorted(rows, key=lambda row: row[0] == "auth.logout")


def _expected(role: str, endpoint: str, method: str) -> bool:
    route = route_for(endpoint, method)
    if role == "anonymous":
        return route.action == PUBLIC
    return route.action in (PUBLIC, LOGGED_IN) or role in route.roles


@pytest.mark.demo_data
@pytest.mark.parametrize("role", DEMO_ROLES + ("anonymous",))
def test_every_route_allows_exactly_the_roles_the_matrix_lists(app, role):
    demo = load_demo_people(app)
    client = app.test_client()
    walker = demo.get(role, demo["admin"])
    if role != "anonymous":
        log_in(client, _person(app, walker))
    ids = _ids_for(app, walker)
    token = csrf_token(client)
    wrong = []
    for endpoint, method, path in _walk_order(app_routes(app)):
        url = _url(path, ids)
        response = _send(client, method, url, token)
        response.close()  # static files are streamed from an open file
        allowed = not denied(response)
        if "frame-ancestors 'none'" not in response.headers.get("Content-Security-Policy", ""):
            wrong.append(f"{method} {url}: no Content-Security-Policy header")
        if response.status_code >= 500 or response.status_code == 400:
            wrong.append(f"{method} {url}: {response.status_code}")
        elif allowed != _expected(role, endpoint, method):
            verdict = "allowed" if allowed else "denied"
            wrong.append(f"{method} {url} ({endpoint}): {verdict} with "
                         f"{response.status_code}, the matrix says otherwise")
        elif not allowed and role == "anonymous" and not (
                redirects_to_login(response) or url.startswith("/api/")):
            wrong.append(f"{method} {url}: anonymous got {response.status_code}, not the login")
        elif not allowed and role != "anonymous" and response.status_code not in (403, 404):
            wrong.append(f"{method} {url}: {role} denied with {response.status_code}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


def test_anonymous_pages_redirect_to_login_with_the_page_to_return_to(anonymous_client):
    response = anonymous_client.get("/people")
    assert redirects_to_login(response)
    assert "next=/people" in response.location.replace("%2F", "/")


def test_anonymous_api_call_gets_401_problem(anonymous_client):
    response = anonymous_client.get("/api/v1/units")
    assert response.status_code == 401
    assert response.json["title"] == "Unauthorized"
