"""The exports pages as their users meet them: the registrar downloads the register CSV,
its errors shown at their fields (422, never 500); without the grant 403 and no export;
the list shows who, when and why, and no patient."""

from __future__ import annotations

import stat

from sqlalchemy import func, select

from mdk.audit.models import AuditEvent
from mdk.exports.models import Export
from mdk.extensions import db
from tests.exports.factories import request, research_request
from tests.units.factories import field_error


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Export))


def test_the_registrar_downloads_the_register_export(app, discussed, browser):
    world, cases = discussed
    client = browser(world.people["registrar"])
    form = client.get("/exports/register")
    assert form.status_code == 200 and 'id="make-register-export"' in form.text
    answer = client.post("/exports/register", data=request(world))
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv" and answer.headers["Cache-Control"] == "no-store"
    disposition = answer.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="mdk-register-analcancer-')
    assert cases[0].patient.identity_value[2:8] not in disposition
    body = answer.get_data().decode("utf-8")
    assert body.startswith("\ufeffÄrendenummer;")  # Swedish headers, semicolons
    assert f"{cases[0].patient.identity_value[:8]}-" in body
    listing = client.get("/exports").text
    assert "Inrapportering till Svenska analcancerregistret 2026" in listing
    assert world.people["registrar"].name in listing
    assert "Testpatient" not in listing and cases[0].number not in listing


def test_without_the_grant_the_register_export_is_403_and_nothing_is_made(
        app, discussed, browser):
    world, _cases = discussed
    for who in ("coordinator", "referrer"):
        client = browser(world.people[who])
        assert client.get("/exports/register").status_code == 403
        assert client.post("/exports/register", data=request(world)).status_code == 403
    # a registrar of another area choosing this one
    crs = browser(world.people["crs_registrar"])
    assert crs.post("/exports/register", data=request(world)).status_code == 403
    assert _count() == 0
    assert browser(world.people["referrer"]).get("/exports").status_code == 403


def test_errors_are_shown_at_their_fields(app, discussed, browser):
    world, _cases = discussed
    client = browser(world.people["registrar"])
    page = client.post("/exports/register", data=request(
        world, purpose="", period_from="2026-06-02", period_to="2026-06-01"))
    assert page.status_code == 422
    assert field_error(page.text, "purpose") == "Fyll i fältet."
    assert field_error(page.text, "period_to")
    page = client.post("/exports/register", data=request(world, purpose="a\x00b",
                                                         period_from="\x00"))
    assert page.status_code == 422
    assert field_error(page.text, "purpose") and field_error(page.text, "period_from")
    research = browser(world.people["coordinator"])
    page = research.post("/exports/research", data=research_request(
        world, ethics_reference="Dnr 2015/123-31"))
    assert page.status_code == 422
    assert "ÅÅÅÅ-NNNNN-NN" in field_error(page.text, "ethics_reference")
    assert _count() == 0


def test_the_coordinator_makes_a_research_extract_from_the_page(app, discussed, browser):
    world, cases = discussed
    client = browser(world.people["coordinator"])
    listing = client.get("/exports").text
    assert 'id="new-research-extract"' in listing and 'id="new-register-export"' not in listing
    answer = client.post("/exports/research", data=research_request(world))
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    body = answer.get_data().decode("utf-8")
    assert body.startswith("\ufeffStudiepseudonym;")
    assert cases[0].patient.identity_value[2:] not in body and "Testpatient" not in body
    assert "2024-01234-01" in client.get("/exports").text


def test_the_command_line_makes_the_export_as_the_person_named(app, discussed, tmp_path):
    world, _cases = discussed
    runner = app.test_cli_runner()
    out = tmp_path / "register.csv"
    day = request(world)["period_from"]
    args = ["exports", "register", "--area", "analcancer", "--from", day, "--to", day,
            "--purpose", "Inrapportering 2026", "--out", str(out)]
    refused = runner.invoke(args=[*args[:2], "--as", world.people["coordinator"].email,
                                  *args[2:]])
    assert refused.exit_code == 2 and "may not" in refused.output and not out.exists()
    done = runner.invoke(args=[*args[:2], "--as", world.people["registrar"].email, *args[2:]])
    assert done.exit_code == 0, done.output
    assert "3 rows" in done.output and "Testpatient" not in done.output
    assert out.read_text(encoding="utf-8").count("\n") == 4
    bad = runner.invoke(args=["exports", "research", "--as", world.people["coordinator"].email,
                              *args[2:], "--study", "S", "--ethics-reference", "2015/12-3"])
    assert bad.exit_code == 2 and "ethics_reference" in bad.output


def test_the_menu_leads_a_registrar_to_the_exports(app, discussed, browser):
    world, _cases = discussed
    start = browser(world.people["registrar"]).get("/")
    assert start.status_code == 200
    assert 'href="/exports">Exporter</a>' in start.text
    assert 'href="/exports"' not in browser(world.people["host_member"]).get("/").text


def _cli_args(world, out) -> list[str]:
    day = request(world)["period_from"]
    return ["exports", "register", "--as", world.people["registrar"].email,
            "--area", "analcancer", "--from", day, "--to", day,
            "--purpose", "Inrapportering 2026", "--out", str(out)]


def test_the_command_line_writes_the_file_for_its_owner_only(app, discussed, tmp_path):
    world, _cases = discussed
    runner = app.test_cli_runner()
    out = tmp_path / "register.csv"
    done = runner.invoke(args=_cli_args(world, out))
    assert done.exit_code == 0, done.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    out.chmod(0o644)  # an existing file is made private again
    again = runner.invoke(args=_cli_args(world, out))
    assert again.exit_code == 0, again.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text(encoding="utf-8").count("\n") == 4


def test_an_unwritable_output_path_makes_no_export(app, discussed, tmp_path):
    world, _cases = discussed
    before = _export_rows_and_events()
    failed = app.test_cli_runner().invoke(
        args=_cli_args(world, tmp_path / "no-such-directory" / "register.csv"))
    assert failed.exit_code == 2 and "cannot write" in failed.output
    assert _export_rows_and_events() == before


def _export_rows_and_events() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(Export)),
            db.session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action.like("export.%"))))
