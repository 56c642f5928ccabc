"""The report tests share the care-plan world (tests/care_plans/conftest.py): its meeting
chaired by the host unit's member, one case on its agenda."""

from __future__ import annotations

from tests.cases.conftest import world  # noqa: F401
from tests.protocols.conftest import case_on_meeting, chaired  # noqa: F401
