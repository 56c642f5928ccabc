"""`mdk reports pdf CASE_NUMBER -o FILE`: the report's PDF as the referring unit gets it, for
operators and checks. The read is audited like any other."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

reports_cli = AppGroup("reports", help="Reports to the referring units.")


@reports_cli.command("pdf")
@click.argument("case_number")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The PDF file to write.")
def pdf_command(case_number: str, output: str) -> None:
    """Write the current report of a case (e.g. AC-2026-0142) as PDF."""
    from mdk.audit import service as audit
    from mdk.invites.service import case_by_number
    from mdk.reports import document, service

    case = case_by_number(case_number)
    if case is None:
        raise click.ClickException(f"no case with the number {case_number!r}")
    report = service.current_report(case)
    if report is None:
        raise click.ClickException(f"the case {case.number} has no report yet")
    base_url = current_app.config["MDK"].base_url
    with current_app.test_request_context("/", base_url=base_url):
        audit.record(audit.system_actor(), "report.read", case,
                     details={"report_id": report.id, "revision": report.revision,
                              "form": "pdf-cli"})
        pdf = document.pdf_bytes(document.document_of(report, as_issued=True))
        from mdk.extensions import db

        db.session.commit()
    with open(output, "wb") as handle:
        handle.write(pdf)
    click.echo(f"{output}: {len(pdf)} bytes, report version {report.revision} of {case.number}")
