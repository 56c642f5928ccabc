"""The conference day tests share the case world (tests/cases/factories.py) and its browsers."""

from tests.cases.conftest import browser, world  # noqa: F401
