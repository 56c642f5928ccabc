"""Patient schemas, one field set per view of a patient.

Who may see identity is the access policy's decision (DESIGN §5); it picks the schema, and
the schemas declare once what each view contains.
"""

from __future__ import annotations

from marshmallow import Schema, fields


class PatientPseudonymSchema(Schema):
    """For participants who see the clinical content only: no identity number, no name."""

    id = fields.Integer(dump_only=True)
    protected_identity = fields.Boolean(dump_only=True)
    fictitious = fields.Boolean(dump_only=True)


class PatientMaskedSchema(PatientPseudonymSchema):
    """Name and the birth-date part of the number (19800517-****)."""

    given_name = fields.String()
    family_name = fields.String()
    masked_identity = fields.String(dump_only=True)


class PatientSchema(PatientMaskedSchema):
    """The full identity: the referring unit, the host unit, the coordinators."""

    identity_kind = fields.String(dump_only=True)
    identity = fields.String(attribute="display_identity", dump_only=True,
                             metadata={"description": "YYYYMMDD-NNNN, or the reservnummer"})
    identity_issuer = fields.String(allow_none=True, dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
