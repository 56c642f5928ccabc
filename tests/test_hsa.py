"""HSA-id validation (mdk/hsa.py), shared by care areas, units and people."""

import pytest

from mdk.hsa import HSA_ID_MAX_LENGTH, is_valid_hsa_id, organisation_number


def test_valid_hsa_id_is_accepted():
    assert is_valid_hsa_id("SE2321000016-AC01")


def test_hsa_id_of_exactly_31_characters_is_accepted():
    value = "SE2321000016-" + "A" * (HSA_ID_MAX_LENGTH - 13)
    assert len(value) == 31 and is_valid_hsa_id(value)


def test_hsa_id_longer_than_31_characters_is_refused():
    assert not is_valid_hsa_id("SE2321000016-" + "A" * 19)


def test_lowercase_se_is_refused():
    assert not is_valid_hsa_id("se2321000016-AC01")


def test_hsa_id_without_dash_is_refused():
    assert not is_valid_hsa_id("SE2321000016AC01")


def test_full_width_digits_are_refused():
    assert not is_valid_hsa_id("SE232100001６-AC01")
    assert not is_valid_hsa_id("SE2321000016-AC0１")


def test_trailing_newline_is_refused():
    assert not is_valid_hsa_id("SE2321000016-AC01\n")


@pytest.mark.parametrize("value", ["", "SE-AC01", "SE23210000-AC01", "SE2321000016-", None, 42])
def test_malformed_hsa_ids_are_refused(value):
    assert not is_valid_hsa_id(value)


def test_organisation_number_is_read_from_the_hsa_id():
    assert organisation_number("SE2321000016-AC01") == "232100-0016"


def test_form_message_is_swedish_in_a_request(app):
    from mdk.hsa import HSA_ID_FORM_MESSAGE

    with app.test_request_context("/"):
        assert str(HSA_ID_FORM_MESSAGE).startswith("Ett HSA-id är SE, ett tiosiffrigt")
