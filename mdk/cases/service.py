"""Cases: refer (register and submit), complete, triage onto a meeting, defer, withdraw; read
and list them within the reader's scope. Every read and change writes its audit event (with
the patient) in the same transaction.

Who may do what is the access policy's decision (mdk.access.policy); this module asks it
where the answer depends on the data sent (the referring unit chosen), and scopes lists by
it. Identity numbers and names never enter log lines or audit details: the case id does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, bindparam, false, func, or_, select, text, tuple_, update
from sqlalchemy import case as sql_case
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from mdk.access import policy
from mdk.audit import service as audit
from mdk.audit.service import Actor
from mdk.care_areas.domain import CareArea
from mdk.care_areas.service import CareAreaNotFound, care_area, care_areas
from mdk.cases import answers as referral_answers
from mdk.cases import identity as identity_check
from mdk.cases import notifications, signals
from mdk.cases.models import (
    CASE_TYPES,
    PRIORITIES,
    QUESTION_LENGTH,
    REASON_LENGTH,
    STATES,
    Case,
    CaseNumberCounter,
    CaseTransition,
)
from mdk.cases.workflow import AGENDA_MOVES, EDITABLE, MOVES, ON_AGENDA, REGISTER, Move
from mdk.conferences.models import Conference
from mdk.db import commit_keeping_loaded, matching_any, utcnow
from mdk.extensions import db
from mdk.i18n import to_local
from mdk.patients import service as patients
from mdk.patients.models import Patient
from mdk.units.models import Unit
from mdk.validation import (
    ConflictError,
    FieldError,
    Problems,
    clean_bool,
    clean_phone,
    clean_text,
)

log = logging.getLogger(__name__)

PAGE_SIZE = 50
PATIENT_KEYS = frozenset({"identity_kind", "identity_number", "issuer", "given_name",
                          "family_name", "protected_identity"})
CASE_KEYS = frozenset({"question", "case_type", "priority", "consent_recorded",
                       "contact_phone", "answers"})
MOVE_KEYS = frozenset({"reason", "conference_id", "treating_unit_id"})


@dataclass(frozen=True)
class CasePage:
    cases: list[Case]
    page: int
    pages: int
    total: int


# --- reading --------------------------------------------------------------------------------

def _with_context(query: Select) -> Select:
    """Everything a case row or page shows, and the identity rule needs, in one statement."""
    return query.options(
        joinedload(Case.patient), joinedload(Case.referring_unit),
        joinedload(Case.treating_unit), joinedload(Case.handling_unit),
        joinedload(Case.conference).joinedload(Conference.host_unit))


def get_case(case_id: int) -> Case | None:
    """The case, without an audit event: for the access check before the read is logged."""
    return db.session.scalar(_with_context(select(Case)).where(Case.id == case_id))


def get_case_for_change(case_id: int) -> Case | None:
    """The case as it is now, held against other writers until this transaction ends: an
    If-Match check and the change it guards see the same state, so two callers sending the
    same ETag cannot both pass it (the second gets 412, not a lost update). PostgreSQL locks
    the row; SQLite has one writer at a time, so taking the write lock first (a write that
    changes nothing, waiting out the busy timeout) does the same."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text("UPDATE cases SET id = id WHERE id = :id"), {"id": case_id})
        query = _with_context(select(Case))
    else:
        query = _with_context(select(Case)).with_for_update(of=Case)
    return db.session.scalar(query.where(Case.id == case_id)
                             .execution_options(populate_existing=True))


def read_case(actor: Actor, case: Case) -> Case:
    """The case as shown to a user: writes case.read (with the patient)."""
    audit.record(actor, "case.read", case)
    db.session.commit()
    return case


def scope_clause(principal: policy.Principal):
    """The cases the principal may see, as a WHERE clause (the policy's case.view scope)."""
    scope = policy.scope_of(principal, "case.view")
    if scope.everything:
        return None
    clauses = []
    if scope.areas:  # submitted referrals only, and the drafts this person writes
        clauses.append(and_(Case.care_area.in_(sorted(scope.areas)),
                            or_(Case.submitted_at.is_not(None),
                                Case.created_by == principal.person_id)))
    if scope.area_units:
        clauses.append(tuple_(Case.care_area, Case.referring_unit_id).in_(
            sorted(scope.area_units)))
    return or_(*clauses) if clauses else false()


