from tests.cases.conftest import browser, world  # noqa: F401
from tests.units.fixtures import form_client, with_test_area  # noqa: F401
