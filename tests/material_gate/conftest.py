"""The case tests' world and browsers, for the readiness rules and the gate."""

from __future__ import annotations

from tests.cases.conftest import browser, world  # noqa: F401  (fixtures)
