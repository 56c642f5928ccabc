"""API schemas for people. Types are checked here; the rules live in the service."""

from __future__ import annotations

from marshmallow import Schema, fields

from mdk.care_areas.service import competences as known_competences
from mdk.hsa import HSA_ID_MAX_LENGTH, HSA_ID_PATTERN
from mdk.schemas import Flag, Key, Text, database_id, rule_pattern


class RoleGrantSchema(Schema):
    id = database_id(dump_only=True)
    role = fields.String()
    care_area = fields.String()
    unit_id = database_id()


class AbsenceSchema(Schema):
    id = database_id(dump_only=True)
    first_day = fields.Date()
    last_day = fields.Date()
    reason = fields.String(allow_none=True)


class PersonSchema(Schema):
    id = database_id(dump_only=True)
    name = Text(required=True, max_length=200)
    email = Text(required=True, max_length=254,
                 metadata={"format": "email", "description": "unique, stored in lower case"})
    hsa_id = Text(allow_none=True, max_length=HSA_ID_MAX_LENGTH,
                  metadata={"pattern": rule_pattern(HSA_ID_PATTERN, optional=True)})
    title = Text(allow_none=True, max_length=200)
    unit_id = database_id(required=True)
    active = Flag()
    competences = fields.List(Key(known_competences), attribute="competence_keys",
                              data_key="competences",
                              metadata={"description": "keys of config/competences.toml"})
    role_grants = fields.List(fields.Nested(RoleGrantSchema), dump_only=True)
    absences = fields.List(fields.Nested(AbsenceSchema), dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class PersonQueryArgsSchema(Schema):
    q = Text(metadata={"description": "part of a name, e-mail address or unit"})
    unit_id = database_id()


class PersonPatchSchema(PersonSchema):
    """PATCH: any subset of the fields (used with partial=True)."""
