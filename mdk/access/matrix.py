"""The access matrix: every endpoint and method, and the policy action that guards it.

The before-request hook reads this table; `mdk access matrix` prints it as the markdown of
docs/access-matrix.md, and a test fails when that file differs or an endpoint is missing. A
new route needs a row here, or every request to it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from mdk.access import policy
from mdk.people.models import ROLES

PUBLIC = "public"  # no login needed (mdk.auth.session.PUBLIC_ENDPOINTS)
LOGGED_IN = "logged_in"  # any logged-in person, with or without a role
IGNORED_METHODS = frozenset({"HEAD", "OPTIONS"})  # HEAD is checked as GET; OPTIONS is Flask's


@dataclass(frozen=True)
class Route:
    action: str  # PUBLIC, LOGGED_IN or a key of policy.ACTIONS
    # The kind of object the URL names. The hook then only checks that the principal may
    # see such objects at all (404 otherwise); the view loads the object and checks `action`
    # on it with mdk.access.authorize (404 if out of scope, 403 if visible but not allowed).
    obj: str | None = None
    also: str | None = None  # a second action the view checks (e.g. on the care area chosen)

    @property
    def roles(self) -> tuple[str, ...]:
        if self.action in (PUBLIC, LOGGED_IN):
            return ROLES
        return policy.roles_for(self.action)


def _on(action: str, *methods: str, obj: str | None = None,
        also: str | None = None) -> dict[str, Route]:
    return {method: Route(action, obj, also) for method in methods or ("GET",)}


ROUTES: dict[str, dict[str, Route]] = {
    # public and session
    "static": _on(PUBLIC),
    "core.healthz": _on(PUBLIC),
    "core.favicon": _on(PUBLIC),
    "core.set_language": _on(PUBLIC, "POST"),
    "auth.login": _on(PUBLIC, "GET", "POST"),
    "auth.oidc_start": _on(PUBLIC, "GET"),
    "auth.oidc_callback": _on(PUBLIC, "GET"),
    "api-docs.openapi_json": _on(PUBLIC),
    "auth.logout": _on(LOGGED_IN, "POST"),
    "core.index": _on("start.view"),
    # care areas
    "care_areas.list_areas": _on("care_area.view"),
    "care_areas.show_area": _on("care_area.view", obj="care_area"),
    "care_areas_api.CareAreas": _on("care_area.view"),
    "care_areas_api.CareAreaByKey": _on("care_area.view", obj="care_area"),
    # care providers
    "units.list_providers": _on("provider.view"),
    "units.new_provider": _on("provider.create", "GET", "POST"),
    "units.edit_provider": _on("provider.edit", "GET", "POST", obj="provider"),
    "api_providers.Providers": {**_on("provider.view"), **_on("provider.create", "POST")},
    "api_providers.ProviderById": {**_on("provider.view", obj="provider"),
                                   **_on("provider.edit", "PATCH", obj="provider")},
    # units
    "units.list_units": _on("unit.view"),
    "units.show_unit": _on("unit.view", obj="unit"),
    "units.new_unit": _on("unit.create", "GET", "POST"),
    "units.edit_unit": _on("unit.edit", "GET", "POST", obj="unit"),
    "api_units.Units": {**_on("unit.view"), **_on("unit.create", "POST")},
    "api_units.UnitById": {**_on("unit.view", obj="unit"),
                           **_on("unit.edit", "PATCH", obj="unit")},
    # people
    "people.list_people": _on("person.view"),
    "people.new_person": _on("person.create", "GET", "POST"),
    "people.show_person": _on("person.view", obj="person"),
    "people.edit_person": _on("person.edit", "GET", "POST", obj="person"),
    "people.add_absence": _on("person.edit", "POST", obj="person"),
    "people.remove_absence": _on("person.edit", "POST", obj="person"),
    "people.grant_role": _on("person.roles", "POST", obj="person", also="role.manage"),
    "people.revoke_role": _on("person.roles", "POST", obj="person", also="role.manage"),
    "people.competence_register": _on("register.view"),
    # everyone's own page: their mail language and the mails that only inform
    "people.own_page": _on(LOGGED_IN, "GET", "POST"),
    "api_people.People": {**_on("person.view"), **_on("person.create", "POST")},
    "api_people.PersonById": {**_on("person.view", obj="person"),
                              **_on("person.edit", "PATCH", obj="person")},
    # patients
    "patients.list_patients": _on("patient.view"),
    "patients.show_patient": _on("patient.view", obj="patient"),
    "patients.new_patient": _on("patient.create", "GET", "POST"),
    "patients.search_patient": _on("patient.view", "GET", "POST"),
    # the access log
    "audit.review": _on("audit.review"),
    "audit.export_csv": _on("audit.review"),
    "audit.choose_patient": _on("audit.review", "POST"),
    "audit.patient_extract": _on("audit.review", obj="patient"),
    "audit.sample": _on("audit.review"),
    "audit.record_verdict": _on("audit.review", "POST"),
    # meeting calendar and rotation
    "calendar.unit_colours": _on(LOGGED_IN),
    "calendar.calendar_home": _on("conference.view"),
    "calendar.area_home": _on("conference.view", obj="care_area"),
    "calendar.month_view": _on("conference.view", obj="care_area"),
    "calendar.list_view": _on("conference.view", obj="care_area"),
    "calendar.new_conference": _on("conference.edit", "GET", "POST", obj="care_area"),
    "calendar.show_conference": _on("conference.view", obj="conference"),
    "calendar.update_details": _on("conference.edit", "POST", obj="conference"),
    "calendar.move_conference": _on("conference.edit", "POST", obj="conference"),
    "calendar.cancel_conference": _on("conference.edit", "POST", obj="conference"),
    "calendar.override_host": _on("conference.edit", "POST", obj="conference"),
    "calendar.swap_hosts": _on("conference.edit", "POST", obj="conference"),
    # agenda
    "agenda.show_agenda": _on("agenda.view", obj="conference"),
    "agenda.reorder": _on("agenda.edit", "POST", obj="conference"),
    "agenda.reset_order": _on("agenda.edit", "POST", obj="conference"),
    "agenda.move_case": _on("agenda.edit", "POST", obj="conference"),
    "agenda.remove_case": _on("agenda.edit", "POST", obj="conference"),
    "agenda.lock": _on("agenda.edit", "POST", obj="conference"),
    "agenda.unlock": _on("agenda.unlock", "POST", obj="conference"),
    # the participants' case list of a meeting
    "case_lists.show_case_list": _on("case_list.view", obj="conference"),
    # the conference day: the shared screen (coordinators; members and reviewers only as
    # the meeting's chair), attendance and listed-not-discussed (coordinators)
    "conference_day.show": _on("conference_day.view", obj="conference"),
    "conference_day.attendance": {**_on("conference_day.attendance", obj="conference"),
                                  **_on("conference_day.attendance", "POST",
                                        obj="conference")},
    "conference_day.add_attendee": _on("conference_day.attendance", "POST", obj="conference"),
    "conference_day.not_discussed": _on("agenda.edit", "POST", obj="conference",
                                        also="case.triage"),
    "calendar.rotation_home": _on("conference.view"),
    "calendar.rotation": _on("conference.view", obj="care_area"),
    "calendar.availability": _on("conference.view", obj="care_area"),
    "calendar.add_unavailability": _on("conference.edit", "POST", obj="care_area"),
    "calendar.add_closure": _on("conference.edit", "POST", obj="care_area"),
    # cases
    "cases.list_cases": _on("case.view"),
    "cases.new_case": _on("case.create", "GET", "POST"),
    "cases.show_case": _on("case.view", obj="case"),
    "cases.edit_case": _on("case.edit", "GET", "POST", obj="case"),
    # submit and withdraw need case.edit; accept, return, decline and defer case.triage
    "cases.move_case": _on("case.edit", "POST", obj="case", also="case.triage"),
    "cases.confirm_identity": _on("case.triage", "POST", obj="case"),
    # ta ärendet: a coordinator of the area takes the case for their unit
    "cases.take_case": _on("case.triage", "POST", obj="case"),
    # the work queues: the coordinator's inbox, the referrer's own cases
    "queues.inbox": _on("case.triage"),
    "queues.my_cases": _on("case.follow"),
    # cases API
    "api_cases.Cases": {**_on("case.view"), **_on("case.create", "POST")},
    "api_cases.CaseById": {**_on("case.view", obj="case"),
                           **_on("case.edit", "PATCH", obj="case")},
    "api_cases.CaseMoves": _on("case.edit", "POST", obj="case", also="case.triage"),
    "api_cases.CaseIdentityConfirmation": _on("case.triage", "POST", obj="case"),
    # secondary review: the reviewer's worklist, the coordinator's list, a task (the view
    # checks its case and host unit), the combined statement on the case page
    "reviews.worklist": _on("review.work"),
    "reviews.coordination": _on("review.assign"),
    "reviews.show_task": _on("review.write", "GET", "POST"),
    "reviews.reassign": _on("review.assign", "POST"),
    "reviews.write_statement": _on("review.write", "POST", obj="case"),
    "api_reviews.Reviews": _on("review.work"),
    "api_reviews.ReviewById": _on("review.write", "GET", "PUT"),
    # a case's material (the case in the URL; a download is a read of the case)
    "material.add_item": _on("material.edit", "POST", obj="case"),
    "material.save_entry": _on("material.edit", "POST", obj="case"),
    "material.set_availability": _on("material.edit", "POST", obj="case"),
    "material.upload_file": _on("material.edit", "POST", obj="case"),
    "material.download_file": _on("case.view", obj="case"),
    "api_material.CaseMaterial": {**_on("case.view", obj="case"),
                                  **_on("material.edit", "POST", obj="case")},
    "api_material.CaseMaterialItem": _on("material.edit", "PATCH", obj="case"),
    "api_material.CaseMaterialAvailability": _on("material.edit", "POST", obj="case"),
    "api_material.CaseMaterialFiles": _on("material.edit", "POST", obj="case"),
    "api_material.FileDownload": _on("case.view", obj="case"),
    # a case's protocol: the page, a draft opened and saved, the chair's signature, addenda
    # (the view checks the chair and the protocol's state through mdk.protocols.service)
    "protocols.show_protocol": _on("protocol.view", obj="case"),
    "protocols.open_draft": _on("protocol.draft", "POST", obj="case"),
    "protocols.save_draft": _on("protocol.draft", "POST", obj="case"),
    "protocols.sign": _on("protocol.sign", "POST", obj="case"),
    "protocols.add_addendum": _on("protocol.addendum", "POST", obj="case"),
    # a case's care plan: the page, a draft opened and saved, established, revised (the
    # service checks the coordinator or the chair and the revision's state)
    "care_plans.show_care_plan": _on("care_plan.view", obj="case"),
    "care_plans.open_draft": _on("care_plan.edit", "POST", obj="case"),
    "care_plans.save_draft": _on("care_plan.edit", "POST", obj="case"),
    "care_plans.establish": _on("care_plan.edit", "POST", obj="case"),
    "care_plans.revise": _on("care_plan.edit", "POST", obj="case"),
    # a case's report to the referring unit: the page and its downloads (each a read of
    # patient data), the referring unit's acknowledgement
    "reports.show_report": _on("report.view", obj="case"),
    "reports.report_pdf": _on("report.view", obj="case"),
    "reports.report_text": _on("report.view", obj="case"),
    "reports.report_fhir": _on("report.view", obj="case"),
    "reports.acknowledge": _on("report.acknowledge", "POST", obj="case"),
    "api_reports.CaseReport": _on("report.view", obj="case"),
    "api_reports.CaseReportFhir": _on("report.view", obj="case"),
    "api_reports.CaseReportAcknowledgement": _on("report.acknowledge", "POST", obj="case"),
    # a case's treatment start and adherence: the page (a read of patient data) and its
    # record or correction (the service checks the treating unit); the cases waiting for it
    "treatment.show_treatment": {**_on("treatment.view", obj="case"),
                                 **_on("treatment.record", "POST", obj="case")},
    "treatment.waiting": _on("treatment.waiting"),
    # exports of an area's discussed cases (the care area is a form field: the service
    # checks the action on it, 403 for another area)
    "exports.list_exports": _on("export.view"),
    "exports.register_export": _on("export.register", "GET", "POST"),
    "exports.research_extract": _on("export.research", "GET", "POST"),
    # statistics (the view checks the care area chosen)
    "stats.show_stats": _on("stats.view"),
    "stats.stats_csv": _on("stats.view"),
    "api_treatment.CaseTreatment": {**_on("treatment.view", obj="case"),
                                    **_on("treatment.record", "PUT", obj="case")},
    # a case's PROM follow-up: the page (a read of patient data), the record of a time
    # point and of the days they count from (the service checks the treating unit); the
    # PROMs due for the treating unit's staff and the area's coordinators
    "proms.show_proms": _on("prom.view", obj="case"),
    "proms.record_prom": _on("prom.record", "POST", obj="case"),
    "proms.record_dates": _on("prom.record", "POST", obj="case"),
    "proms.due": _on("prom.due"),
    "api_proms.CaseProms": _on("prom.view", obj="case"),
    "api_proms.CasePromTimePoint": _on("prom.record", "PUT", obj="case"),
    # calendar feeds: no session (the token in the path is checked by the view, 404 else)
    "feeds.personal_feed": _on(PUBLIC),
    "feeds.area_feed": _on(PUBLIC),
    # an invite's answer links: no session (the signed token in the path is the key)
    "invites.answer": _on(PUBLIC, "GET", "POST"),
    # everyone's own feed URL: it shows what their invites show them (the MDT is invited by
    # competence, with or without a role grant)
    "feeds.feed_page": _on(LOGGED_IN, "GET", "POST"),
    # the mail queue
    "outbox.queue": _on("outbox.manage"),
    "outbox.resend": _on("outbox.manage", "POST"),
    # API tokens (listed with last use; revoked after a confirmation page)
    "api_tokens.list_tokens": _on("api_token.manage"),
    "api_tokens.revoke": _on("api_token.manage", "GET", "POST"),
    # the interactive API docs: public, as /api/openapi.json is (no data of anyone's)
    "swagger_ui.docs": _on(PUBLIC),
    "swagger_ui.asset": _on(PUBLIC),
}


def route_for(endpoint: str, method: str) -> Route | None:
    method = "GET" if method == "HEAD" else method
    return ROUTES.get(endpoint, {}).get(method)


def app_routes(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, path) of every rule the app serves, sorted by path."""
    rows = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - IGNORED_METHODS):
            rows.append((rule.endpoint, method, rule.rule))
    return sorted(rows, key=lambda row: (row[2], row[1], row[0]))