def queue_order() -> tuple:
    """The triage order of every case list: urgent first (PRIORITIES sorts "urgent" after
    "normal", so descending), then the longest waiting (received first; drafts, never
    received, last), then the older case. The indexes on cases follow it."""
    return (Case.priority.desc(), Case.submitted_at.asc().nulls_last(), Case.id.asc())


def list_cases(actor: Actor, principal: policy.Principal, *, area: str | None = None,
               states: tuple[str, ...] = (), query: str | None = None,
               conference_id: int | None = None, page: int = 1,
               per_page: int = PAGE_SIZE) -> CasePage:
    """One page of the cases the principal may see, in the triage order (queue_order); one
    case.read event per case shown, in one INSERT."""
    where = case_list_filter(principal, area=area, states=states, query=query,
                             conference_id=conference_id)
    count = select(func.count(Case.id))
    total = db.session.scalar(count.where(where) if where is not None else count) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    cases = list(db.session.scalars(
        case_page_query(where, limit=per_page, offset=(page - 1) * per_page)))
    audit.record_reads(actor, cases, action="case.read")
    commit_keeping_loaded(db.session)
    return CasePage(cases=cases, page=page, pages=pages, total=total)


def case_list_filter(principal: policy.Principal, *, area: str | None = None,
                     states: tuple[str, ...] = (), query: str | None = None,
                     conference_id: int | None = None):
    """The list's WHERE clause: the principal's scope and the filters chosen (None: all)."""
    conditions = [clause for clause in (
        scope_clause(principal),
        Case.care_area == area if area else None,
        state_clause(states),
        Case.conference_id == conference_id if conference_id else None,
        matching_any(query, Case.number),
    ) if clause is not None]
    return and_(*conditions) if conditions else None


def state_clause(states: tuple[str, ...]):
    """Case.state among these (None: no states named, or every one). The states go into the
    SQL as literals, in the order of STATES, not as bound values: that the statement implies
    the in-progress partial index's predicate (mdk.cases.models) is then proven from its own
    text, by SQLite (which needs the same IN list) and by PostgreSQL in a generic plan too."""
    named = [state for state in STATES if state in states]
    if not named or len(named) == len(STATES):
        return None
    return Case.state.in_(bindparam("states", named, expanding=True, literal_execute=True))


def case_page_query(where, *, limit: int, offset: int) -> Select:
    """One page of cases with what the page shows. The page's ids are chosen on the cases
    table alone (an index walk in the queue order, mdk.cases.models), and only those rows
    are joined to their patient, units and meeting, in the same statement."""
    ids = select(Case.id).order_by(*queue_order()).limit(limit).offset(offset)
    page_ids = (ids.where(where) if where is not None else ids).subquery()
    rows = _with_context(select(Case).join(page_ids, Case.id == page_ids.c.id))
    return rows.order_by(*queue_order())


def counts_by_state(principal: policy.Principal) -> dict[str, int]:
    """How many cases the principal may see are in each state (the start page's to-do);
    counts only, no patient data, so no audit event."""
    if not policy.can(principal, "case.view"):
        return {}
    query = select(Case.state, func.count(Case.id)).group_by(Case.state)
    clause = scope_clause(principal)
    if clause is not None:
        query = query.where(clause)
    return {state: count for state, count in db.session.execute(query)}


def patient_scope_clause(principal: policy.Principal):
    """The patients the principal may see (the policy's patient.view scope, in SQL): those
    with a submitted case in the areas, and those without any case yet.

    Said as "not one of the patients whose every case is outside the scope", so the cases
    are read once, grouped by patient, and not once per condition (issue #9: two EXISTS
    scanned them twice on every list page)."""
    scope = policy.scope_of(principal, "patient.view")
    if scope.everything:
        return None
    if not scope.areas:
        return false()
    in_scope = and_(Case.submitted_at.is_not(None), Case.care_area.in_(sorted(scope.areas)))
    none_in_scope = (select(Case.patient_id).group_by(Case.patient_id)
                     .having(func.max(sql_case((in_scope, 1), else_=0)) == 0))
    return Patient.id.not_in(none_in_scope)


def patient_case_loading():
    """Load options for patient lists: the cases the identity rule looks at, up front."""
    return selectinload(Patient.cases).options(  # type: ignore[attr-defined]
        joinedload(Case.conference))


# --- the area's referral fields ---------------------------------------------------------------

