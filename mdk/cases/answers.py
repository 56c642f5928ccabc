"""A referral's answers to the care area's own questions (its `[[referral_fields]]`): each
checked by its type and the area file's range or pattern, and the eligibility hints they
trigger (warnings, never a refusal)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from mdk.care_areas.domain import CareArea, EligibilityHint, ReferralField
from mdk.i18n import current_language
from mdk.validation import FieldError, Problems, clean_bool, clean_text, parse_day

ANSWER_TEXT_LENGTH = 200
ANSWER_LONG_TEXT_LENGTH = 4000
WHOLE_NUMBER = re.compile(r"-?[0-9]{1,7}")


def clean_answers(area: CareArea, raw: object) -> dict[str, Any]:
    """The area's referral fields, each checked by its type and the area file's range or
    pattern; unknown keys refused. Required ones are only demanded at submission: a draft
    may be incomplete."""
    problems = Problems()
    answers = good_answers(area, raw, problems)
    problems.raise_any()
    return answers


def good_answers(area: CareArea, raw: object, problems: Problems) -> dict[str, Any]:
    """The answers that pass; the others go to `problems` (so a wrong answer is not also
    reported as missing)."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems.add(FieldError("answers", _l("Give the answers as an object of field keys.")))
        return {}
    for key in sorted(set(raw) - {item.key for item in area.referral_fields}):
        problems.add(FieldError(f"answers.{key}", _l("Unknown field.")))
    answers = {}
    for item in area.referral_fields:
        value = problems.check(_clean_answer, item, raw.get(item.key))
        if value is not None:
            answers[item.key] = value
    return answers


def _clean_answer(item: ReferralField, value: object) -> Any:
    field = f"answers.{item.key}"
    if value is None or value == "":
        return None
    if item.type in ("text", "long_text"):
        limit = ANSWER_TEXT_LENGTH if item.type == "text" else ANSWER_LONG_TEXT_LENGTH
        return _matching(item, field, clean_text(value, field, max_length=limit,
                                                 required=False,
                                                 multiline=item.type == "long_text"))
    if item.type == "integer":
        if isinstance(value, str) and WHOLE_NUMBER.fullmatch(value.strip()):
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= 10**6:
            raise FieldError(field, _l("Enter a whole number."))
        return _in_range(item, field, value)
    if item.type == "date":
        return parse_day(value, field).isoformat()
    if item.type == "boolean":
        return clean_bool(value, field)
    if value not in {choice.key for choice in item.choices}:
        raise FieldError(field, _l("Choose one of the listed answers."))
    return value


def _in_range(item: ReferralField, field: str, value: int) -> int:
    """Within the area file's min and max for the field (either may be left out)."""
    low, high = item.min, item.max
    if (low is None or value >= low) and (high is None or value <= high):
        return value
    if low is not None and high is not None:
        message = _l("Enter a whole number from %(min)d to %(max)d.", min=low, max=high)
    elif low is not None:
        message = _l("Enter a whole number of at least %(min)d.", min=low)
    else:
        message = _l("Enter a whole number of at most %(max)d.", max=high)
    raise FieldError(field, message)


def _matching(item: ReferralField, field: str, text: str | None) -> str | None:
    """The whole text matches the area file's pattern for the field, if it has one."""
    if text is None or item.pattern is None or re.fullmatch(item.pattern, text):
        return text
    label = item.pattern_message
    raise FieldError(field, LazyString(lambda: label(current_language())) if label else
                     _l("Enter the answer in the form the field asks for."))


def eligibility_warnings(area: CareArea, answers: Mapping[str, Any]) -> list[EligibilityHint]:
    """The area's hints that the answers trigger: shown, never a reason to decline."""
    return [hint for hint in area.eligibility_hints if _hint_applies(hint, answers)]


def _hint_applies(hint: EligibilityHint, answers: Mapping[str, Any]) -> bool:
    value = answers.get(hint.field)
    if value is None:
        return False
    return {
        "in": lambda: value in hint.values,
        "not_in": lambda: value not in hint.values,
        "above": lambda: hint.value is not None and value > hint.value,
        "below": lambda: hint.value is not None and value < hint.value,
        "is_true": lambda: value is True,
        "is_false": lambda: value is False,
    }.get(hint.condition, lambda: False)()
