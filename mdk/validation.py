"""Field-level rules shared by services: they raise FieldError naming the field.

Views put the message next to the form field; the API answers 422 (invalid) or 409 (conflict)
with the field named. Messages are lazy, so they show in the reader's language.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from mdk.hsa import HSA_ID_FORM_MESSAGE, is_valid_hsa_id

ORGANISATION_NUMBER_PATTERN = re.compile(r"([0-9]{6})-?([0-9]{4})")
# Checked on trimmed text, so it ends in a digit, ")" or "-" (the API document's pattern
# then says exactly what is accepted, white space around it included).
PHONE_PATTERN = re.compile(r"\+?[0-9][0-9 ()-]{3,37}[0-9()-]")
DAY_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class FieldError(ValueError):
    """Input for `field` is wrong (422)."""

    status = 422

    def __init__(self, field: str, message) -> None:
        super().__init__(field)  # the message is lazy: translate it only where it is shown
        self.field = field
        self.message = message


class FieldErrors(FieldError):
    """Several fields wrong at once, so a long form shows every problem in one round. Acts
    as its first error where one is expected; `errors` holds them all."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(errors[0].field, errors[0].message)
        self.errors = errors
        self.status = errors[0].status


def every_error(error: FieldError) -> list[FieldError]:
    return list(getattr(error, "errors", [error]))


def field_messages(error: FieldError) -> dict[str, list[str]]:
    """{field: [messages]} of every error, in the reader's language (a problem's errors)."""
    fields: dict[str, list[str]] = {}
    for one in every_error(error):
        fields.setdefault(one.field, []).append(str(one.message))
    return fields


class Problems:
    """Collects the FieldErrors of several checks: `check(rule, ...)` returns the rule's
    value (None when it failed); `raise_any()` raises them together."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def check(self, rule, *args, **kwargs):
        try:
            return rule(*args, **kwargs)
        except FieldError as error:
            self.errors.extend(every_error(error))
            return None

    def add(self, error: FieldError) -> None:
        self.errors.extend(every_error(error))

    def raise_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise FieldErrors(self.errors)


class ConflictError(FieldError):
    """Input for `field` clashes with a saved row, e.g. a duplicate HSA-id (409)."""

    status = 409


# Line breaks and tab belong in multi-line text (a question, a reason); no other control
# character does (a NUL breaks PostgreSQL, and SQLite would store it), nor a lone surrogate
# (it cannot be encoded for either database).
LINE_BREAKS = frozenset("\n\r\t")
CONTROL_CHARACTER_MESSAGE = _l("Remove the control character (such as NUL) from the text.")


def has_control_character(text: str, *, multiline: bool = False) -> bool:
    allowed = LINE_BREAKS if multiline else frozenset()
    return any(unicodedata.category(char) in ("Cc", "Cs") and char not in allowed
               for char in text)


def refuse_control_characters(text: str, field: str, *, multiline: bool = False) -> str:
    if has_control_character(text, multiline=multiline):
        raise FieldError(field, CONTROL_CHARACTER_MESSAGE)
    return text


def clean_text(value: object, field: str, *, max_length: int,
               required: bool = True, multiline: bool = False) -> str | None:
    """Text of a form field or API property: trimmed, at most `max_length` characters, no
    control characters (line breaks and tab allowed when `multiline`)."""
    text = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        raise FieldError(field, _l("Enter text."))
    refuse_control_characters(text, field, multiline=multiline)
    if not text:
        if required:
            raise FieldError(field, _l("Fill in this field."))
        return None
    if len(text) > max_length:
        raise FieldError(field, _l("At most %(max)d characters.", max=max_length))
    return text


def clean_hsa_id(value: object, field: str = "hsa_id", *, required: bool = True) -> str | None:
    # Never stripped or case-folded: an HSA-id is an exact catalogue key.
    if value is None or value == "":
        if required:
            raise FieldError(field, _l("Fill in this field."))
        return None
    if not is_valid_hsa_id(value):
        raise FieldError(field, HSA_ID_FORM_MESSAGE)
    return value


def clean_email(value: object, field: str = "email") -> str:
    text = clean_text(value, field, max_length=254)
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise FieldError(field, _l("Enter a valid e-mail address, e.g. name@region.se.")) from exc
    # One spelling per address, so uniqueness is case-insensitive everywhere.
    return checked.normalized.lower()


def clean_phone(value: object, field: str = "phone", *, required: bool = True) -> str | None:
    text = clean_text(value, field, max_length=40, required=required)
    if text is not None and (not text.isascii() or not PHONE_PATTERN.fullmatch(text)):
        raise FieldError(field, _l("Enter a phone number with digits, e.g. 08-123 456 78."))
    return text


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        number = int(char)
        if position % 2 == 1:
            number *= 2
            if number > 9:
                number -= 9
        total += number
    return total % 10 == 0


def clean_organisation_number(value: object, field: str = "organisation_number") -> str:
    """NNNNNN-NNNN (the dash may be left out) with a valid Luhn check digit."""
    text = clean_text(value, field, max_length=11)
    match = ORGANISATION_NUMBER_PATTERN.fullmatch(text)
    if match is None or not luhn_ok(match[1] + match[2]):
        raise FieldError(field, _l("An organisation number is 10 digits, NNNNNN-NNNN, "
                                   "with a valid check digit."))
    return f"{match[1]}-{match[2]}"


def clean_bool(value: object, field: str) -> bool:
    if isinstance(value, bool):
        return value
    raise FieldError(field, _l("Choose yes or no."))


# Row ids are the columns' 32-bit integers (PostgreSQL `integer`): a larger number is "no
# such row" (404, or an error naming the field), never an overflow error in the driver. The
# one id rule: the URL converter, the API's id fields and the forms' id parser all use it.
MAX_ID = 2**31 - 1
# Dates the service plans and logs: far enough either way, and safe for date arithmetic.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def parse_id(value: object) -> int | None:
    """A row id from a number or the digits of a form or query value; None when it cannot
    be one (not a whole number, below 1 or above MAX_ID)."""
    if isinstance(value, str) and value.isascii() and value.isdigit() \
            and len(value) <= len(str(MAX_ID)):
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID:
        return value
    return None


def clean_id(value: object, field: str, message) -> int:
    number = parse_id(value) if isinstance(value, int) else None
    if number is None:
        raise FieldError(field, message)
    return number


def parse_day(value: object, field: str) -> date:
    if isinstance(value, date):
        day = value
    else:
        try:
            if not isinstance(value, str) or not DAY_PATTERN.fullmatch(value):
                raise ValueError(value)
            day = date.fromisoformat(value)
        except ValueError as exc:
            raise FieldError(field, _l("Enter a real date as YYYY-MM-DD.")) from exc
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise FieldError(field, _l("Enter a date between %(first)s and %(last)s.",
                                   first=FIRST_YEAR, last=LAST_YEAR))
    return day