def _area(key: object) -> CareArea:
    try:
        return care_area(key) if isinstance(key, str) else care_area("")
    except CareAreaNotFound as exc:
        raise FieldError("care_area", _l("Choose a care area.")) from exc


# --- referring ----------------------------------------------------------------------------

def _clean_case_fields(area: CareArea, data: Mapping[str, Any], partial: bool,
                       problems: Problems) -> dict[str, Any]:
    """The fields every referral has, each checked; the ones that fail go to `problems`
    and are left out of the result."""
    rules = {
        "question": lambda v: clean_text(v, "question", max_length=QUESTION_LENGTH,
                                         required=False, multiline=True),
        "case_type": lambda v: _choice(v, "case_type", CASE_TYPES),
        "priority": lambda v: _choice(v if v not in (None, "") else "normal", "priority",
                                      PRIORITIES),
        "consent_recorded": lambda v: clean_bool(bool(v) if v in (None, "") else v,
                                                 "consent_recorded"),
        "contact_phone": lambda v: clean_phone(v, "contact_phone", required=False),
        "answers": lambda v: referral_answers.good_answers(area, v, problems),
    }
    values = {}
    for name, rule in rules.items():
        if name in data or not partial:
            value = problems.check(rule, data.get(name))
            if value is not None or name in ("question", "contact_phone"):
                values[name] = value
    if values.get("question", "") is None:
        values["question"] = ""
    return values


