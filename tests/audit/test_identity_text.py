"""Recognising text that carries an identity number (kept out of reasons and the log)."""

import pytest


@pytest.mark.parametrize("text", [
    "pat 121212 1212 Tolvan", "19121212-1212", "1212121212", "191212121212",
    "12 12 12 - 12 12", "121212+1212",
])
def test_text_that_hides_an_identity_number_is_recognised(text):
    # Found by review: "121212 1212" (a space inside) passed as a meeting's cancel reason.
    from mdk.audit.service import looks_like_identity_number

    assert looks_like_identity_number(text)


@pytest.mark.parametrize("text", ["Krock med utbildning v. 49", "Sal 12, plan 3",
                                  "Flyttas till 2026-12-01 kl. 13:00"])
def test_ordinary_reasons_are_not_taken_for_identity_numbers(text):
    from mdk.audit.service import looks_like_identity_number

    assert not looks_like_identity_number(text)
