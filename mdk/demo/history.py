"""Demo history: past meetings that were held, so a new user sees the whole way of a case.

On the last few meetings of a series (anal cancer: the national series; CRS/HIPEC: one unit's
own series) the demo's fictitious patients were referred, triaged, listed; the meeting was
held with its attendance noted (one without its pathologist, one case listed but not
discussed), the chair signed the protocols and the coordinator established the care plans,
which issued the reports; the referrer then opened and acknowledged some, opened one, left
others unread, and let one go past its acknowledgement day: reminded (and escalated).

Every step goes through the features' services, each run with the clock set to when it
happened (mdk.db.clock_set_to), in time order: so signatures, issues, openings and the audit
log all tell the same story, and nothing the database locks needs a later correction. The
clock is set back only here, never while serving a request.

Idempotent: a demo patient who already has a case in the area is left alone; the past
calendar is only made while some history case is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from mdk.access.policy import principal_for
from mdk.audit.service import actor_for
from mdk.care_areas.domain import CareArea
from mdk.care_plans import service as care_plans
from mdk.cases import service as cases
from mdk.cases.models import Case
from mdk.conference_day import attendance
from mdk.conference_day import service as conference_day
from mdk.conferences import lifecycle
from mdk.conferences.models import Conference
from mdk.conferences.service import extend_calendars
from mdk.db import clock_set_to, utcnow
from mdk.demo.cases import DemoCase, _User, _user, register
from mdk.extensions import db
from mdk.patients.service import Identity, fictitious_identity_numbers, patient_by_identity
from mdk.people import service as people
from mdk.people.models import Person
from mdk.protocols import service as protocols
from mdk.reports import service as reports
from mdk.units import service as units

# The series whose last meetings the demo holds, and how many of them (oldest first).
PAST_SERIES = {"analcancer": ("national", 3), "crs_hipec": ("as", 2)}
# Where the history starts: far enough back for the series' meetings above.
HISTORY_DAYS = 42  # a holiday may skip a week
# What the referrer did with the report: acknowledged it, opened it only, left it unread,
# or left it past its day (reminded, and escalated once that day has come too).
ACKNOWLEDGED, OPENED, UNREAD, OVERDUE = "acknowledged", "opened", "unread", "overdue"


@dataclass(frozen=True)
class PastCase:
    """A demo case on the area's past meeting `meeting` (0 = the oldest of PAST_SERIES).

    `protocol` and `care_plan`: the sections the coordinator filled in (the rest come from
    the templates' prefill). `not_discussed`: listed at that meeting but not discussed, for
    this reason; discussed at the next one."""

    referral: DemoCase
    meeting: int
    protocol: dict[str, Any]
    care_plan: dict[str, Any]
    report: str
    not_discussed: str | None = None


def _ac(patient: int, question: str, answers: dict[str, Any]) -> DemoCase:
    return DemoCase("analcancer", patient, "accepted", "primary", question, answers)


def _crs(patient: int, question: str, answers: dict[str, Any]) -> DemoCase:
    return DemoCase("crs_hipec", patient, "accepted", "primary", question, answers)


AC_PLAN = {"contact_nurse": "Kontaktsjuksköterska vid behandlande enhet, 010-000 11 00",
           "contact_questions": "Vardagar 08–16 kontaktsjuksköterskan, annars 1177."}
CRS_PLAN = {"contact_nurse": "Kontaktsjuksköterska vid Akademiska sjukhuset, 010-000 21 00",
            "contact_questions": "Vardagar 08–16 kontaktsjuksköterskan, annars 1177.",
            "operation": "Cytoreduktiv kirurgi med HIPEC, planerad inom 4–6 veckor."}

PAST_CASES = (
    # --- anal cancer: the oldest meeting, held without its pathologist ------------------------
    PastCase(
        _ac(13, "Skivepitelcancer i analkanalen, T2N0M0 enligt MR bäcken och PET-DT. "
                "Förslag på kurativ kemoradioterapi?",
            {"diagnosis_basis": "pad_verified", "histology": "squamous_cell",
             "p16_status": "positive", "clinical_tnm": "T2N0M0",
             "who_performance_status": 0}),
        0, {"stage": "T2N0M0", "intent": "curative",
            "recommendation": "Kurativt syftande kemoradioterapi enligt nationellt "
                              "vårdprogram.",
            "treatment": "Kemoradioterapi med IMRT 54 Gy mot primärtumören och 36 Gy "
                         "elektivt mot lymfkörtelstationer, med mitomycin C och "
                         "kapecitabin.",
            "follow_up": "at_home_with_support", "study_considered": True,
            "quality_register": True, "patient_wishes": "Vill behandlas nära hemmet."},
        AC_PLAN, ACKNOWLEDGED),
    PastCase(
        _ac(14, "T3N1aM0 skivepitelcancer i analkanalen hos 81-årig patient med hjärtsvikt. "
                "Tål patienten kemoradioterapi, eller rekommenderas strålbehandling enbart?",
            {"diagnosis_basis": "pad_verified", "histology": "squamous_cell",
             "p16_status": "positive", "clinical_tnm": "T3N1aM0",
             "who_performance_status": 2}),
        0, {"stage": "T3N1aM0", "intent": "curative",
            "recommendation": "Strålbehandling med kurativ intention utan samtidig "
                              "cytostatika, med hänsyn till hjärtsvikt och allmäntillstånd.",
            "treatment": "IMRT 58 Gy mot primärtumör och positiva körtlar, 45 Gy elektivt.",
            "follow_up": "at_home_with_support", "study_considered": False,
            "quality_register": True},
        AC_PLAN, ACKNOWLEDGED,
        not_discussed="Tiden räckte inte; PET-DT-granskningen behöver diskuteras med "
                      "nuklearmedicinare närvarande. Tas upp vid nästa möte."),
    # --- anal cancer: the next meeting: one report past its acknowledgement day -------------
    PastCase(
        _ac(15, "Lokalt avancerad analcancer T4N1bM0 med överväxt på vagina. Kurativ "
                "kemoradioterapi? Behövs avlastande stomi före start?",
            {"diagnosis_basis": "pad_verified", "histology": "squamous_cell",
             "p16_status": "positive", "clinical_tnm": "T4N1bM0",
             "who_performance_status": 1}),
        1, {"stage": "T4N1bM0", "intent": "curative",
            "recommendation": "Avlastande sigmoideostomi, därefter kurativt syftande "
                              "kemoradioterapi.",
            "treatment": "Laparoskopisk sigmoideostomi, sedan IMRT 58 Gy med mitomycin C "
                         "och kapecitabin. Utvärdering med MR bäcken 3 och 6 månader efter "
                         "avslutad behandling.",
            "follow_up": "at_nhv_unit", "study_considered": True, "quality_register": True},
        AC_PLAN, OVERDUE),
    # --- anal cancer: the latest meeting: reports opened and not yet opened ------------------
    PastCase(
        _ac(16, "Kvarvarande tumör 26 veckor efter kemoradioterapi för T3N0M0, biopsi visar "
                "viabel skivepitelcancer. Ställningstagande till salvagekirurgi.",
            {"diagnosis_basis": "pad_verified", "histology": "squamous_cell",
             "p16_status": "negative", "clinical_tnm": "ycT2N0M0",
             "who_performance_status": 1}),
        2, {"stage": "ycT2N0M0", "intent": "curative",
            "recommendation": "Salvagekirurgi: abdominoperineal rektumamputation.",
            "treatment": "Abdominoperineal rektumamputation med plastikkirurgisk rekonstruktion "
                         "av perineum (VRAM-lambå).",
            "follow_up": "at_nhv_unit", "study_considered": False, "quality_register": True},
        AC_PLAN, OPENED),
    PastCase(
        _ac(17, "p16-positiv skivepitelcancer i analkanten, 1,5 cm, T1N0M0, radikalt "
                "exciderad? PAD visar marginal 0,5 mm. Kompletterande behandling?",
            {"diagnosis_basis": "pad_verified", "histology": "squamous_cell",
             "p16_status": "positive", "clinical_tnm": "T1N0M0",
             "who_performance_status": 0}),
        2, {"stage": "T1N0M0", "intent": "curative",
            "recommendation": "Kompletterande strålbehandling mot excisionsområdet på grund "
                              "av snäv marginal.",
            "treatment": "Strålbehandling 50 Gy lokalt, utan cytostatika.",
            "follow_up": "at_home_with_support", "study_considered": False,
            "quality_register": True},
        AC_PLAN, UNREAD),
    # --- CRS/HIPEC: the older meeting, both reports acknowledged ------------------------------
    PastCase(
        _crs(18, "Pseudomyxoma peritonei från LAMN, PCI 14 vid diagnostisk laparoskopi. "
                 "Aktuell för cytoreduktiv kirurgi med HIPEC?",
             {"primary_tumour": "appendix", "previously_operated": True, "pci": 14,
              "who_performance_status": 0}),
        0, {"pci": "PCI 14, inget engagemang av tunntarmens mesenterium.", "intent": "curative",
            "recommendation": "Cytoreduktiv kirurgi (CRS) med HIPEC.",
            "treatment": "CRS med peritonektomi och HIPEC med mitomycin C, 90 minuter "
                         "vid 42 °C.",
            "follow_up": "at_nhv_unit", "study_considered": True, "quality_register": True},
        CRS_PLAN, ACKNOWLEDGED),
    PastCase(
        _crs(19, "Koloncancer med peritoneal carcinos PCI 6 efter sex kurer FOLFOX med "
                 "partiell respons. CRS med HIPEC?",
             {"primary_tumour": "colorectal", "previously_operated": False, "pci": 6,
              "previous_chemotherapy": "FOLFOX, sex kurer, partiell respons.",
              "who_performance_status": 0}),
        0, {"pci": "PCI 6 enligt DT och diagnostisk laparoskopi.", "intent": "curative",
            "recommendation": "Cytoreduktiv kirurgi med HIPEC, i samma seans som "
                              "hemikolektomi höger.",
            "treatment": "Hemikolektomi höger, CRS och HIPEC med oxaliplatin.",
            "follow_up": "at_home_with_support", "study_considered": False,
            "quality_register": True},
        CRS_PLAN, ACKNOWLEDGED),
    # --- CRS/HIPEC: the latest meeting: one report opened, one not yet -----------------------
    PastCase(
        _crs(20, "Peritoneal spridning från ventrikelcancer, PCI 4, positiv buksköljvätska "
                 "som normaliserats efter FLOT. Aktuell för CRS/HIPEC?",
             {"primary_tumour": "gastric", "previously_operated": False, "pci": 4,
              "previous_chemotherapy": "FLOT, fyra kurer.", "who_performance_status": 1}),
        1, {"pci": "PCI 4.", "intent": "curative",
            "recommendation": "Gastrektomi med CRS och HIPEC inom studie.",
            "treatment": "Total gastrektomi, CRS och HIPEC med cisplatin och mitomycin C.",
            "follow_up": "at_nhv_unit", "study_considered": True, "quality_register": True},
        CRS_PLAN, OPENED),
    PastCase(
        _crs(21, "Peritoneal mesoteliom, epiteloid typ, PCI 22. CRS/HIPEC möjlig?",
             {"primary_tumour": "mesothelioma", "previously_operated": False, "pci": 22,
              "who_performance_status": 1}),
        1, {"pci": "PCI 22 med engagemang av tunntarmen.", "intent": "palliative",
            "recommendation": "Inte aktuell för CRS/HIPEC på grund av utbredningen. "
                              "Systemisk behandling rekommenderas.",
            "treatment": "Cisplatin och pemetrexed, därefter ny bedömning.",
            "follow_up": "at_home_with_support", "study_considered": True,
            "quality_register": True},
        {**CRS_PLAN, "operation": "Ingen operation planeras."}, UNREAD),
)
HISTORY_PATIENTS = max(past.referral.patient for past in PAST_CASES)

# Someone of these competences was away at the area's oldest past meeting.
MISSING_AT_FIRST = {"analcancer": "pathologist"}


@dataclass
class _Timeline:
    """What happened, when: run in time order, each step with the clock set to its time."""

    now: datetime
    steps: list[tuple[datetime, int, Callable[[], None]]] = field(default_factory=list)

    def at(self, when: datetime, step: Callable[[], None]) -> None:
        """`step` at `when`; nothing if that is still to come (the clock is never set on)."""
        if when < self.now:
            self.steps.append((when, len(self.steps), step))

    def run(self) -> None:
        for when, _order, step in sorted(self.steps, key=lambda item: item[:2]):
            with clock_set_to(when):
                step()


def _todo(areas: dict[str, CareArea], numbers: list[str]) -> list[PastCase]:
    return [past for past in PAST_CASES if past.referral.area in areas
            and not _has_case(numbers, past.referral)]


def extend_past_calendars(areas: dict[str, CareArea]) -> int:
    """The past weeks' meetings, their hosts and chairs, as the calendar was then. After
    the coming year's (extend_calendars): the planner keeps every host that can still host,
    so the coming meetings keep theirs. Only while some history case is missing; returns
    how many meetings were made."""
    if not _todo(areas, fictitious_identity_numbers(HISTORY_PATIENTS)):
        return 0
    with clock_set_to(utcnow() - timedelta(days=HISTORY_DAYS)):
        return extend_calendars(horizon_months=2)


def load_demo_history(areas: dict[str, CareArea]) -> tuple[int, int]:
    """Hold the demo's past meetings not held yet; returns (meetings held, reports issued).
    Run it after extend_past_calendars and the demo's people."""
    numbers = fictitious_identity_numbers(HISTORY_PATIENTS)
    todo = _todo(areas, numbers)
    if not todo:
        return 0, 0
    now = utcnow()
    timeline = _Timeline(now)
    _plan_scheduler(timeline, areas, now)
    meetings: set[int] = set()
    for past in todo:
        area = areas[past.referral.area]
        held = _past_meetings(area, now)
        if past.meeting + (2 if past.not_discussed else 1) > len(held):
            continue
        meeting = held[past.meeting]
        discussed_at = held[past.meeting + 1] if past.not_discussed else meeting
        meetings |= {meeting.id, discussed_at.id}
        _plan_case(timeline, area, past, numbers, meeting, discussed_at, now)
    for conference_id in meetings:
        conference = db.session.get(Conference, conference_id)
        _plan_meeting(timeline, areas[conference.care_area], conference, now)
    timeline.run()
    issued = sum(1 for past in todo if _has_case(numbers, past.referral)
                 and reports.current_report(_case_of(numbers, past.referral)) is not None)
    return len(meetings), issued


def _has_case(numbers: list[str], demo: DemoCase) -> bool:
    patient = patient_by_identity(Identity(kind="personnummer",
                                           value=numbers[demo.patient - 1]))
    return patient is not None and any(case.care_area == demo.area for case in patient.cases)


def _case_of(numbers: list[str], demo: DemoCase) -> Case:
    patient = patient_by_identity(Identity(kind="personnummer",
                                           value=numbers[demo.patient - 1]))
    return next(case for case in patient.cases if case.care_area == demo.area)


def _past_meetings(area: CareArea, now: datetime) -> list[Conference]:
    """The series' last meetings that have ended (three hours ago at least: their care plans
    were established within the hour after), oldest first."""
    series, count = PAST_SERIES[area.key]
    found = db.session.scalars(
        select(Conference).where(Conference.care_area == area.key,
                                 Conference.series_key == series,
                                 Conference.status != "cancelled",
                                 Conference.ends_at <= now - timedelta(hours=3),
                                 Conference.starts_at >= now - timedelta(days=HISTORY_DAYS))
        .order_by(Conference.starts_at.desc()).limit(count)).all()
    return list(reversed(found))


def _local(when: datetime) -> datetime:
    return when.astimezone(current_app.config["MDK"].tz)


def _morning_after(when: datetime, hour: int) -> datetime:
    local = _local(when)
    return (local + timedelta(days=1)).replace(hour=hour, minute=10, second=0, microsecond=0)


# --- one case: referred, held, signed, established, read ----------------------------------

def _plan_case(timeline: _Timeline, area: CareArea, past: PastCase, numbers: list[str],
               listed_at: Conference, discussed_at: Conference, now: datetime) -> None:
    demo = past.referral
    order = PAST_CASES.index(past)

    def refer() -> None:
        patient = patient_by_identity(Identity(kind="personnummer",
                                               value=numbers[demo.patient - 1]))
        referrer = _user("referrer", area.key)
        coordinator = _coordinator(area, listed_at)
        case = register(demo, patient, referrer)
        cases.move_case(coordinator.actor, coordinator.principal, case, "accept", {
            "conference_id": listed_at.id, "treating_unit_id": listed_at.host_unit_id})

    timeline.at(listed_at.starts_at - timedelta(days=8, hours=2 - order), refer)

    def review() -> None:  # the host's reviewers, before the meeting: nothing to remark
        from mdk.reviews import service as reviews

        for task in _case_of(numbers, demo).review_tasks:
            if task.state == "open" and task.assignee is not None:
                reviewer = task.assignee
                grant = next((grant for grant in reviewer.role_grants
                              if grant.care_area == area.key and grant.role == "reviewer"),
                             None)
                reviews.write_review(actor_for(reviewer, grant), principal_for(reviewer), task,
                                     {"statement": f"{reviews.template_for(task)} "
                                                   "Överensstämmer.",
                                      "discrepancy": "concordant", "comment": None})

    timeline.at(listed_at.starts_at - timedelta(days=3, hours=2 - order), review)

    if past.not_discussed:
        def put_off() -> None:
            coordinator = _coordinator(area, listed_at)
            conference_day.not_discussed(
                coordinator.actor, coordinator.principal, listed_at,
                {"case_id": _case_of(numbers, demo).id, "reason": past.not_discussed,
                 "conference_id": discussed_at.id})

        timeline.at(listed_at.ends_at - timedelta(minutes=5), put_off)

    def sign() -> None:
        case = _case_of(numbers, demo)
        coordinator = _coordinator(area, discussed_at)
        protocol = protocols.open_draft(coordinator.actor, coordinator.principal, case)
        informs = {"person": "Remitterande läkare",
                   "date": (_local(discussed_at.starts_at).date()
                            + timedelta(days=7)).isoformat()}
        values = {**protocol.values, **past.protocol, "informs_patient": informs,
                  "treating_unit": units.get_unit(discussed_at.host_unit_id).hsa_id}
        protocol = protocols.save_draft(coordinator.actor, coordinator.principal, case,
                                        protocol, values, protocol.version)
        chair = _chair(area, discussed_at)
        protocols.sign(chair.actor, chair.principal, case, protocol, protocol.version, True)

    # Signed as the meeting goes through its cases, the case's place on it apart.
    place = _place(past)
    timeline.at(min(discussed_at.starts_at + timedelta(minutes=10 + 8 * place),
                    discussed_at.ends_at - timedelta(minutes=5)), sign)

    established_at = _establishing_time(area, discussed_at, now, order, past.report)

    def establish() -> None:
        case = _case_of(numbers, demo)
        coordinator = _coordinator(area, discussed_at)
        plan = care_plans.open_draft(coordinator.actor, coordinator.principal, case)
        plan = care_plans.save_draft(coordinator.actor, coordinator.principal, case, plan,
                                     {**plan.values, **past.care_plan}, plan.version)
        care_plans.establish(coordinator.actor, coordinator.principal, case, plan,
                             plan.version, True)

    timeline.at(established_at, establish)
    _plan_reading(timeline, area, past, numbers, established_at, now)


def _place(past: PastCase) -> int:
    """The case's place among those discussed at its meeting (0 = the first)."""
    def discussed(other: PastCase) -> tuple[str, int]:
        return other.referral.area, other.meeting + (1 if other.not_discussed else 0)

    return [other for other in PAST_CASES if discussed(other) == discussed(past)].index(past)


def _establishing_time(area: CareArea, conference: Conference, now: datetime, order: int,
                       outcome: str) -> datetime:
    """Right after the meeting; a report still to be acknowledged whose day would have gone
    by then was established (so issued) this morning instead, within its deadline."""
    after_meeting = conference.ends_at + timedelta(minutes=20 + 5 * order)
    if outcome not in (OPENED, UNREAD):
        return after_meeting
    due, _remind, _escalate = reports.deadlines(area.key, after_meeting)
    if due >= _local(now).date():
        return after_meeting
    return max(after_meeting, now - timedelta(minutes=40 - order))


def _plan_reading(timeline: _Timeline, area: CareArea, past: PastCase, numbers: list[str],
                  issued_at: datetime, now: datetime) -> None:
    demo = past.referral

    def reader():
        case = _case_of(numbers, demo)
        referrer = case.contact_person
        grant = next(grant for grant in referrer.role_grants
                     if grant.role == "referrer" and grant.care_area == area.key)
        return case, actor_for(referrer, grant), principal_for(referrer)

    def open_report() -> None:
        case, actor, principal = reader()
        reports.read_report(actor, principal, case, reports.current_report(case), "page")

    def acknowledge() -> None:
        case, actor, principal = reader()
        report = reports.current_report(case)
        reports.acknowledge(actor, principal, case, report, report.revision)

    if past.report == ACKNOWLEDGED:
        opened_at = _morning_after(issued_at, 8)
        timeline.at(opened_at, open_report)
        timeline.at(opened_at + timedelta(minutes=6), acknowledge)
    elif past.report == OPENED:
        timeline.at(min(issued_at + timedelta(hours=2), now - timedelta(minutes=10)),
                    open_report)
    elif past.report == OVERDUE:
        remind_on, escalate_on = reports.deadlines(area.key, issued_at)[1:]
        for day in (remind_on, escalate_on):
            when = reports._due_from(day) + timedelta(minutes=5)  # the job's morning run
            if when < now:
                timeline.at(when, lambda: reports.remind_and_escalate())


# --- one meeting: held, its attendance noted ------------------------------------------------

def _plan_scheduler(timeline: _Timeline, areas: dict[str, CareArea], now: datetime) -> None:
    """The scheduler's start-meetings job as it ran then: every past meeting is held at its
    start, and one with nothing left on it closed after its end."""
    past = db.session.scalars(
        select(Conference).where(Conference.care_area.in_(list(areas)),
                                 Conference.status.in_(lifecycle.STARTABLE),
                                 Conference.starts_at >= now - timedelta(days=HISTORY_DAYS),
                                 Conference.ends_at <= now - timedelta(hours=1))).all()
    for conference in past:
        timeline.at(conference.starts_at, lifecycle.start_due_meetings)
        timeline.at(conference.ends_at + timedelta(hours=6),
                    lifecycle.close_finished_meetings)


def _plan_meeting(timeline: _Timeline, area: CareArea, conference: Conference,
                  now: datetime) -> None:
    oldest = _past_meetings(area, now)[:1]
    missing = MISSING_AT_FIRST.get(area.key) if oldest and oldest[0].id == conference.id \
        else None
    plan_holding(timeline, area, conference, missing)


def plan_holding(timeline: _Timeline, area: CareArea, conference: Conference,
                 missing: str | None) -> None:
    """The meeting held at its start, its attendance noted: everyone of the quorum present
    but whoever holds the competence `missing` (None: nobody away)."""

    def hold() -> None:
        coordinator = _coordinator(area, conference)
        # The coordinator opens the meeting's view at the start: it is held from then, and
        # its attendance lists the invited MDT; those who joined are noted present (the
        # host's on site, the other units' on video), the rest of the area's quorum added.
        conference_day.conference_day(coordinator.actor, coordinator.principal, conference)
        noting = coordinator.actor, coordinator.principal, conference
        listed = set()
        for row in attendance.attendance_of(conference):
            listed.add(row.competence)
            if row.competence != missing:
                attendance.correct_attendance(*noting, {
                    "attendance_id": row.id, "present": True,
                    "remote": row.unit_id != conference.host_unit_id})
        for person, competence in _attendees(area, conference):
            if competence not in listed and competence != missing:
                attendance.add_attendee(*noting, {"person_id": person.id,
                                                  "competence": competence, "remote": False})

    timeline.at(conference.starts_at + timedelta(minutes=1), hold)


def _attendees(area: CareArea, conference: Conference):
    """A holder of each competence of the quorum (and the pathologist) at the host."""
    for competence in dict.fromkeys(area.quorum + area.quorum_when_needed):
        person = _holder(conference.host_unit_id, competence)
        if person is not None:
            yield person, competence


def _holder(unit_id: int, competence: str) -> Person | None:
    return next((person for person in people.list_people(unit_id=unit_id)
                 if competence in person.competence_keys and person.active), None)


def _coordinator(area: CareArea, conference: Conference):
    host = units.get_unit(conference.host_unit_id)
    return (_user("coordinator", area.key, host.hsa_id if host else None)
            or _user("coordinator", area.key))


def _chair(area: CareArea, conference: Conference):
    chair = conference.chair
    grant = next((grant for grant in chair.role_grants if grant.care_area == area.key
                  and grant.role == "member"), None)
    return _User(actor_for(chair, grant), principal_for(chair))
