"""Cases (ärenden): one question about one patient to one care area's MDK.

A case carries a pseudonymous number (AC-2026-0142) that may travel where the patient's
identity never does: invites, mail, URLs. The states and the moves between them live in
mdk.cases.workflow; every move is kept as a CaseTransition row with its reason.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from mdk.cases.workflow import IN_PROGRESS
from mdk.conferences.models import AREA_KEY_LENGTH, Conference
from mdk.db import created_at, one_of_values, pk, updated_at, utcnow
from mdk.extensions import db
from mdk.patients.models import Patient
from mdk.people.models import Person
from mdk.units.models import Unit

STATES = ("draft", "submitted", "returned", "accepted", "deferred", "ready", "discussed",
          "reported", "closed", "declined", "withdrawn")
CASE_TYPES = ("primary", "recurrence", "second_opinion", "complication", "follow_up", "other")
PRIORITIES = ("normal", "urgent")
NUMBER_LENGTH = 20
QUESTION_LENGTH = 4000
REASON_LENGTH = 1000
NAME_LENGTH = 100  # as the patient's names (mdk.patients.models)
# How a remiss registered on the referring unit's behalf reached the MDK (mdk.cases.on_behalf).
REMISS_SOURCES = ("journal_system", "letter", "fax", "other")
REMISS_REFERENCE_LENGTH = 100



class Case(db.Model):
    __tablename__ = "cases"
    audit_type = "case"
    __table_args__ = (
        CheckConstraint(one_of_values("state", STATES), name="state_known"),
        CheckConstraint(one_of_values("case_type", CASE_TYPES), name="case_type_known"),
        CheckConstraint(one_of_values("priority", PRIORITIES), name="priority_known"),
        CheckConstraint("remiss_source IS NULL OR " + one_of_values("remiss_source",
                                                                    REMISS_SOURCES),
                        name="remiss_source_known"),
    )

    id: Mapped[pk]
    number: Mapped[str] = mapped_column(String(NUMBER_LENGTH), unique=True)
    care_area: Mapped[str] = mapped_column(String(AREA_KEY_LENGTH))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    referring_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    # The referring physician who answers questions about the case.
    contact_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True)
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    question: Mapped[str] = mapped_column(Text)
    case_type: Mapped[str] = mapped_column(String(20))
    priority: Mapped[str] = mapped_column(String(10), default="normal", server_default="normal")
    # The patient agreed to discussion at a national MDK (the disclosure rests on it).
    consent_recorded: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The area's referral fields (config/care_areas/<area>.toml), by key.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(20), default="draft", server_default="draft")
    state_reason: Mapped[str | None] = mapped_column(Text)  # why returned, declined, ...
    conference_id: Mapped[int | None] = mapped_column(ForeignKey("conferences.id"), index=True)
    # Its place on the meeting's agenda once a coordinator has ordered it (mdk.agenda); None:
    # the default order, after the cases placed by hand.
    agenda_position: Mapped[int | None]
    # The NHV unit proposed to treat: its staff see the patient's identity.
    treating_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # The unit whose coordinators handle the case (they alone see a protected identity);
    # set by the first coordinator to triage it.
    handling_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # The patient's name (and protection) as the referral gave them, kept only while the name
    # differs from the one registered with the identity number: the coordinator checks the
    # identity, and until then the referrer is shown these, never the registered ones
    # (mdk.cases.identity).
    referred_given_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    referred_family_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    referred_protected_identity: Mapped[bool | None]
    # A remiss that came by the journal system, letter or fax, registered by a coordinator
    # for the referring unit (mdk.cases.on_behalf): who registered it, how it came, the day
    # it arrived and the sender's own reference. remiss_source is set on every such case.
    registered_on_behalf_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"))
    remiss_source: Mapped[str | None] = mapped_column(String(20))
    remiss_received_on: Mapped[date | None]
    remiss_reference: Mapped[str | None] = mapped_column(String(REMISS_REFERENCE_LENGTH))
    submitted_at: Mapped[datetime | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    # Patient.cases: the patient feature came first and knows nothing of cases.
    patient: Mapped[Patient] = relationship(backref=backref("cases", order_by="Case.id"))
    referring_unit: Mapped[Unit] = relationship(foreign_keys=[referring_unit_id])
    treating_unit: Mapped[Unit | None] = relationship(foreign_keys=[treating_unit_id])
    handling_unit: Mapped[Unit | None] = relationship(foreign_keys=[handling_unit_id])
    contact_person: Mapped[Person | None] = relationship(foreign_keys=[contact_person_id])
    registered_on_behalf_by: Mapped[Person | None] = relationship(
        foreign_keys=[registered_on_behalf_by_id])
    conference: Mapped[Conference | None] = relationship()
    transitions: Mapped[list[CaseTransition]] = relationship(
        back_populates="case", order_by="CaseTransition.id", cascade="all, delete-orphan")

    @property
    def identity_as_referred(self) -> bool:
        """The referral's names (and protection) are kept: the register shows another."""
        return self.referred_given_name is not None or self.referred_family_name is not None

    @property
    def identity_check_needed(self) -> bool:
        """The name kept differs from the register's beyond case, spaces and hyphens."""
        from mdk.cases.identity import differing_fields  # identity builds on this model

        return self.identity_as_referred and bool(differing_fields(self.patient, {
            "given_name": self.referred_given_name, "family_name": self.referred_family_name}))

    @property
    def registered_on_behalf(self) -> bool:
        """A coordinator registered the case from a remiss sent to the MDK."""
        return self.remiss_source is not None

    @property
    def host_unit_id(self) -> int | None:
        return self.conference.host_unit_id if self.conference is not None else None

    def __repr__(self) -> str:  # the number only: reprs end up in logs
        return f"<Case {self.number}>"


