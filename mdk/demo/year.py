"""A whole demo year (`mdk demo load --year`): a year of both areas' meetings before the
demo's hand-told history, so every statistic, list and follow-up has content.

Generated, not hand-written: a seeded random choice (the same every time for the same
calendar) of referrals from every referring unit, triaged onto the past year's meetings
(anal cancer: the national series; CRS/HIPEC: Akademiska sjukhuset's own series); some
deferred by the coordinator, some held at the readiness gate and deferred, some listed and
not discussed;
secondary reviews with their discrepancies; meetings held with their attendance (now and
then without a competence of the quorum); protocols signed, care plans established and
reports acknowledged (a few late, a few never); treatment started inside and outside the
17-day target, some not treated, some deviating from the recommendation with a reason.

Every step goes through the features' services with the clock set to when it happened, as
in mdk.demo.history (its _Timeline). The year's mail is what the scheduler delivered then:
marked sent at its time rather than written to the instance's mail folder on first start.

Idempotent: nothing is done once any of the year's patients has a case.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, update

from mdk.audit.service import system_actor
from mdk.care_areas.domain import CareArea
from mdk.care_plans import service as care_plans
from mdk.cases import service as cases
from mdk.cases.models import Case
from mdk.conference_day import service as conference_day
from mdk.conferences import lifecycle
from mdk.conferences.models import Conference
from mdk.conferences.service import extend_calendars
from mdk.db import clock_set_to, utcnow
from mdk.demo.cases import DemoCase, _User, _user, register
from mdk.demo.history import (
    AC_PLAN,
    CRS_PLAN,
    HISTORY_DAYS,
    _chair,
    _coordinator,
    _local,
    _Timeline,
    plan_holding,
)
from mdk.extensions import db
from mdk.outbox.models import OutboxMessage
from mdk.patients.models import Patient
from mdk.patients.service import create_fictitious_patients, fictitious_identity_numbers
from mdk.people import service as people
from mdk.proms import recording as proms
from mdk.proms.service import after as prom_day
from mdk.protocols import service as protocols
from mdk.reports import service as reports
from mdk.treatment import service as treatment
from mdk.units import service as units

SEED = 20261202
# The year's patients come from a sequence of their own (the demo's and the scale's differ).
PATIENT_SEED = 19700101
YEAR_DAYS = 364
# The series the year holds, and how many cases each meeting discusses (inclusive range).
YEAR_SERIES = {"analcancer": {"national": (2, 3)}, "crs_hipec": {"as": (1, 2)}}
PATIENTS = 240  # more than the series' meetings can take
MEETINGS: int | None = None  # the oldest this many of each series only (the tests' short year)
# Shares of the year's cases (per case, drawn once each).
DEFERRED, HELD_AT_GATE, NOT_DISCUSSED = 0.06, 0.04, 0.04
DISCREPANCY_WEIGHTS = {"concordant": 80, "minor": 14, "major": 6}
NOT_TREATED, DEVIATED = 0.06, 0.14
MISSING_COMPETENCE = 0.08  # of the meetings
WITHIN_TARGET = 0.78  # of the anal cancer cases treated: start within the 17 days
NEVER_ACKNOWLEDGED, ACKNOWLEDGED_LATE = 0.04, 0.10
PROM_WEIGHTS = {"done": 82, "declined": 7, "not_reached": 6, None: 5}  # None: not yet
REPORT_DAYS_LATER = (0, 0, 0, 0, 1, 1, 2, 3, 6)  # after the meeting, drawn per case


@dataclass(frozen=True)
class _Plan:
    """One generated case: where it is listed and where it is discussed."""

    area: CareArea
    patient: Patient
    referring_unit: str  # HSA id
    listed_at: Conference
    discussed_at: Conference
    deferred: bool
    held: bool
    not_discussed: bool
    place: int


def _year_numbers() -> list[str]:
    return fictitious_identity_numbers(PATIENTS, PATIENT_SEED)


def _year_cases_exist() -> bool:
    return db.session.scalar(
        select(Case.id).join(Patient, Case.patient_id == Patient.id)
        .where(Patient.identity_value == _year_numbers()[0]).limit(1)) is not None


def load_demo_year(areas: dict[str, CareArea], referring_hsa_ids: list[str]) -> int:
    """Hold the demo year; returns how many cases it referred (0 once it is there)."""
    if _year_cases_exist():
        return 0
    now = utcnow()
    with clock_set_to(now - timedelta(days=YEAR_DAYS + 7)):
        extend_calendars(horizon_months=12)
    _year_referrers(areas, referring_hsa_ids)
    patients = _year_patients()
    rng = random.Random(SEED)
    plans = _plans(areas, patients, referring_hsa_ids, now, rng)
    timeline = _Timeline(now)
    if plans:
        _plan_scheduler(timeline, areas, now,
                        max(plan.discussed_at.starts_at for plan in plans) + timedelta(days=1))
    for meeting_id in sorted({plan.discussed_at.id for plan in plans}
                             | {plan.listed_at.id for plan in plans}):
        meeting = db.session.get(Conference, meeting_id)
        area = areas[meeting.care_area]
        # Now and then a competence of the quorum is away (the quorum is then incomplete).
        missing = rng.choice(area.quorum) if rng.random() < MISSING_COMPETENCE else None
        plan_holding(timeline, area, meeting, missing)
    for plan in plans:
        _plan_case(timeline, plan, now, rng)
    timeline.run()
    _mail_delivered_then(now)
    db.session.commit()
    return len(plans)


def _year_referrers(areas: dict[str, CareArea], referring_hsa_ids: list[str]) -> None:
    """A referring physician at every referring unit for every area (the demo's own
    referrers refer from one unit each)."""
    from mdk.demo.service import _ensure_person

    for index, hsa_id in enumerate(referring_hsa_ids):
        unit = units.unit_by_hsa_id(hsa_id)
        for area_index, area in enumerate(areas.values()):
            name = YEAR_REFERRER_NAMES[(index * len(areas) + area_index)
                                       % len(YEAR_REFERRER_NAMES)]
            person = _ensure_person(unit, name, "Remitterande läkare", [])
            if not any(grant.role == "referrer" and grant.care_area == area.key
                       for grant in person.role_grants):
                people.grant_role(person, "referrer", area.key, unit.id)
    db.session.commit()


YEAR_REFERRER_NAMES = (("Åsa", "Granlund"), ("Björn", "Hellström"), ("Cecilia", "Ivarsson"),
                       ("David", "Jakobsson"), ("Elin", "Kjellberg"), ("Gustav", "Lindberg"),
                       ("Hanna", "Malmqvist"), ("Isak", "Nordin"))


def _year_patients() -> list[Patient]:
    """The year's fictitious patients (Testpatient Ett, ... of a sequence of their own), in
    their sequence's order; a number the demo already has is not the year's."""
    create_fictitious_patients(system_actor(), PATIENTS, seed=PATIENT_SEED)
    db.session.commit()
    found = {patient.identity_value: patient for patient in db.session.scalars(
        select(Patient).where(Patient.identity_value.in_(_year_numbers())))}
    return [found[number] for number in _year_numbers()
            if number in found and not found[number].cases]


def _year_meetings(area: CareArea, series: str, now: datetime) -> list[Conference]:
    """The series' meetings of the year before the demo's history (which holds the last
    weeks), oldest first."""
    return list(db.session.scalars(
        select(Conference).where(
            Conference.care_area == area.key, Conference.series_key == series,
            Conference.status != "cancelled",
            Conference.starts_at >= now - timedelta(days=YEAR_DAYS),
            Conference.starts_at < now - timedelta(days=HISTORY_DAYS + 7))
        .order_by(Conference.starts_at).limit(MEETINGS)))


def _plans(areas: dict[str, CareArea], patients: list[Patient], referring: list[str],
           now: datetime, rng: random.Random) -> list[_Plan]:
    plans: list[_Plan] = []
    queue = iter(patients)
    unit_weights = [4, 3, 2, 1][:len(referring)] or [1]
    for area_key, series_sizes in YEAR_SERIES.items():
        area = areas.get(area_key)
        if area is None:
            continue
        for series, (low, high) in series_sizes.items():
            meetings = _year_meetings(area, series, now)
            places: dict[int, int] = {}
            for index, meeting in enumerate(meetings[:-1]):  # the last: only as "next"
                for _ in range(rng.randint(low, high)):
                    patient = next(queue, None)
                    if patient is None:
                        return plans
                    kind = _kind(sum(plan.listed_at.series_key == series for plan in plans
                                     if plan.area is area), rng)
                    deferred, held, not_discussed = (kind == "deferred", kind == "held",
                                                     kind == "not_discussed")
                    moved = kind is not None
                    discussed_at = meetings[index + 1] if moved else meeting
                    place = places.get(discussed_at.id, 0)
                    places[discussed_at.id] = place + 1
                    plans.append(_Plan(
                        area, patient, rng.choices(referring, unit_weights)[0], meeting,
                        discussed_at, deferred, held, not_discussed, place))
    return plans


# Each series' first cases show every way a case can go (a short year too); then by chance.
FIRST_OF_KIND = {2: "deferred", 5: "held", 8: "not_discussed"}


def _kind(number: int, rng: random.Random) -> str | None:
    """How case `number` (0 = the series' first) of a series is moved off its first meeting:
    deferred by the coordinator, held at the gate, listed but not discussed, or None."""
    roll = rng.random()
    if number in FIRST_OF_KIND:
        return FIRST_OF_KIND[number]
    if roll < DEFERRED:
        return "deferred"
    if roll < DEFERRED + HELD_AT_GATE:
        return "held"
    if roll < DEFERRED + HELD_AT_GATE + NOT_DISCUSSED:
        return "not_discussed"
    return None


# --- one case ---------------------------------------------------------------------------------

AC_STAGES = ("T1N0M0", "T2N0M0", "T2N1aM0", "T3N0M0", "T3N1aM0", "T3N1bM0", "T4N0M0",
             "T4N1bM0")
AC_TREATMENTS = (
    ("Kurativt syftande kemoradioterapi enligt nationellt vårdprogram.",
     "IMRT 54 Gy mot primärtumören och 36 Gy elektivt, med mitomycin C och kapecitabin."),
    ("Strålbehandling med kurativ intention utan samtidig cytostatika.",
     "IMRT 58 Gy mot primärtumör och positiva körtlar, 45 Gy elektivt."),
    ("Lokal excision bedöms radikal; uppföljning utan tilläggsbehandling.",
     "Ingen tilläggsbehandling. Kontroll med MR bäcken efter 3 månader."),
)
CRS_TREATMENTS = (
    ("Cytoreduktiv kirurgi (CRS) med HIPEC.",
     "CRS med peritonektomi och HIPEC med mitomycin C, 90 minuter vid 42 °C."),
    ("Cytoreduktiv kirurgi med HIPEC efter ytterligare tre kurer systemisk behandling.",
     "Tre kurer FOLFOX, ny DT, därefter CRS och HIPEC med oxaliplatin."),
    ("Inte aktuell för CRS/HIPEC; systemisk behandling rekommenderas.",
     "Systemisk behandling vid hemorten, ny bedömning efter 3 månader."),
)
REASONS_DEFERRED = ("Kompletterande MR bäcken behövs före bedömningen.",
                    "PET-DT är bokad efter mötet; tas upp när den är granskad.")
REASON_HELD = "Material saknades vid stopptiden; ärendet flyttas till nästa möte."
REASON_NOT_DISCUSSED = "Tiden räckte inte; tas upp vid nästa möte."


def _question(area: CareArea, stage: str) -> tuple[str, dict]:
    if area.key == "analcancer":
        return (f"Skivepitelcancer i analkanalen, {stage} enligt MR bäcken och PET-DT. "
                "Behandlingsrekommendation?",
                {"diagnosis_basis": "pad_verified", "histology": "squamous_cell",
                 "p16_status": "positive", "clinical_tnm": stage,
                 "who_performance_status": 0})
    return (f"Peritoneal carcinos, {stage}. Aktuell för cytoreduktiv kirurgi med HIPEC?",
            {"primary_tumour": "colorectal", "previously_operated": False,
             "who_performance_status": 0})


def _plan_case(timeline: _Timeline, plan: _Plan, now: datetime, rng: random.Random) -> None:
    area, listed, discussed = plan.area, plan.listed_at, plan.discussed_at
    stage = rng.choice(AC_STAGES) if area.key == "analcancer" else f"PCI {rng.randint(3, 24)}"
    treatments = AC_TREATMENTS if area.key == "analcancer" else CRS_TREATMENTS
    recommendation, treatment_text = rng.choice(treatments)
    treated_at_host = rng.random() < 0.7
    discrepancies = rng.choices(list(DISCREPANCY_WEIGHTS), list(DISCREPANCY_WEIGHTS.values()),
                                k=4)
    state: dict[str, int] = {}

    def case():
        return cases.get_case(state["case_id"])

    def refer() -> None:
        referrer = _user("referrer", area.key, plan.referring_unit)
        question, answers = _question(area, stage)
        made = register(DemoCase(area.key, 0, "accepted", "primary", question, answers),
                        plan.patient, referrer)
        state["case_id"] = made.id

    def accept() -> None:
        coordinator = _coordinator(area, listed)
        cases.move_case(coordinator.actor, coordinator.principal, case(), "accept", {
            "conference_id": listed.id,
            "treating_unit_id": _treating_unit(area, listed, treated_at_host)})

    referred_at = _working_time(listed.starts_at - timedelta(days=rng.randint(7, 20)), rng)
    timeline.at(referred_at, refer)
    timeline.at(referred_at + timedelta(hours=rng.randint(2, 26)), accept)

    if plan.deferred or plan.held:
        def defer() -> None:
            coordinator = _coordinator(area, listed)
            if plan.held:
                from mdk.material import gate
                gate.judge_now(case())
            cases.move_case(coordinator.actor, coordinator.principal, case(), "defer", {
                "conference_id": discussed.id,
                "reason": REASON_HELD if plan.held else rng.choice(REASONS_DEFERRED)})

        timeline.at(listed.starts_at - timedelta(days=2 if plan.held else 4, hours=1), defer)

    def review() -> None:
        from mdk.access.policy import principal_for
        from mdk.audit.service import actor_for
        from mdk.reviews import service as reviews

        for index, task in enumerate(case().review_tasks):
            if task.state != "open" or task.assignee is None:
                continue
            reviewer = task.assignee
            grant = next((grant for grant in reviewer.role_grants
                          if grant.care_area == area.key and grant.role == "reviewer"), None)
            discrepancy = discrepancies[index % len(discrepancies)]
            remark = {"concordant": "Överensstämmer.",
                      "minor": "Mindre avvikelse utan betydelse för behandlingen.",
                      "major": "Väsentlig avvikelse: påverkar stadieindelningen."}[discrepancy]
            reviews.write_review(actor_for(reviewer, grant), principal_for(reviewer), task,
                                 {"statement": f"{reviews.template_for(task)} {remark}",
                                  "discrepancy": discrepancy, "comment": None})

    timeline.at(discussed.starts_at - timedelta(days=3, hours=3), review)

    if plan.not_discussed:
        def put_off() -> None:
            coordinator = _coordinator(area, listed)
            conference_day.not_discussed(coordinator.actor, coordinator.principal, listed, {
                "case_id": state["case_id"], "reason": REASON_NOT_DISCUSSED,
                "conference_id": discussed.id})

        timeline.at(listed.ends_at - timedelta(minutes=5), put_off)

    def sign() -> None:
        coordinator = _coordinator(area, discussed)
        protocol = protocols.open_draft(coordinator.actor, coordinator.principal, case())
        values = {**protocol.values, **_protocol_values(area, stage, recommendation,
                                                        treatment_text, discussed),
                  "treating_unit": units.get_unit(case().treating_unit_id
                                                  or discussed.host_unit_id).hsa_id}
        protocol = protocols.save_draft(coordinator.actor, coordinator.principal, case(),
                                        protocol, values, protocol.version)
        chair = _chair(area, discussed)
        protocols.sign(chair.actor, chair.principal, case(), protocol, protocol.version, True)

    timeline.at(min(discussed.starts_at + timedelta(minutes=10 + 6 * plan.place),
                    discussed.ends_at - timedelta(minutes=5)), sign)

    # Most care plans are established (so reported) right after the meeting, some on one
    # of the next working days.
    days_later = rng.choice(REPORT_DAYS_LATER)
    established_at = (discussed.ends_at + timedelta(minutes=20 + 4 * plan.place)
                      if days_later == 0 else
                      _working_time(discussed.ends_at + timedelta(days=days_later), rng))

    def establish() -> None:
        coordinator = _coordinator(area, discussed)
        care_plan = care_plans.open_draft(coordinator.actor, coordinator.principal, case())
        filled = AC_PLAN if area.key == "analcancer" else CRS_PLAN
        care_plan = care_plans.save_draft(coordinator.actor, coordinator.principal, case(),
                                          care_plan, {**care_plan.values, **filled},
                                          care_plan.version)
        care_plans.establish(coordinator.actor, coordinator.principal, case(), care_plan,
                             care_plan.version, True)

    timeline.at(established_at, establish)
    _plan_reading(timeline, state, established_at, rng)
    _plan_treatment(timeline, plan, state, rng)


def _protocol_values(area: CareArea, stage: str, recommendation: str, treatment_text: str,
                     discussed: Conference) -> dict:
    informs = {"person": "Remitterande läkare",
               "date": (_local(discussed.starts_at).date() + timedelta(days=7)).isoformat()}
    common = {"intent": "curative", "recommendation": recommendation,
              "treatment": treatment_text, "follow_up": "at_home_with_support",
              "study_considered": False, "quality_register": True, "informs_patient": informs}
    if area.key == "analcancer":
        return {**common, "stage": stage}
    return {**common, "pci": f"{stage} enligt DT och diagnostisk laparoskopi."}


def _plan_reading(timeline: _Timeline, state: dict, issued_at: datetime,
                  rng: random.Random) -> None:
    roll = rng.random()
    if roll < NEVER_ACKNOWLEDGED:
        return
    late = roll < NEVER_ACKNOWLEDGED + ACKNOWLEDGED_LATE
    opened_at = _working_time(issued_at + timedelta(days=rng.randint(4, 8) if late
                                                    else rng.randint(1, 2)), rng)

    def acknowledge() -> None:
        case = cases.get_case(state["case_id"])
        user = _contact(case)
        report = reports.current_report(case)
        reports.read_report(user.actor, user.principal, case, report, "page")
        reports.acknowledge(user.actor, user.principal, case, report, report.revision)

    timeline.at(opened_at, acknowledge)


def _plan_treatment(timeline: _Timeline, plan: _Plan, state: dict, rng: random.Random) -> None:
    meeting_day = _local(plan.discussed_at.starts_at).date()
    data: dict = {"outcome": "started", "adherence": "followed"}
    if rng.random() < NOT_TREATED:
        data = {"outcome": "not_treated", "adherence": "deviated",
                "deviation_reason": _reason(plan.area, rng),
                "note": "Patienten avböjde behandling efter samtal med kontaktsjuksköterskan."}
        recorded_day = meeting_day + timedelta(days=rng.randint(10, 25))
    else:
        if plan.area.key == "analcancer":
            days = rng.randint(6, 17) if rng.random() < WITHIN_TARGET else rng.randint(18, 40)
        else:
            days = rng.randint(14, 45)
        started = meeting_day + timedelta(days=days)
        data["started_on"] = started.isoformat()
        if rng.random() < DEVIATED:
            data.update(adherence="deviated", deviation_reason=_reason(plan.area, rng),
                        note="Ändrad behandling enligt beslut vid behandlande enhet.")
        recorded_day = started + timedelta(days=rng.randint(0, 3))

    def record() -> None:
        case = cases.get_case(state["case_id"])
        user = _contact(case)
        treatment.record(user.actor, user.principal, case, data)

    zone = _local(plan.discussed_at.starts_at).tzinfo
    timeline.at(datetime.combine(recorded_day, time(10, 15 + plan.place), tzinfo=zone), record)
    if data["outcome"] == "started":
        _plan_proms(timeline, plan, state, date.fromisoformat(data["started_on"]),
                    recorded_day, rng)


def _plan_proms(timeline: _Timeline, plan: _Plan, state: dict, started: date,
                recorded_day: date, rng: random.Random) -> None:
    """The contact nurse's follow-up: the end of treatment (anal cancer: chemoradiotherapy
    over about six weeks) or the discharge after surgery (CRS/HIPEC) recorded, then each PROM
    time point of the care plan's schedule once its day has come: mostly done (with the
    instrument's score), now and then declined or not reached, a few not yet followed up."""
    area = plan.area
    zone = _local(plan.discussed_at.starts_at).tzinfo
    ended = started + timedelta(days=rng.randint(38, 45) if area.key == "analcancer"
                                else rng.randint(8, 16))
    anchors = {"treatment_start": started, "treatment_end": ended, "discharge": ended,
               "conference": _local(plan.discussed_at.starts_at).date()}

    def nurse() -> _User:
        unit = units.get_unit(cases.get_case(state["case_id"]).treating_unit_id)
        return (_user("coordinator", area.key, unit.hsa_id if unit else None)
                or _user("coordinator", area.key))

    def record_end() -> None:
        user = nurse()
        proms.record_dates(user.actor, user.principal, cases.get_case(state["case_id"]), {
            "treatment_ended_on": ended.isoformat(), "discharged_on": ended.isoformat()
            if area.key == "crs_hipec" else None})

    dated = max(ended, recorded_day) + timedelta(days=1)
    timeline.at(datetime.combine(dated, time(11, 5 + plan.place), tzinfo=zone), record_end)
    template = area.template("care_plan")
    points = [row for section in (template.sections if template else ()) if section.prom
              for row in section.rows]
    for position, point in enumerate(points, start=1):
        due = prom_day(anchors[point["from"]], point["count"], point["unit"])
        status = rng.choices(list(PROM_WEIGHTS), list(PROM_WEIGHTS.values()))[0]
        if status is None:
            continue
        completed = due + timedelta(days=rng.randint(0, 12))
        data = {"status": status}
        if status == "done":
            data["completed_on"] = completed.isoformat()
            # LARS: 0–42; EORTC QLQ-C30: its global health status, 0–100.
            data["score"] = str(rng.randint(4, 38) if "LARS" in (point.get("instrument") or "")
                                else rng.randint(35, 95))

        def record(position=position, data=data) -> None:
            user = nurse()
            proms.record(user.actor, user.principal, cases.get_case(state["case_id"]),
                         position, data)

        when = datetime.combine(max(completed, dated) + timedelta(days=1),
                                time(13, 10 + plan.place), tzinfo=zone)
        timeline.at(when, record)


