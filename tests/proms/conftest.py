"""The PROM tests share the treatment tests' world (tests/treatment/conftest.py): the
protocol world's meeting, one case on its agenda; `reported` issues its report (the care
plan as the area file starts it: four PROM time points counted from the treatment)."""

from __future__ import annotations

from tests.cases.conftest import browser, world  # noqa: F401
from tests.protocols.conftest import case_on_meeting, chaired  # noqa: F401
from tests.treatment.conftest import reported  # noqa: F401
