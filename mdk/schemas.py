"""Marshmallow field kinds the REST schemas share, and the problem body every error has."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from mdk.validation import CONTROL_CHARACTER_MESSAGE, MAX_ID, has_control_character


def database_id(**kwargs) -> fields.Integer:
    """A reference to a row: 1..MAX_ID, the columns' 32-bit integers (larger is an error
    naming the field, not an overflow in the database driver). The API's one id field."""
    return fields.Integer(strict=kwargs.pop("strict", False),
                          validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class Text(fields.String):
    """A string property: no control characters (line breaks and tab only when
    `multiline`), the same rule as mdk.validation.clean_text, so the API refuses a NUL
    with 422 naming the property. `max_length` is declared in the OpenAPI document."""

    def __init__(self, *, multiline: bool = False, max_length: int | None = None,
                 **kwargs) -> None:
        validators = kwargs.pop("validate", None) or []
        validators = list(validators) if isinstance(validators, list | tuple) else [validators]
        if max_length is not None:
            validators.append(validate.Length(max=max_length))
        super().__init__(validate=validators, **kwargs)
        self.multiline = multiline

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if has_control_character(text, multiline=self.multiline):
            raise ValidationError(str(CONTROL_CHARACTER_MESSAGE))
        return text


class ProblemSchema(Schema):
    """An error (RFC 9457 problem details, application/problem+json), as mdk.core.errors
    sends it; `errors` names the fields that were wrong, by location."""

    type = fields.String(metadata={"example": "about:blank"})
    title = fields.String(required=True, metadata={"example": "Unprocessable Entity"})
    status = fields.Integer(required=True, metadata={"example": 422})
    detail = fields.String(metadata={"example": "Invalid field(s): unit_id"})
    errors = fields.Dict(keys=fields.String(), values=fields.Dict(), metadata={
        "description": "by location (json, query, form), then field: a list of messages",
        "example": {"json": {"unit_id": ["Must be greater than or equal to 1 and less than "
                                         "or equal to 2147483647."]}}})
