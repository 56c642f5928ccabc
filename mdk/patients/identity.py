"""Swedish identity numbers, validated strictly and stored in one normalised form.

Accepted input: 12 digits (YYYYMMDDNNNC) or 10 digits (YYMMDDNNNC), optionally with `-`
before the last four; `+` in the 10-digit form means the person is 100 or older. ASCII
digits only: full-width or Arabic-Indic digits, spaces and a trailing newline are refused.
A day of month + 60 is a samordningsnummer (coordination number). The last digit is a Luhn
check digit over the 10-digit form. Stored as 12 digits without separator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

PERSONNUMMER = "personnummer"
SAMORDNINGSNUMMER = "samordningsnummer"
COORDINATION_DAY_OFFSET = 60

# re.ASCII makes \d mean [0-9] only; fullmatch refuses a trailing newline (unlike `$`).
_FORM = re.compile(r"(?P<century>\d{2})?(?P<yymmdd>\d{6})(?P<sep>[-+]?)(?P<serial>\d{4})", re.ASCII)


def N_(message: str) -> str:
    """Marks a message for the translation catalogue; callers translate it where it is shown."""
    return message


class IdentityNumberError(ValueError):
    """Why a number was refused, in words a coordinator understands."""


@dataclass(frozen=True)
class IdentityNumber:
    kind: str  # PERSONNUMMER | SAMORDNINGSNUMMER
    value: str  # 12 digits, YYYYMMDDNNNC (the day + 60 kept for samordningsnummer)
    birth_date: date

    @property
    def display(self) -> str:
        """The conventional written form, YYYYMMDD-NNNC."""
        return f"{self.value[:8]}-{self.value[8:]}"


def luhn_check_digit(nine_digits: str) -> int:
    total = 0
    for index, char in enumerate(nine_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def parse_identity_number(raw: object, today: date | None = None) -> IdentityNumber:
    """Validate and normalise a personnummer or samordningsnummer; raise IdentityNumberError."""
    today = today or date.today()
    if not isinstance(raw, str) or not raw:
        raise IdentityNumberError(N_("Enter a personnummer or samordningsnummer."))
    match = _FORM.fullmatch(raw)
    if match is None:
        raise IdentityNumberError(N_(
            "Use 12 digits (YYYYMMDD-NNNN) or 10 digits (YYMMDD-NNNN), digits 0-9 only, "
            "with nothing before or after."
        ))
    yymmdd, serial, sep = match["yymmdd"], match["serial"], match["sep"]
    if match["century"] and sep == "+":
        raise IdentityNumberError(N_("The + sign is only used with 10 digits (YYMMDD+NNNN)."))
    day_of_month = int(yymmdd[4:6])
    kind = PERSONNUMMER
    if day_of_month > COORDINATION_DAY_OFFSET:
        kind = SAMORDNINGSNUMMER
        day_of_month -= COORDINATION_DAY_OFFSET
    year = _full_year(match["century"], yymmdd, day_of_month, sep, today)
    try:
        birth_date = date(year, int(yymmdd[2:4]), day_of_month)
    except ValueError as exc:
        raise IdentityNumberError(N_("The date part is not a real date.")) from exc
    if birth_date > today:
        raise IdentityNumberError(N_("The birth date lies in the future."))
    if luhn_check_digit(yymmdd + serial[:3]) != int(serial[3]):
        raise IdentityNumberError(N_("The check digit (the last digit) is wrong."))
    return IdentityNumber(kind=kind, value=f"{year:04d}{yymmdd[2:]}{serial}",
                          birth_date=birth_date)


def _full_year(century: str | None, yymmdd: str, day_of_month: int, sep: str,
               today: date) -> int:
    if century:
        return int(century + yymmdd[:2])
    two_digits = int(yymmdd[:2])
    year = today.year - (today.year - two_digits) % 100
    # Born later this century than today's date: it was the previous century.
    if (year, int(yymmdd[2:4]), day_of_month) > (today.year, today.month, today.day):
        year -= 100
    if sep == "+":  # 100 years or older
        year -= 100
    return year
