"""Demo material, reviews and a readiness verdict on the demo cases, so a new user sees them.

Everything goes through the features' services as a user would do it: the area's demo referrer
fills in the material and uploads a (generated, fictitious) report, the host's reviewers write
statements, and the readiness gate judges the next anal-cancer meeting's cases as it will at
that meeting's cut-off. Idempotent: an entry already filled in, a task already done and a
case already judged are left alone.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from mdk.audit.service import Actor, actor_for
from mdk.care_areas.domain import CareArea
from mdk.cases.models import Case
from mdk.documents.pdf import template_to_pdf
from mdk.extensions import db
from mdk.patients.service import Identity, fictitious_identity_numbers, patient_by_identity
from mdk.people.models import RoleGrant
from mdk.units.models import Unit


@dataclass(frozen=True)
class DemoItem:
    """One checklist entry filled in: examined `days_ago`, at `source`, with a reference
    (kind, value), a note, availability at the meeting's host, and maybe a generated PDF."""

    key: str
    days_ago: int | None = None
    source: str | None = None
    reference: tuple[str, str] | None = None
    note: str | None = None
    at_host: str | None = None  # "requested" | "available" | "transferred"
    document: str | None = None  # the PDF's title


LINKOPING = "Universitetssjukhuset i Linköping"
JONKOPING = "Länssjukhuset Ryhov, Jönköping"

# (area, demo patient number) -> the entries the referrer has filled in.
DEMO_MATERIAL: dict[tuple[str, int], tuple[DemoItem, ...]] = {
    # Submitted, urgent: imaging done, the PAD is on its way.
    ("analcancer", 2): (
        DemoItem("clinical_tumour_status", 6, LINKOPING,
                 note="Palpabel tumör 5 cm i analkanalen, fixerad mot bakre vaginalväggen."),
        DemoItem("mri_pelvis", 9, LINKOPING, ("accession_number", "LIR2611200417")),
        DemoItem("pet_ct", 5, LINKOPING, ("study_uid", "1.2.752.24.7.10421.20261126.3")),
    ),
    # Accepted onto the next meeting, all there: the gate finds it ready.
    ("analcancer", 5): (
        DemoItem("clinical_tumour_status", 12, LINKOPING, note="Palpabel resistens 2 cm."),
        DemoItem("pad_p16", 20, LINKOPING, ("pad_number", "T2026-018733"),
                 at_host="transferred", document="PAD-utlåtande (fiktivt, demo)"),
        DemoItem("mri_pelvis", 14, LINKOPING, ("study_uid", "1.2.752.24.7.10421.20261117.1"),
                 at_host="available"),
        DemoItem("pet_ct", 10, LINKOPING, ("accession_number", "LIN2611211188"),
                 at_host="available"),
        DemoItem("tnm", 10, LINKOPING, note="rT2N0M0"),
    ),
    # Accepted onto a later meeting: the MRI is not yet at the host, the PET-CT is missing.
    ("analcancer", 6): (
        DemoItem("clinical_tumour_status", 8, LINKOPING),
        DemoItem("pad_p16", 16, LINKOPING, ("pad_number", "T2026-019102"),
                 at_host="transferred"),
        DemoItem("mri_pelvis", 11, LINKOPING, ("accession_number", "LIR2611190233"),
                 at_host="requested"),
        DemoItem("tnm", 8, LINKOPING, note="T3N1cM0"),
    ),
    # Deferred for a PET-CT not yet done.
    ("analcancer", 7): (
        DemoItem("clinical_tumour_status", 15, LINKOPING),
        DemoItem("pad_p16", 25, LINKOPING, ("pad_number", "T2026-017450"),
                 at_host="transferred"),
        DemoItem("mri_pelvis", 18, LINKOPING, ("accession_number", "LIR2611130871"),
                 at_host="available"),
    ),
    # CRS/HIPEC, accepted: the CT is older than the 60 days the area allows.
    ("crs_hipec", 9): (
        DemoItem("pad", 95, JONKOPING, ("pad_number", "J2026-004512"), at_host="transferred"),
        DemoItem("molecular_markers", 90, JONKOPING, ("pad_number", "J2026-004512"),
                 note="MSS, BRAF vildtyp, KRAS G12D."),
        DemoItem("ct_thorax_abdomen", 75, JONKOPING,
                 ("study_uid", "1.2.752.24.7.20655.20260917.2"), at_host="available"),
        DemoItem("colonoscopy", 100, JONKOPING),
        DemoItem("tumour_markers", 14, JONKOPING, note="CEA 12 µg/l, CA 19-9 40 kU/l."),
        DemoItem("performance_status", 14, JONKOPING, note="WHO 0"),
        DemoItem("comorbidity", 14, JONKOPING, note="Ingen väsentlig samsjuklighet."),
    ),
    # CRS/HIPEC, submitted: the referral came with its PAD.
    ("crs_hipec", 10): (
        DemoItem("pad", 21, JONKOPING, ("pad_number", "J2026-005120"),
                 document="PAD-utlåtande (fiktivt, demo)"),
        DemoItem("performance_status", 7, JONKOPING, note="WHO 0"),
    ),
}


