"""What the protocol and the care plan share (mdk.documents): a draft made twice at once is
refused by its unique constraint and the session goes on; the draft lock refuses a stale
page and a locked document, and raises the version once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mdk.care_plans.models import CarePlan
from mdk.documents.locking import DraftLock
from mdk.documents.models import added_if_new, first_draft
from mdk.extensions import db
from mdk.protocols import service as protocols
from mdk.protocols.models import Protocol
from mdk.validation import ConflictError, FieldError
from tests.care_plans.factories import opened
from tests.protocols import factories as protocol


class _Conflict(ConflictError):
    def __init__(self) -> None:
        super().__init__("version", "stale")


LOCK = DraftLock(_Conflict, "locked", "reopen")


def _count(model, **where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


def test_a_second_draft_made_at_the_same_moment_is_not_added(chaired, case_on_meeting):
    first = protocol.draft(chaired, case_on_meeting)
    twin = Protocol(case_id=first.case_id, conference_id=first.conference_id, values={},
                    **first_draft(chaired.actor("coordinator")))
    assert added_if_new(twin) is False
    assert _count(Protocol, case_id=first.case_id) == 1  # the session still answers
    protocol.signed(chaired, case_on_meeting)
    plan = opened(chaired, case_on_meeting)
    again = CarePlan(case_id=plan.case_id, conference_id=plan.conference_id,
                     protocol_id=plan.protocol_id, revision=plan.revision, values={},
                     **first_draft(chaired.actor("coordinator")))
    assert added_if_new(again) is False
    assert _count(CarePlan, case_id=plan.case_id) == 1


def test_the_new_draft_names_its_author_as_drafter_and_updater(chaired, case_on_meeting):
    draft = protocol.draft(chaired, case_on_meeting)
    person = chaired.people["coordinator"]
    assert (draft.version, draft.drafted_by, draft.updated_by) == (0, person.id, person.id)
    assert draft.drafted_by_name == draft.updated_by_name == person.name


def test_the_lock_refuses_a_stale_page_and_a_locked_document(chaired, case_on_meeting):
    draft = protocol.draft(chaired, case_on_meeting)
    with pytest.raises(FieldError, match="version") as bad:
        LOCK.check_fresh(draft, "x1")
    assert bad.value.message == "reopen"
    LOCK.claim(draft, "0")
    db.session.commit()  # as the services do after a claim
    assert draft.version == 1
    with pytest.raises(_Conflict):
        LOCK.claim(draft, 0)  # the version the page had is gone
    with pytest.raises(_Conflict):
        LOCK.check_fresh(draft, 0)
    signed = protocol.signed(chaired, case_on_meeting)
    with pytest.raises(ConflictError) as refused:
        LOCK.claim(signed, signed.version)
    assert (refused.value.field, refused.value.message) == ("state", "locked")
    assert protocols.protocol_for(case_on_meeting).signed
