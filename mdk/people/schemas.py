"""API schemas for people. Types are checked here; the rules live in the service."""

from __future__ import annotations

from marshmallow import Schema, fields

from mdk.schemas import database_id


class RoleGrantSchema(Schema):
    id = fields.Integer(dump_only=True)
    role = fields.String()
    care_area = fields.String()
    unit_id = database_id()


class AbsenceSchema(Schema):
    id = fields.Integer(dump_only=True)
    first_day = fields.Date()
    last_day = fields.Date()
    reason = fields.String(allow_none=True)


class PersonSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String()
    email = fields.String(metadata={"description": "unique, stored in lower case"})
    hsa_id = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    unit_id = database_id()
    active = fields.Boolean()
    competences = fields.List(fields.String(), attribute="competence_keys",
                              data_key="competences",
                              metadata={"description": "keys of config/competences.toml"})
    role_grants = fields.List(fields.Nested(RoleGrantSchema), dump_only=True)
    absences = fields.List(fields.Nested(AbsenceSchema), dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class PersonQueryArgsSchema(Schema):
    q = fields.String()
    unit_id = database_id()


class PersonPatchSchema(PersonSchema):
    """PATCH: any subset of the fields (used with partial=True)."""