def _choice(value: object, field: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise FieldError(field, _l("Choose one of the listed answers."))
    return value  # type: ignore[return-value]


def _referring_unit(principal: policy.Principal, area: CareArea, raw: object) -> Unit:
    """The unit the case is referred from: as chosen, or the referrer's one unit."""
    if raw in (None, ""):
        own = principal.units("referrer", area.key)
        if len(own) != 1:
            raise FieldError("referring_unit_id", _l("Choose the referring unit."))
        raw = next(iter(own))
    unit = db.session.get(Unit, raw) if isinstance(raw, int) and not isinstance(raw, bool) \
        else None
    if unit is None or not unit.active:
        raise FieldError("referring_unit_id", _l("Choose the referring unit."))
    probe = Case(care_area=area.key, referring_unit_id=unit.id)
    if not policy.can(principal, "case.create", probe):
        raise FieldError("referring_unit_id",
                         _l("You cannot refer cases from this unit in this care area."))
    return unit


def _registered_patient(data: Mapping[str, Any], problems: Problems
                        ) -> tuple[Patient | None, dict[str, str | None], list[str]]:
    """The patient already registered with the number given (None: a new one), the names
    given, and the name fields that differ from the register's. A difference is not a
    refusal (that would tell the referrer the number is registered): the case is flagged
    for the coordinator instead (mdk.cases.identity)."""
    identity = problems.check(patients.parse_identity,
                              data.get("identity_kind", patients.NATIONAL),
                              data.get("identity_number"), data.get("issuer"))
    names = {field: problems.check(patients.PATIENT_FIELDS[field], data.get(field))
             for field in identity_check.NAME_FIELDS}
    patient = patients.patient_by_identity(identity) if identity is not None else None
    return patient, names, identity_check.differing_fields(patient, names)


def _patient_for(actor: Actor, data: Mapping[str, Any], patient: Patient | None, *,
                 names_differ: bool) -> Patient:
    """The registered patient, or a new one. A referral can only add protection, never
    take it away; one whose names differ from the register's adds it only once a
    coordinator has confirmed the identity (a wrong number must not protect someone else's
    record: mdk.cases.identity.confirm_identity)."""
    if patient is None:
        return patients.add_patient(actor, {key: data.get(key) for key in PATIENT_KEYS
                                             if key in data})
    if data.get("protected_identity") is True and not names_differ:
        patients.add_protection(actor, patient)
    return patient


def register_case(actor: Actor, principal: policy.Principal, data: Mapping[str, Any], *,
                  complete: Callable[[Case], None] | None = None) -> Case:
    """A new case (a draft, or submitted at once with `submit`): the care area, the
    referring unit, the patient's identity number and name, the question, case type,
    priority, consent, a phone number and the area's referral fields.

    `complete`, when given, is called with the new case once the referral is known to be
    right, in the same transaction and before a submission queues its mail (a remiss
    registered on the unit's behalf: mdk.cases.on_behalf); a FieldError it raises saves
    nothing."""
    unknown = sorted(set(data) - PATIENT_KEYS - CASE_KEYS
                     - {"care_area", "referring_unit_id", "submit"})
    if unknown:
        raise FieldError(unknown[0], _l("Unknown field."))
    area = _area(data.get("care_area"))
    problems = Problems()  # every problem of the referral at once, not one per round
    unit = problems.check(_referring_unit, principal, area, data.get("referring_unit_id"))
    values = _clean_case_fields(area, data, False, problems)
    submit = problems.check(clean_bool, data.get("submit", False), "submit")
    registered, names, differing = _registered_patient(data, problems)
    if submit:
        _check_complete(area, values.get("question"), values.get("consent_recorded"),
                        values.get("answers", {}), problems)
    problems.raise_any()
    with _all_or_nothing():
        patient = _patient_for(actor, data, registered, names_differ=bool(differing))
        case = Case(care_area=area.key, patient=patient, referring_unit_id=unit.id,
                    contact_person_id=actor.person_id, created_by=actor.person_id,
                    number=_next_number(area), state="draft", **values)
        db.session.add(case)
        db.session.flush()
        audit.record(actor, "case.create", case, details={"care_area": area.key})
        protected = data.get("protected_identity") is True
        if differing:
            identity_check.flag_mismatch(actor, case, names, protected, differing)
        elif registered is not None and identity_check.shown_otherwise(patient, names,
                                                                        protected):
            identity_check.keep_as_referred(case, names, protected)
        if complete is not None:
            complete(case)
        if submit:  # submitted at once: never a draft, so its history holds the submission only
            _move(actor, principal, case, MOVES["submit"], {})
            case.transitions[-1].from_state = None
        else:
            case.transitions.append(_transition(actor, REGISTER, None, "draft"))
    db.session.commit()
    log.info("case %d registered in %s (%s)", case.id, area.key, case.state)
    return case


def _next_number(area: CareArea) -> str:
    """AC-2026-0142: per area and (Swedish) year. The counter moves in one UPDATE ...
    RETURNING, which takes the row's write lock on every engine, so two referrals never
    read the same value."""
    year = to_local(utcnow()).year
    value = _bump(area.key, year)
    if value is None:
        try:
            with db.session.begin_nested():
                db.session.add(CaseNumberCounter(care_area=area.key, year=year, last_value=1))
            value = 1
        except IntegrityError:  # the year's first case, registered twice at once
            value = _bump(area.key, year)
    return f"{area.case_prefix or area.key.upper()}-{year}-{value:04d}"


def _bump(area_key: str, year: int) -> int | None:
    return db.session.scalar(
        update(CaseNumberCounter)
        .where(CaseNumberCounter.care_area == area_key, CaseNumberCounter.year == year)
        .values(last_value=CaseNumberCounter.last_value + 1)
        .returning(CaseNumberCounter.last_value),
        execution_options={"synchronize_session": False})


def update_case(actor: Actor, case: Case, data: Mapping[str, Any]) -> Case:
    """Complete or correct the referral while it is a draft or returned."""
    unknown = sorted(set(data) - CASE_KEYS)
    if unknown:
        raise FieldError(unknown[0], _l("Unknown field."))
    if case.state not in EDITABLE:
        raise ConflictError("state", _l("The referral can only be changed while it is a draft "
                                        "or returned for completion."))
    if isinstance(data.get("answers"), Mapping):  # merged: an answer left out is kept,
        data = {**data, "answers": {**case.answers, **data["answers"]}}  # null removes it
    problems = Problems()
    values = _clean_case_fields(care_area(case.care_area), data, True, problems)
    problems.raise_any()
    changed = sorted(name for name, value in values.items() if getattr(case, name) != value)
    for name in changed:
        setattr(case, name, values[name])
    if changed:
        audit.record(actor, "case.update", case, details={"fields": ",".join(changed)})
        db.session.commit()
    return case


# --- moving through the states ------------------------------------------------------------------

def move_case(actor: Actor, principal: policy.Principal, case: Case, action: object,
              data: Mapping[str, Any]) -> Case:
    """Submit, accept, return, decline, defer or withdraw (mdk.cases.workflow.MOVES)."""
    move = MOVES.get(action) if isinstance(action, str) else None
    if move is None or move.system_only or move.made_elsewhere:
        raise FieldError("action", _l("Unknown action."))
    unknown = sorted(set(data) - MOVE_KEYS)
    if unknown:
        raise FieldError(unknown[0], _l("Unknown field."))
    with _all_or_nothing():
        _move(actor, principal, case, move, data)
    db.session.commit()
    log.info("case %d: %s -> %s", case.id, move.action, case.state)
    return case


def system_move(case: Case, action: str, data: Mapping[str, Any] | None = None) -> Case:
    """A move the service makes by itself (the readiness gate at a cut-off), in the caller's
    transaction: the caller commits."""
    _move(audit.system_actor(), policy.ANONYMOUS, case, MOVES[action], data or {})
    return case


def protocol_signed_move(actor: Actor, principal: policy.Principal, case: Case) -> Case:
    """The move to discussed, made only by the signature of the case's protocol
    (mdk.protocols.service.sign), in the caller's transaction: the caller commits."""
    with _all_or_nothing():
        _move(actor, principal, case, MOVES["discuss"], {})
    return case


def report_issued_move(actor: Actor, principal: policy.Principal, case: Case) -> Case:
    """The move to reported, made only by the first issue of the case's report
    (mdk.reports.service.issue), in the caller's transaction: the caller commits."""
    with _all_or_nothing():
        _move(actor, principal, case, MOVES["report"], {})
    return case


def treatment_recorded_move(actor: Actor, principal: policy.Principal, case: Case) -> Case:
    """The move to closed, made only by recording the case's treatment start or that the
    patient was not treated (mdk.treatment.service.record), in the caller's transaction:
    the caller commits."""
    with _all_or_nothing():
        _move(actor, principal, case, MOVES["close"], {})
    return case


@contextmanager
def _all_or_nothing() -> Iterator[None]:
    """A refused step leaves nothing half-done in the session (a page shown again after
    the error commits its read event, and must not commit a half-made change with it)."""
    try:
        yield
    except FieldError:
        db.session.rollback()
        raise


def _move(actor: Actor, principal: policy.Principal, case: Case, move: Move,
          data: Mapping[str, Any]) -> None:
    if case.state not in move.sources:
        raise ConflictError("state", _l("This cannot be done to a case that is %(state)s.",
                                        state=_state_text(case.state)))
    if _decides_a_hold(move, case) and not held_at_cutoff(case):
        raise ConflictError("state", _l(
            "Only a case held by the readiness check at its meeting's referral deadline can "
            "be taken onto the meeting anyway or returned from it."))
    if move.action in AGENDA_MOVES and case.conference is not None \
            and case.conference.status != "planned":
        raise ConflictError("state", _l("The meeting's agenda is locked: unlock it first."))
    area = care_area(case.care_area)
    reason = clean_text(data.get("reason"), "reason", max_length=REASON_LENGTH,
                        required=move.needs_reason, multiline=True)
    previous = case.conference
    if move.action == "submit":
        problems = Problems()
        _check_complete(area, case.question, case.consent_recorded, case.answers, problems)
        problems.raise_any()
    if move.action == "accept":
        identity_check.check_resolved(case)
    if move.needs_conference:
        case.conference = _conference_for(area, case, data.get("conference_id"), move)
    if move.leaves_conference:
        case.conference = None
    if "treating_unit_id" in data and move.needs_conference:
        case.treating_unit_id = _treating_unit(area, data.get("treating_unit_id"))
    if move.permission == "case.triage" and case.handling_unit_id is None:
        case.handling_unit_id = _handling_unit(principal, case)
    if move.action == "submit":
        case.submitted_at = utcnow()
    # The meeting chosen, from the relationship: conference_id is only synced at a flush.
    transition = _transition(actor, move.action, case.state, move.target, reason,
                             case.conference.id if move.needs_conference
                             else previous.id if move.leaves_conference and previous else None)
    if case.conference is not previous:
        _agenda_changed(case, previous)
    case.transitions.append(transition)
    case.state, case.state_reason = move.target, reason
    audit.record(actor, f"case.{move.action}", case,
                 details={"conference_id": case.conference_id} if move.needs_conference
                 else None)
    notifications.case_moved(case, transition)  # in the move's transaction: all or nothing
    # Review tasks follow the meeting; calendar slots follow the case (previous_conference).
    signals.case_moved.send(case, transition=transition, previous_conference=previous)


def _agenda_changed(case: Case, previous: Conference | None) -> None:
    """The case left one agenda or joined another: it takes the default place on the new
    one, and both agendas' versions rise, so a save on an agenda opened before is refused
    (mdk.agenda.service). An SQL expression, so two moves at once both count."""
    case.agenda_position = None
    for conference in (previous, case.conference):
        if conference is not None:
            conference.agenda_version = Conference.agenda_version + 1


def _state_text(state: str) -> str:
    from mdk.cases.workflow import STATE_LABELS

    return str(STATE_LABELS.get(state, state)).lower()


def _check_complete(area: CareArea, question: str | None, consent: bool | None,
                    answers: Mapping[str, Any], problems: Problems) -> None:
    """What a referral must hold before the MDK takes it: question, consent, required fields."""
    if not (question or "").strip():
        problems.add(FieldError("question", _l("Write the question to the MDK.")))
    if not consent:
        problems.add(FieldError("consent_recorded", _l(
            "Record the patient's consent to discussion at a national MDK.")))
    refused = {error.field for error in problems.errors}
    for item in area.referral_fields:
        if item.required and answers.get(item.key) in (None, "") \
                and f"answers.{item.key}" not in refused:
            problems.add(FieldError(f"answers.{item.key}", _l("Fill in this field.")))


def coming_meetings(query: Select, area_key: str) -> Select:
    """The meetings a case can be put on: planned, not started, soonest first."""
    return (query.options(joinedload(Conference.host_unit))
            .where(Conference.care_area == area_key, Conference.status == "planned",
                   Conference.starts_at > utcnow())
            .order_by(Conference.starts_at, Conference.id))


def open_conferences(area_key: str, limit: int = 12) -> list[Conference]:
    return list(db.session.scalars(coming_meetings(select(Conference), area_key).limit(limit)))


def agenda_size(conference_id: int) -> int:
    return db.session.scalar(select(func.count(Case.id)).where(
        Case.conference_id == conference_id, Case.state.in_(sorted(ON_AGENDA)))) or 0


def _conference_for(area: CareArea, case: Case, raw: object, move: Move) -> Conference:
    # Locked until commit, so two coordinators filling the last place run one at a time.
    conference = db.session.get(Conference, raw, with_for_update=True) \
        if isinstance(raw, int) and not isinstance(raw, bool) else None
    if conference is None or conference.care_area != area.key:
        raise FieldError("conference_id", _l("Choose a meeting of this care area."))
    if conference.status != "planned" or conference.starts_at <= utcnow():
        raise FieldError("conference_id", _l("Choose a coming meeting whose agenda is open."))
    if move.action in ("defer", "not_discussed") and case.conference is not None \
            and conference.starts_at <= case.conference.starts_at:
        raise FieldError("conference_id", _l("Choose a meeting after the current one."))
    if move.action == "reschedule" and conference.id == case.conference_id:
        raise FieldError("conference_id", _l("Choose another meeting than the current one."))
    if conference.id != case.conference_id and agenda_size(conference.id) >= conference.capacity:
        raise ConflictError("conference_id", _l("That meeting is full (%(capacity)d cases).",
                                                capacity=conference.capacity))
    return conference


def treating_units(area_key: str) -> list[Unit]:
    """The area's NHV units: the ones that may be proposed to treat."""
    hsa_ids = [unit.hsa_id for unit in care_area(area_key).nhv_units]
    return list(db.session.scalars(select(Unit).where(Unit.hsa_id.in_(hsa_ids))
                                   .order_by(Unit.name)))


def _treating_unit(area: CareArea, raw: object) -> int | None:
    if raw in (None, ""):
        return None
    unit = db.session.get(Unit, raw) if isinstance(raw, int) and not isinstance(raw, bool) \
        else None
    if unit is None or area.nhv_unit(unit.hsa_id) is None:
        raise FieldError("treating_unit_id", _l("Choose one of the area's NHV units."))
    return unit.id


def _handling_unit(principal: policy.Principal, case: Case) -> int | None:
    """The coordinator's unit that takes the case: the meeting's host if that is theirs."""
    units = principal.units("coordinator", case.care_area)
    host = case.conference.host_unit_id if case.conference is not None else None
    if host in units:
        return host
    return min(units) if units else None


def _transition(actor: Actor, action: str, from_state: str | None, to_state: str,
                reason: str | None = None, conference_id: int | None = None) -> CaseTransition:
    return CaseTransition(action=action, from_state=from_state, to_state=to_state,
                          reason=reason, conference_id=conference_id,
                          actor_id=actor.person_id, actor_name=actor.name)


# --- taking a case for one's unit (ta ärendet) -------------------------------------------------

# A case may be taken while it waits for triage, or for the referrer's completion.
TAKE_STATES = frozenset({"submitted", "returned"})


def take_units(principal: policy.Principal, case: Case) -> list[Unit]:
    """The units the coordinator may take the case for: theirs in its care area, but the one
    already handling it. Empty when the case cannot be taken (now) or the reader may not."""
    if case.state not in TAKE_STATES or not policy.can(principal, "case.triage", case):
        return []
    units = principal.units("coordinator", case.care_area) - {case.handling_unit_id}
    return list(db.session.scalars(select(Unit).where(Unit.id.in_(sorted(units)))
                                   .order_by(Unit.name))) if units else []


def take_case(actor: Actor, principal: policy.Principal, case: Case, unit_id: object) -> Case:
    """A coordinator of the area takes the case for their unit (ta ärendet): that unit's
    coordinators handle it from now on, and so see a protected identity before triage (the
    identity rule's handling unit). Taking it over from another unit is allowed: the area's
    coordinators share the work; the event keeps the unit it was taken from."""
    policy.require(principal, "case.triage", case)
    if case.state not in TAKE_STATES:
        raise ConflictError("state", _l("Only a submitted or returned case can be taken; this "
                                        "one is %(state)s.", state=_state_text(case.state)))
    chosen = unit_id if isinstance(unit_id, int) and not isinstance(unit_id, bool) else None
    if chosen is None or chosen not in principal.units("coordinator", case.care_area):
        raise FieldError("unit_id", _l("Choose one of the units you coordinate for in this "
                                       "care area."))
    if chosen == case.handling_unit_id:
        raise ConflictError("unit_id", _l("That unit already handles the case."))
    previous = case.handling_unit_id
    case.handling_unit_id = chosen
    audit.record(actor, "case.take", case,
                 details={"unit_id": chosen, "previous_unit_id": previous})
    db.session.commit()
    log.info("case %d taken by unit %d", case.id, chosen)
    return case


def possible_moves(principal: policy.Principal, case: Case) -> list[Move]:
    """The moves this user may make on this case now (buttons on the case page)."""
    moves = [move for move in MOVES.values()
             if case.state in move.sources and not move.system_only and not move.agenda_only
             and not move.made_elsewhere
             and policy.can(principal, move.permission, case)]
    if any(_decides_a_hold(move, case) for move in moves) and not held_at_cutoff(case):
        moves = [move for move in moves if not _decides_a_hold(move, case)]
    return moves


def _decides_a_hold(move: Move, case: Case) -> bool:
    """A coordinator's decision on a case the readiness gate held (mdk.material.gate): take
    it onto the meeting as it is, or return it from the agenda for completion."""
    return move.action == "ready_anyway" or (move.action == "return"
                                             and case.state in ON_AGENDA)


def held_at_cutoff(case: Case) -> bool:
    """The readiness gate held the case at its current meeting's cut-off."""
    from mdk.material.models import ReadinessCheck  # the material feature builds on cases

    if case.conference_id is None:
        return False
    return db.session.scalar(select(ReadinessCheck.id).where(
        ReadinessCheck.case_id == case.id, ReadinessCheck.conference_id == case.conference_id,
        ReadinessCheck.outcome == "held").limit(1)) is not None


def referring_units(principal: policy.Principal, area_key: str) -> list[Unit]:
    """The units the user may refer from in the area: any active unit for its coordinators
    (they register referrals sent to them), the referrer's own units otherwise."""
    query = select(Unit).where(Unit.active).order_by(Unit.name)
    if area_key not in principal.areas("coordinator"):
        query = query.where(Unit.id.in_(sorted(principal.units("referrer", area_key))))
    return list(db.session.scalars(query))


def area_choices(principal: policy.Principal) -> list[CareArea]:
    """The care areas the user may refer cases in."""
    return [area for key, area in care_areas().items()
            if any(policy.can(principal, "case.create", Case(care_area=key, referring_unit_id=unit))
                   for unit in _candidate_units(principal, key))]


def _candidate_units(principal: policy.Principal, area_key: str) -> set[int]:
    return set(principal.units("referrer", area_key)) | set(
        principal.units("coordinator", area_key))


def states() -> tuple[str, ...]:
    return STATES
