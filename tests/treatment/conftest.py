"""The treatment tests share the protocol world (tests/protocols/conftest.py): its meeting
chaired by the host unit's member, one case on its agenda; `reported` issues its report."""

from __future__ import annotations

import pytest

from tests.cases.conftest import browser, world  # noqa: F401
from tests.protocols.conftest import case_on_meeting, chaired  # noqa: F401
from tests.treatment.factories import add_treating_staff, reported_case


@pytest.fixture()
def reported(chaired, case_on_meeting):  # noqa: F811 (the fixtures imported above)
    """The case on the meeting, its report issued (reported); the protocol names the
    world's second NHV unit to treat, and a member of that unit is `treating_staff`."""
    add_treating_staff(chaired)
    return reported_case(chaired, case_on_meeting)