def load_demo_material(areas: dict[str, CareArea], patient_count: int, today: date) -> int:
    """Fill in the demo entries not filled in yet; returns how many were filled."""
    from mdk.material import service as material

    numbers = fictitious_identity_numbers(patient_count)
    filled = 0
    for (area_key, patient_number), items in DEMO_MATERIAL.items():
        case = _demo_case(areas, area_key, patient_number, numbers)
        referrer = _referrer(area_key)
        if case is None or referrer is None or not material.is_open(case):
            continue
        for demo in items:
            # Accepting made the empty rows of the entries reviewed at the host.
            existing = material.item_by_entry(case, demo.key)
            if existing is not None and existing.provided:
                continue
            _fill(material, referrer, case, demo, today)
            filled += 1
    return filled


def _fill(material, actor: Actor, case: Case, demo: DemoItem, today: date) -> None:
    values = {"examined_on": today - timedelta(days=demo.days_ago) if demo.days_ago else None,
              "source_hospital": demo.source, "note": demo.note}
    if demo.reference:
        values["reference_kind"], values["reference"] = demo.reference
    material.save_entry(actor, case, demo.key, {k: v for k, v in values.items() if v})
    if demo.document:
        material.attach_file(actor, case, demo.key, io.BytesIO(_pdf(demo.document, case)),
                             "utlatande.pdf")
    host = case.conference.host_unit_id if case.conference is not None else None
    if demo.at_host and host is not None:
        material.set_availability(actor, case, material.item_by_entry(case, demo.key), {
            "unit_id": host, "status": demo.at_host,
            "status_on": today - timedelta(days=1)})


def _pdf(title: str, case: Case) -> bytes:
    """A one-page fictitious report naming the case number only, in Swedish like all the
    demo's content."""
    return template_to_pdf("demo/material_pdf.html", title=title, lang="sv",
                           case_number=case.number)


def _demo_case(areas: dict[str, CareArea], area_key: str, patient_number: int,
               numbers: list[str]) -> Case | None:
    if area_key not in areas or not 1 <= patient_number <= len(numbers):
        return None
    patient = patient_by_identity(Identity(kind="personnummer",
                                           value=numbers[patient_number - 1]))
    if patient is None or not patient.fictitious:
        return None
    return next((case for case in patient.cases if case.care_area == area_key), None)


def _referrer(area_key: str) -> Actor | None:
    grant = db.session.scalars(
        select(RoleGrant).join(Unit, RoleGrant.unit_id == Unit.id)
        .where(RoleGrant.role == "referrer", RoleGrant.care_area == area_key)
        .order_by(RoleGrant.id)).first()
    return actor_for(grant.person, grant) if grant is not None else None


@dataclass(frozen=True)
class DemoReview:
    """A secondary review done by its assignee: (area, patient, competence) -> statement."""

    area: str
    patient: int
    competence: str
    discrepancy: str
    comment: str | None = None


DEMO_REVIEWS = (
    DemoReview("analcancer", 5, "nuclear_medicine_physician", "minor",
               "Lätt FDG-upptag i en 9 mm lymfkörtel i vänster ljumske, inte omnämnd i "
               "originalutlåtandet."),
    DemoReview("analcancer", 5, "pathologist", "concordant"),
)
# The radiologist's review of that case is left open: the demo reviewer has it to do.
DEMO_COMBINED = {("analcancer", 5): (
    "PAD och PET-DT granskade vid värdenheten. Lokalt återfall bekräftat, p16-positiv "
    "skivepitelcancer. Misstänkt liten lymfkörtel i vänster ljumske (N-status oklart): "
    "MR-granskningen återstår.")}


def load_demo_reviews(areas: dict[str, CareArea], patient_count: int) -> int:
    """The demo reviews done by their assignees, and the combined statement once a review of
    the case is done; the other tasks stay open. Returns how many reviews were written."""
    from mdk.access.policy import principal_for
    from mdk.reviews import service as reviews

    numbers = fictitious_identity_numbers(patient_count)
    written = 0
    for demo in DEMO_REVIEWS:
        case = _demo_case(areas, demo.area, demo.patient, numbers)
        task = next((task for task in (case.review_tasks if case else [])
                     if task.competence == demo.competence and task.state == "open"
                     and task.assignee is not None), None)
        if task is None:
            continue
        reviewer = task.assignee
        template = reviews.template_for(task)
        reviews.write_review(actor_for(reviewer, _grant_of(reviewer, demo.area)),
                             principal_for(reviewer), task,
                             {"statement": f"{template} {demo.comment or 'Överensstämmer.'}",
                              "discrepancy": demo.discrepancy, "comment": demo.comment})
        written += 1
    for (area_key, patient_number), text in DEMO_COMBINED.items():
        case = _demo_case(areas, area_key, patient_number, numbers)
        done = [task for task in (case.review_tasks if case else []) if task.state == "done"]
        if done and case.review_statement is None:
            author = done[0].assignee
            reviews.write_statement(actor_for(author, _grant_of(author, area_key)),
                                    principal_for(author), case, text)
    return written


def _grant_of(person, area_key: str) -> RoleGrant | None:
    return next((grant for grant in person.role_grants
                 if grant.care_area == area_key and grant.role == "reviewer"), None)


# The demo case the readiness gate judges ahead of its meeting's cut-off, so a new user sees a
# case held for the coordinator's decision (the others are judged when their cut-off comes).
DEMO_HELD = ("analcancer", 6)


def judge_demo_case(areas: dict[str, CareArea], patient_count: int) -> str | None:
    """Run the readiness gate's check on the demo's held case now; None if already judged."""
    from mdk.material import gate

    case = _demo_case(areas, *DEMO_HELD, fictitious_identity_numbers(patient_count))
    if case is None or case.conference_id is None:
        return None
    return gate.judge_now(case)
