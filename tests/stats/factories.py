"""A small hand-built dataset for the statistics, with every figure computed by hand in
tests/stats/test_figures_by_hand.py.

Rows are inserted directly (the services would take minutes to hold two meetings, review,
report and record treatments for a dozen cases); each row is what the service would
have written for the figure it feeds. The period is 2026-03-30 .. 2026-06-30: Swedish
summer time began on 2026-03-29 at 02:00, so a referral at 00:30 local time on 03-30 is
22:30 UTC on 03-29 (in the period, by its local day), and one at 00:30 local on 07-01 is
22:30 UTC on 06-30 (outside it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from mdk.cases.models import Case, CaseTransition
from mdk.conference_day.models import Attendance
from mdk.conferences.models import Conference
from mdk.extensions import db
from mdk.material.models import MaterialItem
from mdk.patients.models import Patient
from mdk.patients.service import fictitious_identity_numbers
from mdk.reviews.models import ReviewTask
from mdk.stats.period import Period
from mdk.treatment.models import TreatmentOutcome
from tests.cases.factories import AREA, World, make_world

STOCKHOLM = ZoneInfo("Europe/Stockholm")
PERIOD = Period(date(2026, 3, 30), date(2026, 6, 30))
NUMBERS = fictitious_identity_numbers(40, seed=1515)


def local(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A Stockholm wall-clock time as the aware UTC instant the database stores."""
    return datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM).astimezone(UTC)


@dataclass
class Dataset:
    world: World
    meetings: dict[str, Conference] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)


def _meeting(data: Dataset, name: str, starts: datetime, host, status: str = "held"):
    meeting = Conference(care_area=AREA, series_key="stats", planned_day=starts.date(),
                         starts_at=starts, ends_at=starts + timedelta(minutes=90),
                         host_unit_id=host.id, capacity=20, status=status)
    db.session.add(meeting)
    data.meetings[name] = meeting
    return meeting


def _case(data: Dataset, name: str, unit, submitted: datetime, state: str,
          meeting: str | None = None) -> Case:
    index = len(data.cases)
    patient = Patient(identity_kind="personnummer", identity_value=NUMBERS[index],
                      given_name="Testpatient", family_name=f"Statistik{index}",
                      fictitious=True)
    db.session.add(patient)
    db.session.flush()
    case = Case(number=f"ST-2026-{index + 1:04d}", care_area=AREA, patient_id=patient.id,
                referring_unit_id=unit.id, question="Statistikfall (fiktivt).",
                case_type="primary", consent_recorded=True, answers={}, state=state,
                conference_id=data.meetings[meeting].id if meeting else None,
                submitted_at=submitted)
    db.session.add(case)
    db.session.flush()
    data.cases[name] = case
    return case


def _move(case: Case, action: str, at: datetime, reason: str | None = None,
          by_system: bool = False, to_state: str = "deferred", actor=None) -> None:
    db.session.add(CaseTransition(case_id=case.id, action=action, from_state="accepted",
                                  to_state=to_state, reason=reason,
                                  actor_id=None if by_system else actor.id,
                                  actor_name="system" if by_system else actor.name,
                                  occurred_at=at))


def _treatment(case: Case, meeting: Conference, started_on: date | None,
               adherence: str = "followed", reason: str | None = None) -> None:
    db.session.add(TreatmentOutcome(
        case_id=case.id, conference_id=meeting.id,
        outcome="started" if started_on else "not_treated", started_on=started_on,
        adherence=adherence, deviation_reason=reason, recorded_at=local(2026, 6, 1)))


def _review(case: Case, meeting: Conference, competence: str, discrepancy: str | None,
            state: str = "done") -> None:
    item = MaterialItem(case_id=case.id, kind="mri", required=True, review_by=competence)
    db.session.add(item)
    db.session.flush()
    db.session.add(ReviewTask(case_id=case.id, item_id=item.id, conference_id=meeting.id,
                              competence=competence, host_unit_id=meeting.host_unit_id,
                              state=state, due_at=meeting.starts_at - timedelta(days=1),
                              discrepancy=discrepancy if state == "done" else None))


def _present(meeting: Conference, person, competence: str, remote: bool = False,
             present: bool = True) -> None:
    db.session.add(Attendance(conference_id=meeting.id, person_id=person.id,
                              competence=competence, unit_id=person.unit_id, remote=remote,
                              present=present, source="day"))


