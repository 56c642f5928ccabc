"""What a token may do: a referrer of its unit, in its care areas only (still configured)."""

from __future__ import annotations

from mdk.access.policy import Principal
from mdk.api_tokens.models import ApiToken
from mdk.care_areas.service import care_areas


def principal_for_token(token: ApiToken) -> Principal:
    configured = care_areas()
    grants = frozenset(("referrer", area, token.unit_id) for area in token.care_areas
                       if area in configured)
    return Principal(person_id=None, grants=grants, token_id=token.id)
