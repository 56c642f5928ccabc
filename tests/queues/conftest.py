"""The case tests' world and browser (tests/cases/conftest.py), for the queue pages."""

from tests.cases.conftest import browser, world  # noqa: F401  (fixtures)
