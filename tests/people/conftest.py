from tests.units.fixtures import form_client, with_test_area  # noqa: F401
