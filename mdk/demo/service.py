"""Demo data: providers, every NHV unit of the area files, referring units (one private),
people covering each area's quorum, secondary review and licence staffing, a few absences,
role grants, fictitious patients and cases on them (mdk.demo.cases). Fictitious people only;
e-mails on demo.mdk.example.

Idempotent: every row is looked up by its natural key (organisation number, HSA-id, e-mail)
and only changed when it differs, so a second run in the same week changes nothing. The
demo absences are placed relative to the current week and move with it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from mdk.audit.service import system_actor
from mdk.auth.models import PasswordCredential
from mdk.auth.service import set_shared_password
from mdk.care_areas.domain import CareArea
from mdk.care_areas.service import care_areas
from mdk.conferences.service import extend_calendars
from mdk.demo.cases import load_demo_cases
from mdk.demo.history import extend_past_calendars, load_demo_history
from mdk.demo.material import judge_demo_case, load_demo_material, load_demo_reviews
from mdk.extensions import db
from mdk.hsa import organisation_number
from mdk.patients.service import create_fictitious_patients
from mdk.people import service as people
from mdk.people.models import Person
from mdk.units import service as units
from mdk.units.models import CareProvider, Unit

DOMAIN = "demo.mdk.example"
# Shown by `mdk demo load`; the demo is fictitious data for trying the service out.
DEMO_PASSWORD = "demo-mdk-2026"
DEMO_PATIENTS = 21  # 1-12 on cases to come (mdk.demo.cases), 13-21 held (mdk.demo.history)
DEMO_REASON = "Demo: "  # absences the demo owns start with this


@dataclass(frozen=True)
class DemoProvider:
    name: str
    organisation_number: str
    city: str
    is_private: bool = False


# Regions' public organisation numbers (all pass the Luhn check), and one fictitious private
# provider whose number was chosen to pass it.
PROVIDERS = (
    DemoProvider("Region Stockholm", "232100-0016", "Stockholm"),
    DemoProvider("Västra Götalandsregionen", "232100-0131", "Göteborg"),
    DemoProvider("Region Skåne", "232100-0255", "Malmö"),
    DemoProvider("Region Uppsala", "232100-0024", "Uppsala"),
    DemoProvider("Region Östergötland", "232100-0040", "Linköping"),
    DemoProvider("Region Jönköpings län", "232100-0057", "Jönköping"),
    DemoProvider("Region Västerbotten", "232100-0222", "Umeå"),
    DemoProvider("Cityklinikens kirurgmottagning AB", "559123-4561", "Stockholm",
                 is_private=True),
)

# (name, short name, HSA-id): referring units, i.e. units no area file names.
REFERRING_UNITS = (
    ("Kirurgiska kliniken, Universitetssjukhuset i Linköping", "US Linköping",
     "SE2321000040-RF01"),
    ("Onkologiska kliniken, Länssjukhuset Ryhov", "Ryhov", "SE2321000057-RF01"),
    ("Cancercentrum, Norrlands universitetssjukhus", "NUS", "SE2321000222-RF01"),
    ("Cityklinikens kirurgmottagning", "Cityklinik", "SE5591234561-CK01"),
)

FIRST_NAMES = ("Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Sara", "Anders", "Eva",
               "Per", "Lena", "Mikael", "Ingrid", "Fredrik", "Helena", "Magnus", "Sofia",
               "Jonas", "Annika", "Henrik")
LAST_NAMES = ("Lindqvist", "Bergström", "Holmgren", "Sandberg", "Ekström", "Lundgren",
              "Forsberg", "Nyström", "Åkesson", "Wallin", "Hedlund", "Sjöberg", "Engström",
              "Lindahl", "Björk", "Öberg", "Dahlberg", "Norén", "Strand", "Vikström")


def load_demo(year: bool = False) -> list[str]:
    """Create or bring up to date the demo data; returns what to print. `year`: a whole
    past year of both areas as well (mdk.demo.year), before the weeks the history tells."""
    areas = care_areas()
    providers = {demo.organisation_number: _ensure_provider(demo) for demo in PROVIDERS}
    cities = {demo.organisation_number: demo.city for demo in PROVIDERS}
    names = _names()
    first_of_role: dict[str, Person] = {}

    for area in areas.values():
        for position, nhv in enumerate(area.nhv_units, start=1):
            number = organisation_number(nhv.hsa_id)
            unit = _ensure_unit(nhv.name, nhv.short_name, nhv.hsa_id, providers[number],
                                cities[number], position)
            _staff_nhv_unit(area, unit, names, first_of_role)

    referring = []
    for position, (name, short_name, hsa_id) in enumerate(REFERRING_UNITS, start=1):
        number = organisation_number(hsa_id)
        referring.append(_ensure_unit(name, short_name, hsa_id, providers[number],
                                      cities[number], 10 + position))
    for area_index, area in enumerate(areas.values()):
        unit = referring[area_index % len(referring)]
        referrer = _ensure_person(unit, next(names), "Remitterande läkare", [])
        _grant(referrer, "referrer", area, first_of_role)

    admin_unit = units.unit_by_hsa_id(next(iter(areas.values())).nhv_units[0].hsa_id)
    admin = _ensure_person(admin_unit, ("Demo", "Administratör"), "Systemförvaltare", [],
                           email=f"admin@{DOMAIN}")
    for area in areas.values():
        _grant(admin, "admin", area, first_of_role)
    # The quality-register reporter of both areas (mdk.exports), beside the admin.
    registrar = _ensure_person(admin_unit, ("Demo", "Inrapportör"),
                               "Inrapportör kvalitetsregister", [], email=f"registrar@{DOMAIN}")
    for area in areas.values():
        _grant(registrar, "registrar", area, first_of_role)

    _place_absences(areas)
    _give_demo_passwords()
    # Fictitious patients only: generated numbers, every one marked fictitious.
    create_fictitious_patients(system_actor(), DEMO_PATIENTS)
    db.session.commit()
    # A year of meetings ahead for every area, hosts planned (idempotent, like the rest);
    # then the past weeks' meetings for the history below (the coming ones keep their hosts).
    extend_calendars()
    extend_past_calendars(areas)
    year_cases = 0
    if year:
        from mdk.demo.year import load_demo_year

        year_cases = load_demo_year(areas, [hsa_id for _name, _short, hsa_id in REFERRING_UNITS])
        _give_demo_passwords()  # the year's referrers
    # Cases on the demo patients, triaged onto the meetings just planned (idempotent too).
    added = load_demo_cases(areas, DEMO_PATIENTS)
    # Their material, reviews done by the host's reviewers, and one case held at the gate.
    today = datetime.now(current_app.config["MDK"].tz).date()
    filled = load_demo_material(areas, DEMO_PATIENTS, today)
    reviewed = load_demo_reviews(areas, DEMO_PATIENTS)
    judge_demo_case(areas, DEMO_PATIENTS)
    # Past meetings held: attendance, signed protocols, care plans, reports and their reading.
    held, issued = load_demo_history(areas)
    lines = [f"{role}: {person.email}  password: {DEMO_PASSWORD}"
             for role, person in first_of_role.items()]
    lines.append(f"every demo person logs in with the password {DEMO_PASSWORD}")
    lines.append(f"demo cases added: {added}")  # a count only: no patient in the output
    lines.append(f"demo material entries filled: {filled}, reviews written: {reviewed}")
    lines.append(f"demo past meetings held: {held}, reports issued: {issued}")
    if year:
        lines.append(f"demo year cases added: {year_cases}")
    return lines


def _give_demo_passwords() -> None:
    """Only people without a password get one, so a second run changes nothing."""
    has_password = set(db.session.scalars(select(PasswordCredential.person_id)))
    demo_people = db.session.scalars(select(Person).where(Person.email.like(f"%@{DOMAIN}")))
    without = [person for person in demo_people if person.id not in has_password]
    if without:
        set_shared_password(without, DEMO_PASSWORD)


# --- rows ---------------------------------------------------------------------------------

def _changes(row, wanted: dict) -> dict:
    return {key: value for key, value in wanted.items() if getattr(row, key) != value}


def _ensure_provider(demo: DemoProvider) -> CareProvider:
    wanted = {"name": demo.name, "organisation_number": demo.organisation_number,
              "is_private": demo.is_private}
    provider = units.provider_by_organisation_number(demo.organisation_number)
    if provider is None:
        return units.create_provider(wanted)
    if changes := _changes(provider, wanted):
        units.update_provider(provider, changes)
    return provider


def _ensure_unit(name: str, short_name: str, hsa_id: str, provider: CareProvider, city: str,
                 position: int) -> Unit:
    suffix = hsa_id.split("-", 1)[1].lower()
    wanted = {"name": name, "short_name": short_name, "hsa_id": hsa_id,
              "provider_id": provider.id, "mailbox": f"mdk.{suffix}@{DOMAIN}",
              "phone": f"010-000 {position:02d} 00", "city": city, "active": True}
    unit = units.unit_by_hsa_id(hsa_id)
    if unit is None:
        return units.create_unit(wanted)
    if changes := _changes(unit, wanted):
        units.update_unit(unit, changes)
    return unit


def _names():
    # (i mod 20, (i + i div 20) mod 20) never repeats for i < 400, and neighbours differ.
    assert len(FIRST_NAMES) == len(LAST_NAMES)
    size = len(FIRST_NAMES)
    for index in range(size * size):
        yield FIRST_NAMES[index % size], LAST_NAMES[(index + index // size) % size]


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return folded.lower().replace(" ", "-")


def _ensure_person(unit: Unit, name: tuple[str, str], title: str, competences: list[str],
                   email: str | None = None) -> Person:
    first, last = name
    email = email or f"{_ascii(first)}.{_ascii(last)}@{DOMAIN}"
    wanted = {"name": f"{first} {last}", "title": title, "unit_id": unit.id, "active": True}
    person = people.person_by_email(email)
    if person is None:
        return people.create_person({**wanted, "email": email, "competences": competences})
    changes = _changes(person, wanted)
    if sorted(person.competence_keys) != sorted(competences):
        changes["competences"] = competences
    if changes:
        people.update_person(person, changes)
    return person


def _staff_nhv_unit(area: CareArea, unit: Unit, names, first_of_role) -> None:
    """One person per competence the area asks of an NHV unit, plus a coordinator."""
    from mdk.care_areas.service import competences

    vocabulary = competences()
    needed = list(dict.fromkeys(area.quorum + area.quorum_when_needed + area.secondary_review
                                + area.licence_critical + area.licence_other + ("coordinator",)))
    for key in needed:
        person = _ensure_person(unit, next(names), vocabulary[key].label.sv, [key])
        if key == "coordinator":
            _grant(person, "coordinator", area, first_of_role)
        elif key in area.quorum:
            _grant(person, "member", area, first_of_role)
        # Every unit may host, so each unit's reviewers do the secondary review there.
        if key in area.secondary_review:
            _grant(person, "reviewer", area, first_of_role)


def _grant(person: Person, role: str, area: CareArea, first_of_role: dict) -> None:
    people.grant_role(person, role, area.key, person.unit_id)
    first_of_role.setdefault(role, person)


# --- absences -------------------------------------------------------------------------------

def _place_absences(areas: dict[str, CareArea]) -> None:
    """A radiologist away all this week (so one unit lacks one), and two shorter absences."""
    today = datetime.now(current_app.config["MDK"].tz).date()
    monday = today - timedelta(days=today.weekday())
    plans = [  # (area, NHV unit index, competence, first day, last day, reason)
        ("analcancer", 2, "radiologist", monday, monday + timedelta(days=4), "Semester"),
        ("analcancer", 3, "oncologist", monday + timedelta(days=7), monday + timedelta(days=7),
         "Kurs"),
        ("crs_hipec", 1, "colorectal_surgeon", monday + timedelta(days=16),
         monday + timedelta(days=16), "Tjänsteresa"),
    ]
    for area_key, index, key, first, last, reason in plans:
        area = areas.get(area_key)
        if area is None or index >= len(area.nhv_units):
            continue
        person = _holder(area.nhv_units[index].hsa_id, key)
        if person is not None:
            _ensure_absence(person, first, last, DEMO_REASON + reason)


def _holder(hsa_id: str, competence: str) -> Person | None:
    unit = units.unit_by_hsa_id(hsa_id)
    if unit is None:
        return None
    return next((person for person in people.list_people(unit_id=unit.id)
                 if competence in person.competence_keys), None)


def _ensure_absence(person: Person, first: date, last: date, reason: str) -> None:
    """Exactly this demo absence for the person: stale demo absences (other weeks) go."""
    for absence in list(person.absences):
        if absence.reason and absence.reason.startswith(DEMO_REASON) and (
                (absence.first_day, absence.last_day, absence.reason) != (first, last, reason)):
            people.remove_absence(person, absence.id)
    if not any((a.first_day, a.last_day, a.reason) == (first, last, reason)
               for a in person.absences):
        people.add_absence(person, first, last, reason)
