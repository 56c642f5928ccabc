"""Marshmallow field kinds the REST schemas share, and the problem body every error has."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from marshmallow import Schema, ValidationError, fields, validate

from mdk.validation import CONTROL_CHARACTER_MESSAGE, MAX_ID, has_control_character


def database_id(**kwargs) -> fields.Integer:
    """A reference to a row: 1..MAX_ID, the columns' 32-bit integers (larger is an error
    naming the field, not an overflow in the database driver). The API's one id field."""
    return fields.Integer(strict=kwargs.pop("strict", False),
                          validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class Flag(fields.Boolean):
    """A JSON true or false, as documented: not 0, 1, "yes" or "on" (marshmallow's
    default also takes those, which the OpenAPI document does not say)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):  # 0 == False and 1 == True: check the type
            raise self.make_error("invalid", input=value)
        return value


# The control-character rule as a pattern for the OpenAPI document (ECMA regex escapes);
# a required text must also hold more than white space (the service trims it).
_CONTROL = r"\u0000-\u001f\u007f-\u009f"
_CONTROL_BUT_LINES = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"


def text_pattern(*, multiline: bool, required: bool) -> str:
    refused = _CONTROL_BUT_LINES if multiline else _CONTROL
    if not required:
        return f"^[^{refused}]*$"
    return f"^[^{refused}]*[^\\s{refused}][^{refused}]*$"


class Text(fields.String):
    """A string property: no control characters (line breaks and tab only when
    `multiline`), the same rule as mdk.validation.clean_text, so the API refuses a NUL
    with 422 naming the property. The rule and `max_length` are in the OpenAPI document."""

    def __init__(self, *, multiline: bool = False, max_length: int | None = None,
                 **kwargs) -> None:
        validators = kwargs.pop("validate", None) or []
        validators = list(validators) if isinstance(validators, list | tuple) else [validators]
        if max_length is not None:
            validators.append(validate.Length(max=max_length))
        pattern = text_pattern(multiline=multiline, required=kwargs.get("required", False))
        metadata = {"pattern": pattern, **kwargs.pop("metadata", {})}
        super().__init__(validate=validators, metadata=metadata, **kwargs)
        self.multiline = multiline

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if has_control_character(text, multiline=self.multiline):
            raise ValidationError(str(CONTROL_CHARACTER_MESSAGE))
        return text


def rule_pattern(rule: re.Pattern, *, optional: bool = False, trimmed: bool = False) -> str:
    """A service's full-match rule as the OpenAPI pattern of its property: `optional`
    also allows the empty text (no value), `trimmed` white space around it (the service
    strips it). The document then says exactly what the service accepts."""
    body = f"(?:{rule.pattern})?" if optional else f"(?:{rule.pattern})"
    space = rf"[^\S{_CONTROL}]*"  # white space that is not a control character
    return f"^{space}{body}{space}$" if trimmed else f"^{body}$"


class Key(Text):
    """One of the keys `known()` returns (care areas, competences: read from the
    configuration): anything else is a 422 naming the field. The OpenAPI document lists
    them as an enum (mdk.extensions.ProblemApi asks `known` in the app)."""

    def __init__(self, known: Callable[[], Iterable[str]], **kwargs) -> None:
        super().__init__(**kwargs)
        self.known = known

    def _deserialize(self, value, attr, data, **kwargs):
        key = super()._deserialize(value, attr, data, **kwargs)
        if key not in self.known():
            raise ValidationError("Unknown key: see the enum in the API document.")
        return key


PROBLEM_CONTENT_TYPE = "application/problem+json"  # RFC 9457


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
