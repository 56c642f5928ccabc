"""API schemas for care providers and units. Types are checked here; the rules (HSA-id,
organisation number, uniqueness) live in the service, so forms and API agree."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from mdk.hsa import HSA_ID_MAX_LENGTH, HSA_ID_PATTERN
from mdk.schemas import Flag, Text, database_id, rule_pattern
from mdk.units.service import UNIT_KINDS, nhv_areas_by_hsa_id
from mdk.validation import ORGANISATION_NUMBER_PATTERN, PHONE_PATTERN


class ProviderSchema(Schema):
    id = database_id(dump_only=True)
    name = Text(required=True, max_length=200)
    organisation_number = Text(required=True, metadata={
        "example": "232100-0016", "description": "with a valid (Luhn) check digit",
        "pattern": rule_pattern(ORGANISATION_NUMBER_PATTERN, trimmed=True)})
    hsa_id = Text(allow_none=True, max_length=HSA_ID_MAX_LENGTH,
                  metadata={"pattern": rule_pattern(HSA_ID_PATTERN, optional=True)})
    is_private = Flag()
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class UnitSchema(Schema):
    id = database_id(dump_only=True)
    name = Text(required=True, max_length=200)
    short_name = Text(required=True, max_length=40)
    hsa_id = Text(required=True, max_length=HSA_ID_MAX_LENGTH,
                  metadata={"example": "SE2321000016-AC01",
                            "pattern": rule_pattern(HSA_ID_PATTERN)})
    provider_id = database_id(required=True)
    mailbox = Text(required=True, max_length=254,
                   metadata={"format": "email", "description": "the unit's functional mailbox"})
    phone = Text(required=True, max_length=40,
                 metadata={"pattern": rule_pattern(PHONE_PATTERN, trimmed=True)})
    address = Text(allow_none=True, max_length=200)
    city = Text(allow_none=True, max_length=100)
    active = Flag()
    nhv_areas = fields.Function(
        lambda unit: [area.key for area in nhv_areas_by_hsa_id().get(unit.hsa_id, [])],
        dump_only=True, metadata={"description": "care areas where this is an NHV unit"})
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class UnitQueryArgsSchema(Schema):
    kind = Text(validate=validate.OneOf(UNIT_KINDS))
    q = Text(metadata={"description": "part of a name, short name or HSA-id"})


class ProviderPatchSchema(ProviderSchema):
    """PATCH: any subset of the fields (used with partial=True)."""


class UnitPatchSchema(UnitSchema):
    """PATCH: any subset of the fields (used with partial=True)."""