# The lists' triage order (mdk.cases.service.queue_order) within an area, and within an area
# and a state: a list page's ids are an index walk, not a sort of every case in scope. With
# created_by (the scope's "drafts this person writes") the walk and the count read the index
# only, so a last page costs about what a first one does.
Index("ix_cases_queue", Case.care_area, Case.priority.desc(), Case.submitted_at, Case.id,
      Case.created_by)
Index("ix_cases_state_queue", Case.care_area, Case.state, Case.priority.desc(),
      Case.submitted_at, Case.id, Case.created_by)
# The lists open on the cases in progress (mdk.cases.workflow.IN_PROGRESS): the same walk over
# those rows alone, so the default page costs the same after years of closed cases. The
# predicate is the lists' own state clause (mdk.cases.service.state_clause), word for word.
Index("ix_cases_in_progress_queue", Case.care_area, Case.priority.desc(), Case.submitted_at,
      Case.id, Case.created_by, postgresql_where=Case.state.in_(IN_PROGRESS),
      sqlite_where=Case.state.in_(IN_PROGRESS))


class CaseTransition(db.Model):
    """One move of a case from one state to another: who, when, why."""

    __tablename__ = "case_transitions"

    id: Mapped[pk]
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    conference_id: Mapped[int | None] = mapped_column(
        ForeignKey("conferences.id", ondelete="SET NULL"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="transitions")
    conference: Mapped[Conference | None] = relationship()


# The statistics' deferrals made in a period (mdk.stats): by move and time, not a walk over
# every case's history.
Index("ix_case_transitions_action_occurred_at", CaseTransition.action,
      CaseTransition.occurred_at)


class CaseNumberCounter(db.Model):
    """The last number given per care area and year, so numbers never repeat or race."""

    __tablename__ = "case_number_counters"
    __table_args__ = (UniqueConstraint("care_area", "year"),)

    id: Mapped[pk]
    care_area: Mapped[str] = mapped_column(String(AREA_KEY_LENGTH))
    year: Mapped[int]
    last_value: Mapped[int] = mapped_column(default=0)
