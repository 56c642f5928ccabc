"""API schemas for care providers and units. Types are checked here; the rules (HSA-id,
organisation number, uniqueness) live in the service, so forms and API agree."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from mdk.schemas import database_id
from mdk.units.service import UNIT_KINDS, nhv_areas_by_hsa_id


class ProviderSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String()
    organisation_number = fields.String(metadata={"example": "232100-0016"})
    hsa_id = fields.String(allow_none=True)
    is_private = fields.Boolean()
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class UnitSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String()
    short_name = fields.String()
    hsa_id = fields.String(metadata={"example": "SE2321000016-AC01"})
    provider_id = database_id()
    mailbox = fields.String(metadata={"description": "the unit's functional mailbox"})
    phone = fields.String()
    address = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    active = fields.Boolean()
    nhv_areas = fields.Function(
        lambda unit: [area.key for area in nhv_areas_by_hsa_id().get(unit.hsa_id, [])],
        dump_only=True, metadata={"description": "care areas where this is an NHV unit"})
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class UnitQueryArgsSchema(Schema):
    kind = fields.String(validate=validate.OneOf(UNIT_KINDS))
    q = fields.String()


class ProviderPatchSchema(ProviderSchema):
    """PATCH: any subset of the fields (used with partial=True)."""


class UnitPatchSchema(UnitSchema):
    """PATCH: any subset of the fields (used with partial=True)."""
