from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdk.patients.identity import (
    PERSONNUMMER,
    SAMORDNINGSNUMMER,
    IdentityNumberError,
    luhn_check_digit,
    parse_identity_number,
)

TODAY = date(2026, 11, 25)


def _number(birth: date, serial: str, coordination: bool = False) -> tuple[str, str]:
    """(yymmdd with the day + 60 when coordination, the 4-digit serial with check digit)."""
    day = birth.day + (60 if coordination else 0)
    yymmdd = f"{birth.year % 100:02d}{birth.month:02d}{day:02d}"
    return yymmdd, serial + str(luhn_check_digit(yymmdd + serial))


births = st.dates(min_value=date(1890, 1, 1), max_value=TODAY)
serials = st.integers(min_value=0, max_value=999).map(lambda n: f"{n:03d}")


def _age(birth: date) -> int:
    return TODAY.year - birth.year - ((TODAY.month, TODAY.day) < (birth.month, birth.day))


@given(birth=births, serial=serials, coordination=st.booleans(), form=st.sampled_from(
    ["12-dash", "12-plain", "10"]))
def test_every_valid_number_round_trips_to_twelve_digits(birth, serial, coordination, form):
    yymmdd, tail = _number(birth, serial, coordination)
    century = f"{birth.year // 100:02d}"
    if form == "12-dash":
        raw = f"{century}{yymmdd}-{tail}"
    elif form == "12-plain":
        raw = f"{century}{yymmdd}{tail}"
    else:
        raw = f"{yymmdd}{'+' if _age(birth) >= 100 else '-'}{tail}"
    parsed = parse_identity_number(raw, today=TODAY)
    assert parsed.value == f"{century}{yymmdd}{tail}"
    assert parsed.birth_date == birth
    assert parsed.kind == (SAMORDNINGSNUMMER if coordination else PERSONNUMMER)


@given(birth=births, serial=serials, wrong=st.integers(min_value=1, max_value=9))
def test_a_wrong_check_digit_is_refused(birth, serial, wrong):
    yymmdd, tail = _number(birth, serial)
    bad_tail = tail[:3] + str((int(tail[3]) + wrong) % 10)
    with pytest.raises(IdentityNumberError, match="check digit"):
        parse_identity_number(f"{birth.year}{yymmdd[2:]}-{bad_tail}", today=TODAY)


@given(birth=births, serial=serials, position=st.integers(min_value=0, max_value=12),
       digits=st.sampled_from([0xFF10, 0x0660, 0x06F0, 0x0966]))
def test_digits_other_than_ascii_are_refused(birth, serial, position, digits):
    yymmdd, tail = _number(birth, serial)
    raw = f"{birth.year}{yymmdd[2:]}-{tail}"
    index = min(position, len(raw) - 1)
    if raw[index] == "-":
        index -= 1
    foreign = raw[:index] + chr(digits + int(raw[index])) + raw[index + 1:]
    with pytest.raises(IdentityNumberError, match="digits 0-9 only"):
        parse_identity_number(foreign, today=TODAY)


@pytest.mark.parametrize("suffix", ["\n", " ", "\r\n", "\t"])
def test_trailing_whitespace_or_newline_is_refused(suffix):
    yymmdd, tail = _number(date(1980, 5, 17), "123")
    with pytest.raises(IdentityNumberError, match="nothing before or after"):
        parse_identity_number(f"19{yymmdd}-{tail}{suffix}", today=TODAY)


def test_full_width_number_is_refused_with_a_clear_message():
    yymmdd, tail = _number(date(1980, 5, 17), "123")
    full_width = "".join(chr(0xFF10 + int(c)) if c.isdigit() else c for c in f"19{yymmdd}-{tail}")
    with pytest.raises(IdentityNumberError) as caught:
        parse_identity_number(full_width, today=TODAY)
    assert "digits 0-9 only" in str(caught.value)


@pytest.mark.parametrize("yyyymmdd", ["19800230", "19801301", "19800000", "19800132",
                                      "19010229", "19800292"])
def test_impossible_dates_are_refused(yyyymmdd):
    yymmdd = yyyymmdd[2:]
    serial = "123"
    raw = f"{yyyymmdd}-{serial}{luhn_check_digit(yymmdd + serial)}"
    with pytest.raises(IdentityNumberError, match="not a real date"):
        parse_identity_number(raw, today=TODAY)


def test_a_birth_date_in_the_future_is_refused():
    tomorrow = TODAY + timedelta(days=1)
    yymmdd, tail = _number(tomorrow, "123")
    with pytest.raises(IdentityNumberError, match="future"):
        parse_identity_number(f"{tomorrow.year}{yymmdd[2:]}-{tail}", today=TODAY)


def test_plus_marks_a_centenarian_in_the_ten_digit_form():
    yymmdd, tail = _number(date(1920, 3, 4), "321")
    assert parse_identity_number(f"{yymmdd}+{tail}", today=TODAY).birth_date == date(1920, 3, 4)
    assert parse_identity_number(f"{yymmdd}-{tail}", today=TODAY).birth_date == date(2020, 3, 4)


def test_plus_with_twelve_digits_is_refused():
    yymmdd, tail = _number(date(1920, 3, 4), "321")
    with pytest.raises(IdentityNumberError, match=r"\+ sign"):
        parse_identity_number(f"19{yymmdd}+{tail}", today=TODAY)


@pytest.mark.parametrize("raw", ["", "abc", "19800517-12", "1980-05-17-1234", None, 198005171234])
def test_malformed_input_is_refused(raw):
    with pytest.raises(IdentityNumberError):
        parse_identity_number(raw, today=TODAY)


def test_display_form_has_a_dash_before_the_last_four():
    yymmdd, tail = _number(date(1980, 5, 17), "123")
    assert parse_identity_number(f"19{yymmdd}{tail}", today=TODAY).display == f"19{yymmdd}-{tail}"