def build() -> Dataset:
    world = make_world()
    data = Dataset(world)
    nhv, a, b = world.nhv, world.referring, world.other_referring
    people = world.people
    # Meetings: M1 and M2 held in the period, M0 held before it; a cancelled and a planned
    # one in the period count as no meeting held.
    m1 = _meeting(data, "M1", local(2026, 4, 8, 8), nhv[0])
    m2 = _meeting(data, "M2", local(2026, 5, 6, 8), nhv[1])
    m0 = _meeting(data, "M0", local(2026, 3, 25, 8), nhv[0])
    _meeting(data, "cancelled", local(2026, 4, 15, 8), nhv[2], status="cancelled")
    _meeting(data, "planned", local(2026, 6, 24, 8), nhv[2], status="planned")
    db.session.flush()

    # Referred in the period: six from unit A, two from unit B.
    a1 = _case(data, "A1", a, local(2026, 3, 30, 0, 30), "closed", "M1")  # after DST
    a2 = _case(data, "A2", a, local(2026, 3, 31), "closed", "M1")
    a3 = _case(data, "A3", a, local(2026, 4, 1), "closed", "M1")
    a4 = _case(data, "A4", a, local(2026, 4, 20), "closed", "M2")
    a5 = _case(data, "A5", a, local(2026, 4, 22), "closed", "M2")
    a6 = _case(data, "A6", a, local(2026, 4, 27), "reported", "M2")
    b1 = _case(data, "B1", b, local(2026, 4, 2), "closed", "M1")
    _case(data, "B2", b, local(2026, 6, 30, 23, 30), "submitted")  # 21:30 UTC: in
    # Referred outside the period.
    a0 = _case(data, "A0", a, local(2026, 3, 29, 23, 30), "discussed", "M1")  # 21:30 UTC
    _case(data, "B0", b, local(2026, 7, 1, 0, 30), "submitted")  # 22:30 UTC on 06-30
    c0 = _case(data, "C0", a, local(2026, 3, 10), "closed", "M0")
    _case(data, "draft", a, None, "draft")

    # The reports (the move to reported): the first issue counts, not a later one.
    for case, day in ((a1, 10), (a2, 9), (a3, 13), (b1, 9)):
        _move(case, "report", local(2026, 4, day), to_state="reported",
              actor=people["coordinator"])
    _move(a1, "report", local(2026, 4, 20), to_state="reported", actor=people["coordinator"])
    for case, day in ((a4, 8), (a5, 7), (a6, 11)):
        _move(case, "report", local(2026, 5, day), to_state="reported",
              actor=people["coordinator"])
    _move(c0, "report", local(2026, 3, 27), to_state="reported", actor=people["coordinator"])

    # Treatment: started 12, 17, 18, 4 and 24 days after the meeting; one not treated.
    _treatment(a1, m1, date(2026, 4, 20))
    _treatment(a2, m1, date(2026, 4, 25))
    _treatment(a3, m1, date(2026, 4, 26), "deviated", "patient_declined")
    _treatment(a4, m2, date(2026, 5, 10))
    _treatment(a5, m2, date(2026, 5, 30))
    _treatment(b1, m1, None)
    _treatment(c0, m0, date(2026, 4, 1))  # meeting before the period

    # Deferrals and listed, not discussed.
    _move(a4, "defer", local(2026, 4, 15), "Väntar på PET-DT", actor=people["coordinator"])
    _move(a5, "not_discussed", local(2026, 4, 8, 9), "Tiden räckte inte",
          actor=people["coordinator"])
    _move(a6, "defer", local(2026, 4, 21, 12), "Material saknas", by_system=True)
    _move(c0, "defer", local(2026, 3, 29, 23, 30), "Före perioden",
          actor=people["coordinator"])

    # Secondary review at M1: radiology 4 concordant, 1 minor, 1 major; pathology 2
    # concordant; an open task and one for M0 do not count.
    for case, discrepancy in ((a1, "concordant"), (a2, "concordant"), (a3, "concordant"),
                              (b1, "concordant"), (a0, "minor"), (a2, "major")):
        _review(case, m1, "radiologist", discrepancy)
    _review(a1, m1, "pathologist", "concordant")
    _review(a3, m1, "pathologist", "concordant")
    _review(b1, m1, "nuclear_medicine_physician", None, state="open")
    _review(c0, m0, "radiologist", "major")

    # Attendance: M1 has the whole quorum (six people, two remote, from four units); M2
    # lacks the nuclear-medicine physician (noted absent) and the contact nurse.
    quorum = ("oncologist", "surgeon", "radiologist", "nuclear_medicine_physician",
              "coordinator", "contact_nurse")
    staff = [people[key] for key in ("coordinator", "other_coordinator", "host_member",
                                     "treating_member", "member", "reviewer")]
    for person, competence in zip(staff, quorum, strict=True):
        _present(m1, person, competence, remote=person.unit_id not in (nhv[0].id,
                                                                        nhv[1].id))
    for person, competence in zip(staff[:4], quorum[:3] + quorum[4:5], strict=True):
        _present(m2, person, competence)
    _present(m2, staff[4], "nuclear_medicine_physician", present=False)
    db.session.commit()
    return data
