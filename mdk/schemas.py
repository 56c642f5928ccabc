"""Marshmallow field kinds the REST schemas share."""

from __future__ import annotations

from marshmallow import fields, validate

from mdk.validation import MAX_ID


def database_id(**kwargs) -> fields.Integer:
    """A reference to a row: a positive 64-bit integer (larger is an error naming the field,
    not an overflow in the database driver)."""
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID), **kwargs)
