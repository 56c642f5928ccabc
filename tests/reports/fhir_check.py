"""An export checked as FHIR R4: the structure by fhir.resources' R4B models, and what
those models carry but do not enforce (checked here from their own metadata): the codes of
required bindings (`enum_values`) and the target types of references
(`enum_reference_types`); and the document rules: Composition first, an identifier and a
timestamp, unique fullUrls, every reference resolved inside the bundle."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from pydantic import BaseModel


class NotValid(AssertionError):
    pass


def checked(data: dict[str, Any]) -> Bundle:
    """The bundle as the R4B models read it; NotValid (or pydantic's ValidationError)."""
    model = Bundle.model_validate(data)
    by_url = {entry.fullUrl: entry.resource for entry in model.entry or []}
    problems = [*_document_problems(model, by_url), *_binding_problems(model, "Bundle", by_url)]
    if problems:
        raise NotValid("; ".join(problems))
    return model


def _document_problems(model: Bundle, by_url: dict[str, Any]) -> Iterator[str]:
    if model.type != "document":
        yield f"Bundle.type {model.type!r} is not document"
    if model.identifier is None or model.timestamp is None:
        yield "a document bundle has an identifier and a timestamp (bdl-9, bdl-10)"
    entries = model.entry or []
    if not entries or entries[0].resource.get_resource_type() != "Composition":
        yield "a document's first entry is its Composition (bdl-11)"
    if len(by_url) != len(entries):
        yield "fullUrls repeat (bdl-7)"


def _fields(model: BaseModel) -> Iterator[tuple[str, dict[str, Any], Any]]:
    for name, info in type(model).model_fields.items():
        value = getattr(model, name, None)
        if value is not None:
            yield name, info.json_schema_extra or {}, value


def _binding_problems(model: BaseModel, path: str, by_url: dict[str, Any]) -> Iterator[str]:
    for name, extra, value in _fields(model):
        values = value if isinstance(value, list) else [value]
        where = f"{path}.{name}"
        allowed_codes = extra.get("enum_values")
        if allowed_codes:
            for one in values:
                if isinstance(one, str) and one not in allowed_codes:
                    yield f"{where}: {one!r} is not one of {allowed_codes}"
        targets = extra.get("enum_reference_types")
        for one in values:
            if not isinstance(one, BaseModel):
                continue
            if targets and getattr(one, "reference", None) is not None:
                yield from _reference_problems(where, one.reference, targets, by_url)
            yield from _binding_problems(one, where, by_url)


def _reference_problems(where: str, reference: str, targets: list[str],
                        by_url: dict[str, Any]) -> Iterator[str]:
    target = by_url.get(reference)
    if target is None:
        yield f"{where}: {reference} is not in the bundle"
    elif "Resource" not in targets and target.get_resource_type() not in targets:
        yield f"{where}: a {target.get_resource_type()} where {targets} is allowed"
