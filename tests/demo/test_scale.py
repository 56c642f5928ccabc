"""`mdk demo scale`: the large data set of the benchmarks, fictitious and in bulk."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from mdk.audit.models import AuditEvent
from mdk.cases import service as cases
from mdk.cases.models import Case, CaseTransition
from mdk.demo.cases import _user
from mdk.extensions import db
from mdk.patients.models import Patient
from mdk.validation import luhn_ok
from tests.cases.factories import referral

# On the session's demo database (tests/conftest.py demo_app): `demo scale` loads the demo
# first, which there changes nothing.
pytestmark = pytest.mark.demo_data


def _scale(runner, cases: int = 30, per_case: int = 10) -> str:
    result = runner.invoke(args=["demo", "scale", "--cases", str(cases),
                                 "--events-per-case", str(per_case)])
    assert result.exit_code == 0, result.output
    return result.output


def _counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Patient, Case, CaseTransition, AuditEvent))


def test_scale_adds_cases_on_new_fictitious_patients_with_transitions_and_events(app, runner):
    with app.app_context():
        before = _counts()
    output = _scale(runner)
    assert "added 30 fictitious patients, 30 cases" in output
    with app.app_context():
        patients, cases, transitions, events = (after - first for after, first
                                                in zip(_counts(), before, strict=True))
        assert (patients, cases) == (30, 30)
        assert events >= 300 and transitions >= 30
        generated = db.session.scalars(select(Patient).order_by(Patient.id.desc()).limit(30))
        for patient in generated:
            assert patient.fictitious and patient.given_name == "Testpatient"
            assert luhn_ok(patient.identity_value[2:])
            assert patient.identity_value not in output
        assert "Testpatient" not in output
        per_case = Counter(db.session.scalars(select(CaseTransition.case_id)))
        newest = db.session.scalars(select(Case).order_by(Case.id.desc()).limit(30)).all()
        assert all(per_case[case.id] >= 1 for case in newest)
        assert all(case.transitions[0].action == "register" for case in newest)
        assert len({case.state for case in newest}) >= 3


def test_scale_twice_adds_nothing(app, runner):
    _scale(runner, cases=10)
    with app.app_context():
        first = _counts()
    assert "added 0 fictitious patients, 0 cases" in _scale(runner, cases=10)
    with app.app_context():
        assert _counts() == first


def test_a_case_referred_after_scale_gets_the_next_number(app, runner):
    _scale(runner, cases=10)
    with app.app_context():
        referrer = _user("referrer", "analcancer")
        case = cases.register_case(referrer.actor, referrer.principal, referral(
            0, referring_unit_id=min(referrer.principal.units("referrer", "analcancer"))))
        numbers = db.session.scalars(select(Case.number)
                                     .where(Case.care_area == case.care_area)).all()
        assert len(numbers) == len(set(numbers))
        assert case.number == max(numbers, key=lambda number: int(number.rsplit("-", 1)[1]))
