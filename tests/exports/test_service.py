"""The exports as the service makes them: the register export's rows, computed by hand; the
research extract without any identity in any cell, its pseudonyms stable per study and
different across studies; the refusals (403, nothing written) and the audit."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from werkzeug.exceptions import Forbidden

from mdk.audit.models import AuditEvent
from mdk.conferences.models import Conference
from mdk.exports import service
from mdk.exports.models import Export, ResearchStudy
from mdk.extensions import db
from mdk.validation import FieldError, every_error
from tests.cases.factories import OTHER_AREA
from tests.exports.factories import (
    PROTECTED_INDEX,
    meeting_day,
    register_export,
    research_extract,
)


def _cells(made) -> list[list[str]]:
    text = made.csv
    assert text.startswith("\ufeff")  # Excel reads the BOM as UTF-8
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def _by_case(made) -> dict[str, dict]:
    return {row["case_number"]: row for row in made.rows}


def test_the_register_export_holds_one_row_per_discussed_case_as_computed_by_hand(
        app, discussed):
    world, cases = discussed
    made = register_export(world)
    assert made.export.row_count == 3 and len(made.rows) == 3
    day = meeting_day(world)
    rows = _by_case(made)
    first = rows[cases[0].number]
    patient = cases[0].patient
    number = patient.identity_value
    assert first["identity_number"] == f"{number[:8]}-{number[8:]}"
    assert (first["given_name"], first["family_name"]) == ("Testpatient", "Nummer0")
    assert first["protected_identity"] == "no"
    assert first["referring_unit_hsa_id"] == world.referring.hsa_id
    assert first["referring_unit"] == world.referring.name
    assert first["care_area"] == "analcancer" and first["meeting_day"] == day
    # the protocol factory's values (tests/protocols/factories.py COMPLETE)
    assert first["protocol.stage"] == "T2N0M0"
    assert first["protocol.recommendation"] == "Kurativt syftande kemoradioterapi."
    assert first["protocol.intent"] == "curative"
    assert first["protocol.treating_unit"] == "SE2321000131-AC02"
    assert first["protocol.study_considered"] == "yes"
    assert "protocol.participants" not in first and "protocol.patient_wishes" not in first
    assert first["report_issued_on"] == day and first["report_acknowledged_on"] is None
    assert (first["treatment_outcome"], first["treatment_started_on"], first["adherence"],
            first["deviation_reason"]) == ("started", day, "followed", None)
    second = rows[cases[1].number]
    assert (second["adherence"], second["deviation_reason"]) == ("deviated",
                                                                 "patient_declined")
    third = rows[cases[PROTECTED_INDEX].number]
    assert third["protected_identity"] == "yes"
    assert third["identity_number"] is third["given_name"] is third["family_name"] is None
    assert third["treatment_outcome"] is None and third["adherence"] is None
    cells = _cells(made)
    assert len(cells) == 4 and len(set(map(len, cells))) == 1
    assert cells[0][1] == "Personnummer / samordningsnummer / reservnummer"
    assert f"{number[:8]}-{number[8:]}" in [row[1] for row in cells]


def test_the_period_is_by_meeting_day_in_stockholm(app, discussed):
    world, _cases = discussed
    conference = db.session.get(Conference, world.conference.id)
    # 22:30 UTC on 1 June is 00:30 on 2 June in Stockholm (summer time)
    conference.starts_at = datetime(2026, 6, 1, 22, 30, tzinfo=UTC)
    db.session.commit()
    on_the_day = register_export(world, period_from="2026-06-02", period_to="2026-06-02")
    assert on_the_day.export.row_count == 3
    assert {row["meeting_day"] for row in on_the_day.rows} == {"2026-06-02"}
    assert register_export(world, period_from="2026-05-01",
                           period_to="2026-06-01").export.row_count == 0
    assert register_export(world, period_from="2026-06-03",
                           period_to="2026-12-31").export.row_count == 0


def _identity_forms(patient) -> set[str]:
    value = patient.identity_value
    return {value, value[2:], f"{value[:8]}-{value[8:]}", f"{value[2:8]}-{value[8:]}",
            f"{value[2:8]}+{value[8:]}", value[:8]}


def test_the_research_extract_has_no_identity_in_any_cell(app, discussed):
    world, cases = discussed
    made = research_extract(world)
    cells = _cells(made)
    assert len(cells) == 4
    people = list(world.people.values())
    for row in cells[1:]:
        for cell in row:
            digits = re.sub(r"[^0-9]", "", cell)  # "19121212 1212" is the number too
            for case in cases:
                patient = case.patient
                for form in _identity_forms(patient):
                    assert form not in cell, (cell, form)
                    assert patient.identity_value[2:] not in digits, (cell, form)
                for name in (patient.given_name, patient.family_name, patient.name,
                             case.number):
                    assert name.lower() not in cell.lower(), (cell, name)
                assert case.referring_unit.hsa_id not in cell
                assert case.referring_unit.name not in cell
            for person in people:
                assert person.name.lower() not in cell.lower()
                assert person.email not in cell
                assert not person.hsa_id or person.hsa_id not in cell
    # and no birth date either: the age in whole years only
    for row in made.rows:
        assert set(row) == {column.key for column in made.columns}
        assert not any(re.fullmatch(r"[0-9]{8}", str(value or "")) for value in row.values())


def test_the_research_extract_holds_the_age_the_dates_and_coded_fields(app, discussed):
    world, cases = discussed
    made = research_extract(world)
    day = meeting_day(world)
    number = cases[0].patient.identity_value
    born = date(int(number[:4]), int(number[4:6]), int(number[6:8]))
    referred = service.local_day_of(cases[0].submitted_at)
    age = referred.year - born.year - ((referred.month, referred.day) < (born.month, born.day))
    rows = made.rows
    pseudonym = service.pseudonym_for(made.export.study, cases[0].patient_id)
    first = next(row for row in rows if row["pseudonym"] == pseudonym)
    assert first["age_at_referral"] == age
    assert first["referring_region"] == world.referring.provider.name
    assert first["meeting_day"] == day and first["report_issued_on"] == day
    assert first["protocol.stage"] == "T2N0M0"  # a bare TNM code is kept
    assert first["protocol.intent"] == "curative" and first["adherence"] == "followed"
    assert "protocol.recommendation" not in first and "case_number" not in first
    protected = service.pseudonym_for(made.export.study, cases[PROTECTED_INDEX].patient_id)
    assert next(row for row in rows if row["pseudonym"] == protected)[
        "referring_region"] is None


def test_a_stage_in_words_is_left_out_of_the_research_extract(app, discussed):
    from mdk.care_areas.service import care_area

    section = care_area("analcancer").template("protocol").section("stage")
    for text in ("T2N0M0", "cT3 N1a M0", "ypT1, N0, M0", "T4b"):
        assert service._section_value(section, text, service.RESEARCH) == text
    for text in ("T2N0M0 enligt dr Lindqvist", "Anna Svensson", "19121212-1212", "T9"):
        assert service._section_value(section, text, service.RESEARCH) is None


def test_pseudonyms_are_stable_per_study_and_differ_between_studies(app, discussed):
    world, _cases = discussed
    first = [row["pseudonym"] for row in research_extract(world).rows]
    again = [row["pseudonym"] for row in research_extract(world, who="registrar",
                                                          study_name="Another name").rows]
    other = [row["pseudonym"] for row in research_extract(
        world, ethics_reference="2025-04321-02", study_name="Den andra studien").rows]
    assert first == again and len(set(first)) == 3
    assert not set(first) & set(other) and len(set(other)) == 3
    assert all(re.fullmatch(r"[A-Z2-7]{16}", pseudonym) for pseudonym in first)
    studies = db.session.scalars(select(ResearchStudy).order_by(ResearchStudy.id)).all()
    assert [study.ethics_reference for study in studies] == ["2024-01234-01", "2025-04321-02"]
    assert studies[0].name == "Ledtidsstudien"  # the first name is kept


def test_the_register_export_is_audited_with_its_purpose_and_cases(app, discussed):
    world, cases = discussed
    made = register_export(world)
    export = db.session.get(Export, made.export.id)
    assert (export.kind, export.purpose, export.row_count, export.made_by) == (
        "register", "Inrapportering till Svenska analcancerregistret 2026", 3,
        world.people["registrar"].id)
    summary = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "export.register"))
    assert (summary.object_type, summary.object_id) == ("export", export.id)
    assert summary.details["purpose"] == export.purpose
    assert summary.details["row_count"] == 3
    assert (summary.role, summary.care_area) == ("registrar", "analcancer")
    per_case = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "export.register.case")).all()
    assert sorted((event.object_id, event.patient_id) for event in per_case) == sorted(
        (case.id, case.patient_id) for case in cases)
    assert {event.details["export_id"] for event in per_case} == {export.id}


def test_the_research_extract_is_recorded_with_its_ethics_reference(app, discussed):
    world, _cases = discussed
    made = research_extract(world)
    export = db.session.get(Export, made.export.id)
    assert (export.kind, export.ethics_reference, export.study.name) == (
        "research", "2024-01234-01", "Ledtidsstudien")
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "export.research.case")) == 3
    assert db.session.scalar(select(AuditEvent.details).where(
        AuditEvent.action == "export.research"))["export_id"] == export.id


def _nothing_written() -> bool:
    return (db.session.scalar(select(func.count()).select_from(Export)) == 0
            and db.session.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.action.like("export.%"))) == 0)


@pytest.mark.parametrize("who", ["coordinator", "host_member", "referrer", "crs_registrar"])
def test_the_register_export_is_refused_without_the_areas_registrar_grant(app, discussed,
                                                                            who):
    world, _cases = discussed
    with pytest.raises(Forbidden):
        register_export(world, who=who)
    assert _nothing_written()


def test_the_research_extract_is_for_the_areas_coordinators_and_registrars(app, discussed):
    world, _cases = discussed
    for who in ("host_member", "referrer", "crs_coordinator"):
        with pytest.raises(Forbidden):
            research_extract(world, who=who)
    assert _nothing_written()
    assert research_extract(world, who="registrar").export.row_count == 3


def _fields(error: FieldError) -> set[str]:
    return {one.field for one in every_error(error)}


@pytest.mark.parametrize(("changes", "field"), [
    ({"purpose": ""}, "purpose"),
    ({"purpose": "   "}, "purpose"),
    ({"purpose": "a\x00b"}, "purpose"),
    ({"purpose": "x" * 201}, "purpose"),
    ({"purpose": "Patient 19121212-1212"}, "purpose"),
    ({"period_from": "2026-13-01"}, "period_from"),
    ({"period_to": "\x00"}, "period_to"),
    ({"period_from": "2026-06-02", "period_to": "2026-06-01"}, "period_to"),
    ({"care_area": "nope"}, "care_area"),
    ({"care_area": "a\x00"}, "care_area"),
])
def test_bad_register_input_names_its_field(app, discussed, changes, field):
    world, _cases = discussed
    with pytest.raises(FieldError) as raised:
        register_export(world, **changes)
    assert field in _fields(raised.value)
    assert _nothing_written()


@pytest.mark.parametrize(("changes", "field"), [
    ({"ethics_reference": ""}, "ethics_reference"),
    ({"ethics_reference": "2015/1234-31"}, "ethics_reference"),
    ({"ethics_reference": "2024-1234-01"}, "ethics_reference"),
    ({"ethics_reference": "2018-01234-01"}, "ethics_reference"),
    ({"ethics_reference": "2999-01234-01"}, "ethics_reference"),
    ({"ethics_reference": "2024-01234-01\x00"}, "ethics_reference"),
    ({"ethics_reference": "２０２４-01234-01"}, "ethics_reference"),
    ({"study_name": ""}, "study_name"),
    ({"study_name": "a\x00"}, "study_name"),
])
def test_bad_research_input_names_its_field(app, discussed, changes, field):
    world, _cases = discussed
    with pytest.raises(FieldError) as raised:
        research_extract(world, **changes)
    assert field in _fields(raised.value)
    assert _nothing_written()
    assert db.session.scalar(select(func.count()).select_from(ResearchStudy)) == 0


def test_the_list_shows_the_areas_exports_only(app, discussed):
    world, _cases = discussed
    made = register_export(world)
    assert [export.id for export in service.past_exports(world.principal("coordinator"))] \
        == [made.export.id]
    assert service.past_exports(world.principal("crs_registrar")) == []
    assert service.past_exports(world.principal("referrer")) == []
    assert OTHER_AREA not in service.areas_for(world.principal("registrar"), "register")


def test_the_areas_log_reviewers_see_the_export_and_another_areas_do_not(app, discussed):
    from mdk.audit.scope import scoped

    world, _cases = discussed
    register_export(world)

    def seen(who: str) -> set[str]:
        statement = scoped(select(AuditEvent.action).where(
            AuditEvent.action.like("export.%")), world.principal(who))
        return set(db.session.scalars(statement))

    assert seen("coordinator") == {"export.register", "export.register.case"}
    assert seen("crs_coordinator") == set()


def test_a_protected_identitys_register_row_holds_no_identity_unit_or_free_text(
        app, discussed):
    world, cases = discussed
    made = register_export(world)
    day = meeting_day(world)
    case = cases[PROTECTED_INDEX]
    row = _by_case(made)[case.number]
    assert row == {
        "case_number": case.number, "protected_identity": "yes",
        "identity_number": None, "identity_kind": None, "family_name": None,
        "given_name": None, "referring_unit_hsa_id": None, "referring_unit": None,
        "care_area": "analcancer",
        "referred_on": service.local_day_of(case.submitted_at).isoformat(),
        "meeting_day": day,
        # the protocol factory's values: the stage only as a bare TNM code, no free text
        "protocol.stage": "T2N0M0", "protocol.recommendation": None,
        "protocol.treatment": None, "protocol.intent": "curative",
        "protocol.treating_unit": "SE2321000131-AC02",
        "protocol.follow_up": "at_home_with_support", "protocol.study_considered": "yes",
        "protocol.quality_register": "yes",
        "report_issued_on": day, "report_acknowledged_on": None,
        "treatment_outcome": None, "treatment_started_on": None, "adherence": None,
        "deviation_reason": None,
    }
    assert set(row) == {column.key for column in made.columns}
    cells = _cells(made)
    line = next(line for line in cells if line[0] == case.number)
    assert {cell for cell in line if cell} == {
        case.number, "yes", "analcancer", row["referred_on"], day, "T2N0M0", "curative",
        "SE2321000131-AC02", "at_home_with_support"}
    assert world.referring.name not in made.csv.split(case.number, 1)[1].split("\n", 1)[0]


def test_a_protected_identitys_words_in_the_stage_are_left_out(app, discussed):
    world, cases = discussed
    day = date.fromisoformat(meeting_day(world))
    protocol = service.discussed_cases("analcancer", day, day)
    item = next(one for one in protocol if one.case.id == cases[PROTECTED_INDEX].id)
    item.protocol.values = {**item.protocol.values, "stage": "T2 enligt dr Svensson"}
    row = service.register_row(item, service.care_area("analcancer"))
    assert row["protocol.stage"] is None
    other = next(one for one in protocol if one.case.id == cases[0].id)
    other.protocol.values = {**other.protocol.values, "stage": "T2 enligt dr Svensson"}
    assert service.register_row(other, service.care_area("analcancer"))[
        "protocol.stage"] == "T2 enligt dr Svensson"


def test_the_referral_day_is_the_day_a_remiss_arrived_as_in_the_statistics(app, discussed):
    world, cases = discussed
    case = cases[0]
    submitted = service.local_day_of(case.submitted_at)
    number = case.patient.identity_value
    born = date(int(number[:4]), int(number[4:6]), int(number[6:8]))
    arrived = date(submitted.year - 2, born.month, min(born.day, 28))  # a birthday apart
    case.remiss_source, case.remiss_received_on = "letter", arrived
    db.session.commit()
    register = _by_case(register_export(world))
    assert register[case.number]["referred_on"] == arrived.isoformat()
    assert register[cases[1].number]["referred_on"] == service.local_day_of(
        cases[1].submitted_at).isoformat()  # no remiss: the day it was submitted
    extract = research_extract(world)
    first = next(row for row in extract.rows if row["pseudonym"] == service.pseudonym_for(
        extract.export.study, case.patient_id))
    assert first["referred_on"] == arrived.isoformat()
    assert first["age_at_referral"] == service.age_on(born, arrived)
    assert service.age_on(born, arrived) < service.age_on(born, submitted)


def test_a_referral_submitted_late_in_the_evening_is_that_days_in_stockholm(app, discussed):
    _world, cases = discussed
    case = cases[0]
    case.submitted_at = datetime(2026, 6, 1, 22, 30, tzinfo=UTC)  # 00:30 on 2 June
    assert service.referral_day(case) == date(2026, 6, 2)
