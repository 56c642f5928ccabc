"""A case's material and its secondary review in a real browser, in Swedish: the referrer
refers an anal-cancer case and fills in its material but for PET-DT, and the case page says
in plain words that PET-DT is missing, until it is given (with a PDF uploaded for the MRI);
the coordinator puts the case on a meeting; the host unit's radiologist reviews the MRI from
Mina granskningar; the coordinator writes the combined statement (demonstrationsutlåtande),
which the case page shows with the review's discrepancy. No personnummer reaches a URL.
The last case page is kept in test-artifacts/ for a human look."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from mdk.extensions import db
from mdk.patients.service import Identity, fictitious_identity_numbers, patient_by_identity
from tests.e2e.conftest import (
    ARTIFACTS,
    LIVE,
    PDF,
    fill_entry,
    host_radiologist,
    log_in_as,
    log_in_with,
    meeting_with_host,
    refer_anal_cancer_case,
    upload_pdf,
)

pytestmark = pytest.mark.e2e

# A seed of its own: neither the demo's patients nor the other browser tests' numbers.
NUMBER = fictitious_identity_numbers(1, seed=20261214)[0]
PNR = f"{NUMBER[:8]}-{NUMBER[8:]}"
STATEMENT = "MR bäcken: T2N1, sfinkterengagemang. Jämfört med originalutlåtandet: N1 i st.f. N0."
COMBINED = "Demonstration: T2N1M0 efter sekundärgranskning av MR och PAD."
REVIEW = "Radiolog (bild- och funktionsmedicin) · MR bäcken"  # a task as the lists name it


def _refer(page: Page) -> tuple[int, str]:
    """Refer the test's patient to the anal-cancer MDK; the case's id and number."""
    number = refer_anal_cancer_case(page, PNR, "Underlag",
                                    "Kurativ kemoradioterapi? MR och PAD finns.")
    return int(re.search(r"/cases/(\d+)", page.url)[1]), number


def test_material_is_completed_reviewed_and_summed_up(new_page):
    urls: list[str] = []
    with LIVE["app"].app_context():
        assert patient_by_identity(Identity(kind="personnummer", value=NUMBER)) is None
        today = datetime.now(LIVE["app"].config["MDK"].tz).date()
        db.session.remove()
    examined = (today - timedelta(days=12)).isoformat()

    # 1. The referrer refers the case and gives its material, all but PET-DT.
    referrer = new_page(urls)
    log_in_as(referrer, "referrer")
    case_id, number = _refer(referrer)
    material = referrer.locator("#material")
    expect(material.locator(".notice")).to_contain_text("Saknas: PET-DT.")
    fill_entry(referrer, "clinical_tumour_status", "Klinisk tumörstatus", examined, None,
                note="Palpabel tumör i analkanalen, 3 cm.")
    fill_entry(referrer, "pad_p16", "PAD inkl. p16", examined, ("pad_number", "T2026-04711"))
    fill_entry(referrer, "mri_pelvis", "MR bäcken", examined, ("accession_number", "RIS-2026-815"))
    fill_entry(referrer, "tnm", "TNM-klassifikation", examined, None, note="T2N1M0")
    upload_pdf(referrer, "mri_pelvis", "MR bäcken")
    # Everything but PET-DT is given: the page says, in plain Swedish, that PET-DT is missing.
    notice = material.locator(".notice")
    expect(notice).to_contain_text("Kvar att göra före mötet:")
    expect(notice.locator("li", has_text="Saknas:")).to_have_text(["Saknas: PET-DT."])
    expect(material.locator("#material-pet_ct")).to_contain_text("Saknas")
    ARTIFACTS.mkdir(exist_ok=True)
    referrer.screenshot(path=str(ARTIFACTS / "material-pet-ct-missing.png"), full_page=True)
    fill_entry(referrer, "pet_ct", "PET-DT", examined, ("accession_number", "RIS-2026-816"))
    expect(material.locator("li", has_text="Saknas")).to_have_count(0)
    expect(material.locator("#material-pet_ct")).to_contain_text("RIS-2026-816")

    # 2. The coordinator puts it on a meeting with a host unit.
    coordinator = new_page(urls)
    log_in_as(coordinator, "coordinator")
    coordinator.goto(f"/cases/{case_id}")
    expect(coordinator.locator(".facts").first).to_contain_text(PNR)
    value, meeting = meeting_with_host(coordinator)
    coordinator.locator("#accept-conference_id").select_option(value=value)
    coordinator.locator("#accept-treating_unit_id").select_option(index=1)
    coordinator.get_by_role("button", name="Ta upp på ett möte").last.click()
    expect(coordinator.locator(".flash").first).to_contain_text("Accepterat")
    expect(coordinator.locator("main")).to_contain_text(meeting.split(" · ")[0])
    # The review tasks are made for the host unit's reviewers.
    reviews = coordinator.locator("#reviews")
    expect(reviews).to_have_text("Sekundärgranskning")
    expect(coordinator.locator("main table", has_text=REVIEW)).to_be_visible()

    # 3. The host unit's radiologist reviews the MRI from Mina granskningar.
    reviewer = new_page(urls)
    log_in_with(reviewer, host_radiologist(int(value)))
    reviewer.goto("/reviews")
    expect(reviewer.locator("h1")).to_have_text("Mina granskningar")
    # Assigned to them, or (away on the due day or the meeting day) not yet assigned at
    # their unit: either way it is on their page to open.
    row = reviewer.locator("tr", has_text=number).filter(has_text="MR bäcken")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Att göra")
    row.get_by_role("link", name=number).click()
    expect(reviewer.locator("h1")).to_contain_text(number)
    expect(reviewer.locator("main")).to_contain_text("RIS-2026-815")
    with reviewer.expect_download() as download:
        reviewer.get_by_role("link", name="mr-utlatande.pdf").click()
    assert download.value.suggested_filename == "mr-utlatande.pdf"
    assert Path(download.value.path()).read_bytes() == PDF
    statement = reviewer.get_by_label("Granskningsutlåtande")
    expect(statement).to_have_value(re.compile("Jämfört med originalutlåtandet"))
    statement.fill(STATEMENT)
    reviewer.get_by_label("Mindre avvikelse").check()
    reviewer.get_by_role("button", name="Slutför granskningen").click()
    expect(reviewer.locator(".flash").first).to_contain_text(
        f"Granskningen av ärende {number} är sparad")
    expect(reviewer.get_by_label("Mindre avvikelse")).to_be_checked()
    reviewer.screenshot(path=str(ARTIFACTS / "review-task.png"), full_page=True)
    reviewer.goto("/reviews")
    expect(reviewer.locator("tr", has_text=number).filter(has_text="MR bäcken")).to_contain_text(
        "Klar · Mindre avvikelse")

    # 4. The coordinator writes the combined statement on the case page.
    coordinator.reload()
    task_row = coordinator.locator("main tr", has_text=REVIEW)
    expect(task_row).to_contain_text("Mindre avvikelse")
    expect(task_row).to_contain_text(STATEMENT)
    coordinator.get_by_label("Demonstrationsutlåtande").fill(COMBINED)
    coordinator.get_by_role("button", name="Spara demonstrationsutlåtandet").click()
    expect(coordinator.locator(".flash").first).to_contain_text(
        f"Demonstrationsutlåtandet för ärende {number} är sparat")
    expect(coordinator.locator("main p.prose", has_text=COMBINED)).to_be_visible()
    expect(coordinator.locator("main tr", has_text=REVIEW)).to_contain_text(
        "Mindre avvikelse")
    coordinator.screenshot(path=str(ARTIFACTS / "case-material-review.png"), full_page=True)

    assert urls
    assert not [url for url in urls if NUMBER in url or NUMBER[2:] in url or PNR in url]