def _reason(area: CareArea, rng: random.Random) -> str | None:
    reasons = [reason.key for reason in area.deviation_reasons]
    return rng.choice(reasons) if reasons else None


def _contact(case) -> _User:
    from mdk.access.policy import principal_for
    from mdk.audit.service import actor_for

    referrer = case.contact_person
    grant = next(grant for grant in referrer.role_grants
                 if grant.role == "referrer" and grant.care_area == case.care_area)
    return _User(actor_for(referrer, grant), principal_for(referrer))


def _treating_unit(area: CareArea, meeting: Conference, at_host: bool) -> int | None:
    if at_host:
        return meeting.host_unit_id
    others = [unit.id for unit in cases.treating_units(area.key)
              if unit.id != meeting.host_unit_id]
    return others[0] if others else meeting.host_unit_id


def _working_time(when: datetime, rng: random.Random) -> datetime:
    """A time between 08 and 16 local time on the day of `when`, or on the Monday after
    when that is a weekend (so a step a day or more after another stays after it)."""
    local = _local(when)
    day: date = local.date()
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(rng.randint(8, 15), rng.randint(0, 59)),
                            tzinfo=local.tzinfo)


def _plan_scheduler(timeline: _Timeline, areas: dict[str, CareArea], now: datetime,
                    until: datetime) -> None:
    """The scheduler's meeting jobs as they ran that year, up to `until`: at each meeting's
    start (every meeting due is started) and in the evening (the finished ones closed)."""
    starts = db.session.scalars(
        select(Conference.starts_at).where(
            Conference.care_area.in_(list(areas)),
            Conference.status.in_(lifecycle.STARTABLE),
            Conference.starts_at >= now - timedelta(days=YEAR_DAYS + 7),
            Conference.starts_at < min(until, now - timedelta(days=HISTORY_DAYS)))).all()
    for starts_at in sorted(set(starts)):
        timeline.at(starts_at, lifecycle.start_due_meetings)
        timeline.at(starts_at + timedelta(hours=9), lifecycle.close_finished_meetings)


def _mail_delivered_then(now: datetime) -> None:
    """The year's queued mail, older than the demo's history, was delivered at its time."""
    db.session.execute(update(OutboxMessage).where(
        OutboxMessage.state == "queued",
        OutboxMessage.created_at < now - timedelta(days=HISTORY_DAYS + 7))
        .values(state="sent", sent_at=OutboxMessage.created_at, attempts=1))
