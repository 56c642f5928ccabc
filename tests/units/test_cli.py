"""`mdk units create` then `mdk users create` and `set-password`: a fresh install's first admin."""

from sqlalchemy import select

from mdk.extensions import db
from mdk.units.models import CareProvider, Unit

HSA_ID = "SE2321000131-NY01"


def _create_unit(runner, *extra):
    return runner.invoke(args=["units", "create", "--hsa-id", HSA_ID, "--name",
                               "Onkologiska kliniken", "--short-name", "ONK", "--mailbox",
                               "onk@vgregion.example", "--phone", "031-123 45 67", *extra])


def test_first_admin_of_a_fresh_install_can_be_set_up_from_the_command_line(app, runner):
    result = _create_unit(runner, "--provider-name", "Västra Götalandsregionen")
    assert result.exit_code == 0, result.output
    assert "created care provider Västra Götalandsregionen (232100-0131)" in result.output
    result = runner.invoke(args=["users", "create", "--email", "Chef@VGRegion.example",
                                 "--name", "Första Admin", "--unit", HSA_ID, "--role", "admin",
                                 "--area", "analcancer"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["users", "set-password", "chef@vgregion.example",
                                 "--password", "ett-långt-lösenord"])
    assert result.exit_code == 0, result.output
    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        response = client.post("/login", data={"email": "chef@vgregion.example",
                                                "password": "ett-långt-lösenord"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    assert response.status_code == 302
    assert client.get("/units").status_code == 200


def test_unit_of_an_unknown_provider_needs_the_provider_name(app, runner):
    result = _create_unit(runner)
    assert result.exit_code == 2
    assert "give --provider-name" in result.output
    with app.app_context():
        assert db.session.scalar(select(Unit).where(Unit.hsa_id == HSA_ID)) is None


def test_bad_field_is_named_and_nothing_is_saved(app, runner):
    result = runner.invoke(args=["units", "create", "--hsa-id", HSA_ID, "--name", "X",
                                 "--short-name", "X", "--mailbox", "not-an-address",
                                 "--phone", "031-123 45 67", "--provider-name", "VGR"])
    assert result.exit_code == 2
    assert "mailbox" in result.output
    with app.app_context():
        assert db.session.scalar(select(Unit).where(Unit.hsa_id == HSA_ID)) is None
        assert db.session.scalar(select(CareProvider).where(CareProvider.name == "VGR")) is None


def test_bad_hsa_id_is_refused(runner):
    result = runner.invoke(args=["units", "create", "--hsa-id", "se123", "--name", "X",
                                 "--short-name", "X", "--mailbox", "a@b.example",
                                 "--phone", "031-123 45 67"])
    assert result.exit_code == 2
    assert "hsa_id" in result.output
