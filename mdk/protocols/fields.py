"""The sections of a document made from an area file's template (the protocol, the care
plan) as data: what each kind of section holds, how a value sent by a form or the API is
checked, and the sections as a signed (established) document keeps them.

Values by kind (mdk.care_areas.domain.SECTION_KINDS), as stored in Protocol.values and
CarePlan.values: text -> the text; choice -> the option's key; unit -> an NHV unit's HSA-id
or "home_region"; person_and_date -> {"person": who, "date": "YYYY-MM-DD"}; boolean -> true
or false; rehabilitation -> a list of {"need", "profession", "action", "time_point"};
schedule -> a list of {"what", "instrument"?, and either "date": "YYYY-MM-DD" or "count",
"unit", "from"} (mdk.protocols.rows). An empty section has no key. Errors name the section
key (and `<key>.person`, `<key>.date`, `<key>.<row>.<column>`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from mdk.care_areas.domain import (
    HOME_REGION,
    ROW_KINDS,
    CareArea,
    DocumentTemplate,
    TemplateSection,
)
from mdk.protocols import rows
from mdk.validation import FieldError, Problems, clean_text, parse_day

TEXT_LENGTH = 10_000  # a section of free text: a long recommendation fits, a paste of a book not
PERSON_LENGTH = 200
HOME_REGION_LABEL = {"sv": "Hemregionen (patientens hemort)",
                     "en": "The home region (where the patient lives)"}


def sections_of(area: CareArea, template: DocumentTemplate) -> list[dict[str, Any]]:
    """The template as plain data, as a signed protocol keeps it (Protocol.sections): labels
    in both languages, and for choice and unit sections what each value is called. A draft
    is shown from the same shape, so one rendering serves both."""
    return [_section_data(area, section) for section in template.sections]


def _section_data(area: CareArea, section: TemplateSection) -> dict[str, Any]:
    options: list[dict[str, Any]] = []
    if section.kind == "choice":
        options = [{"key": option.key, "label": {"sv": option.label.sv, "en": option.label.en}}
                   for option in section.options]
    elif section.kind == "unit":
        options = [{"key": unit.hsa_id, "label": {"sv": unit.name, "en": unit.name}}
                   for unit in area.nhv_units]
        options.append({"key": HOME_REGION, "label": dict(HOME_REGION_LABEL)})
    data = {"key": section.key, "kind": section.kind, "required": section.required,
            "label": {"sv": section.label.sv, "en": section.label.en}, "options": options}
    if section.help is not None:
        data["help"] = {"sv": section.help.sv, "en": section.help.en}
    if section.kind == "schedule":
        data["prom"] = section.prom
    return data


def clean_values(area: CareArea, template: DocumentTemplate,
                 raw: Mapping[str, Any]) -> dict[str, Any]:
    """The values of a draft, checked section by section; every problem at once (FieldErrors).
    Required sections may still be empty: that is checked when the chair signs."""
    problems = Problems()
    known = {section.key for section in template.sections}
    for key in sorted(set(raw) - known):
        problems.add(FieldError(str(key), _l("Unknown field.")))
    values: dict[str, Any] = {}
    for section in template.sections:
        value = problems.check(_clean_one, area, section, raw.get(section.key))
        if value is not None:
            values[section.key] = value
    problems.raise_any()
    return values


def _clean_one(area: CareArea, section: TemplateSection, value: object) -> Any:
    kind = section.kind
    if kind == "text":
        return clean_text(value, section.key, max_length=TEXT_LENGTH, required=False,
                          multiline=True)
    if kind == "person_and_date":
        return _person_and_date(section.key, value)
    if kind in ROW_KINDS:
        return rows.clean_rows(section, value)
    if value is None or value == "":
        return None
    if kind == "choice":
        if not isinstance(value, str) or section.option(value) is None:
            raise FieldError(section.key, _l("Choose one of the options."))
        return value
    if kind == "unit":
        allowed = {unit.hsa_id for unit in area.nhv_units} | {HOME_REGION}
        if not isinstance(value, str) or value not in allowed:
            raise FieldError(section.key, _l("Choose one of the area's NHV units or the "
                                             "home region."))
        return value
    if kind == "boolean":
        if value in (True, "yes"):
            return True
        if value in (False, "no"):
            return False
        raise FieldError(section.key, _l("Choose yes or no."))
    raise FieldError(section.key, _l("Unknown field."))  # a kind the file schema refuses


def _person_and_date(key: str, value: object) -> dict[str, str] | None:
    if value is None or value == "":
        return None
    if not isinstance(value, Mapping) or set(value) - {"person", "date"}:
        raise FieldError(key, _l("Enter who does it and by when."))
    problems = Problems()
    person = problems.check(clean_text, value.get("person"), f"{key}.person",
                            max_length=PERSON_LENGTH, required=False)
    raw_day = value.get("date")
    day = None
    if raw_day not in (None, ""):
        day = problems.check(parse_day, raw_day, f"{key}.date")
    problems.raise_any()
    found = {name: part for name, part in (("person", person),
                                           ("date", day.isoformat() if day else None)) if part}
    return found or None


def missing_required(template: DocumentTemplate, values: Mapping[str, Any],
                     message: Any = None) -> list[FieldError]:
    """The required sections still empty: what stops the signature, each named."""
    message = message or _l("Fill in this section before the protocol is signed.")
    missing: list[FieldError] = []
    for section in template.sections:
        if not section.required:
            continue
        value = values.get(section.key)
        if section.kind == "person_and_date":
            for part in ("person", "date"):
                if not (value or {}).get(part):
                    missing.append(FieldError(f"{section.key}.{part}", message))
        elif value is None or value == "" or value == []:
            missing.append(FieldError(section.key, message))
    return missing


def shown_value(section: Mapping[str, Any], value: Any, language: str) -> str:
    """A section's value as the protocol reads, in `language` ("" when empty)."""
    if value is None or value == "":
        return ""
    kind = section["kind"]
    if kind in ("choice", "unit"):
        option = next((o for o in section["options"] if o["key"] == value), None)
        return option["label"].get(language, option["label"]["sv"]) if option else str(value)
    if kind == "boolean":
        return str(_l("Yes") if value else _l("No"))
    if kind == "person_and_date":
        person, day = value.get("person", ""), value.get("date", "")
        return " · ".join(part for part in (person, day) if part)
    if kind in ROW_KINDS:
        return "; ".join(rows.shown_row(kind, row) for row in value)
    return str(value)
