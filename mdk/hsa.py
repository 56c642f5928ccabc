"""HSA-ids (the Swedish catalogue service's identifiers for units and people).

Format: `SE` + the care provider's 10-digit organisation number + `-` + an ASCII alphanumeric
suffix, at most 31 characters in all, e.g. `SE2321000016-AC01`.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

HSA_ID_PATTERN = re.compile(r"SE[0-9]{10}-[A-Za-z0-9]+")
HSA_ID_MAX_LENGTH = 31
HSA_ID_MESSAGE = (
    "An HSA-id is SE, a 10-digit organisation number, a dash and letters or digits, "
    "at most 31 characters (e.g. SE2321000016-AC01)."
)
# The same text for forms (WTForms validators' message=), shown in the user's language.
HSA_ID_FORM_MESSAGE = _l(
    "An HSA-id is SE, a 10-digit organisation number, a dash and letters or digits, "
    "at most 31 characters (e.g. SE2321000016-AC01)."
)


def is_valid_hsa_id(value: object) -> bool:
    # fullmatch on an ASCII-only pattern: no trailing newline, no full-width or other digits.
    return (
        isinstance(value, str)
        and len(value) <= HSA_ID_MAX_LENGTH
        and HSA_ID_PATTERN.fullmatch(value) is not None
    )


def organisation_number(hsa_id: str) -> str:
    """The care provider's organisation number inside an HSA-id, as NNNNNN-NNNN."""
    digits = hsa_id[2:12]
    return f"{digits[:6]}-{digits[6:]}"
