"""The protocol tests share the case world (tests/cases/factories.py): its meeting is
chaired by the host unit's member; `case_on_meeting` puts one case on its agenda."""

from __future__ import annotations

import pytest

from mdk.extensions import db
from tests.agenda.factories import on_agenda
from tests.cases.conftest import browser, world  # noqa: F401
from tests.conference_day.factories import start


@pytest.fixture()
def chaired(world):  # noqa: F811 (the fixture imported above)
    """The world, its meeting chaired by the host unit's member."""
    world.conference.chair_person_id = world.people["host_member"].id
    db.session.commit()
    return world


@pytest.fixture()
def case_on_meeting(chaired):
    """A case on the meeting's agenda, the meeting begun five minutes ago (a protocol is
    signed at the meeting or after it)."""
    case = on_agenda(chaired, 0)
    start(chaired.conference)
    return case
