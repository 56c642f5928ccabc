from tests.units.fixtures import form_client  # noqa: F401