def missing_routes(app: Flask) -> list[tuple[str, str, str]]:
    return [row for row in app_routes(app) if route_for(row[0], row[1]) is None]


def _roles_text(route: Route) -> str:
    if route.action == PUBLIC:
        return "everyone, without login"
    if route.action == LOGGED_IN:
        return "anyone logged in"
    return ", ".join(route.roles)


def _limited(action: str) -> list[str]:
    return [f"{role}: {text}" for role, text in policy.scope_text(action).items()
            if text != "any"]


def _scope_text(route: Route) -> str:
    if route.action in (PUBLIC, LOGGED_IN):
        return "—"
    parts = []
    if route.obj:
        parts.append(f"the {route.obj.replace('_', ' ')} in the URL (404 outside scope)")
    limited = _limited(route.action)
    if limited:
        parts.append(("" if route.obj else "only objects in scope: ") + "; ".join(limited))
    if route.also:
        parts.append(f"and `{route.also}` ({'; '.join(_limited(route.also)) or 'any'})")
    if route.action in policy.CHAIR_ACTIONS:
        parts.append("and the meeting's chair, whatever their role")
    return "; ".join(parts) or "—"


HEADER = """# Access matrix

Generated by `mdk access matrix` from `mdk/access/policy.py` (who may do each action, in
which scope) and `mdk/access/matrix.py` (which action guards each endpoint). Do not edit by
hand: run `mdk access matrix > docs/access-matrix.md`. `tests/access/test_matrix.py` fails
when this file is out of date, when an endpoint has no row, and when any role gets through
to a route this table does not allow it.

Anonymous visitors are sent to the login page (the API answers 401) everywhere except the
routes open to everyone. Logged-in people outside a route's roles get 403; for an object
outside their scope they get 404, so ids cannot be probed. Scopes: *own unit* is the unit of
the role grant, *own care areas* the care areas of the role grants; a person belongs to the
care areas of their unit (as an NHV unit) and those they hold a role in. A person who holds
an admin grant is edited by admins only.

| Endpoint | Method | Path | Roles allowed | Object scope |
|---|---|---|---|---|
"""


def matrix_markdown(app: Flask) -> str:
    lines = [HEADER.rstrip("\n")]
    for endpoint, method, path in app_routes(app):
        route = route_for(endpoint, method)
        roles = _roles_text(route) if route else "**missing: every request refused**"
        scope = _scope_text(route) if route else "—"
        lines.append(f"| `{endpoint}` | {method} | `{path}` | {roles} | {scope} |")
    return "\n".join(lines) + "\n"
