from tests.cases.conftest import browser, world  # noqa: F401  (the case tests' fixtures)
