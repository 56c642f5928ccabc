"""Writing the audit log: who did what to which patient, in the caller's transaction.

Every function takes the actor explicitly, so the web app, the API, the CLI and the scheduler
all write the same events. `actor_from_request()` is the one adapter to the login.
Events are only added to the session: they are committed (or rolled back) together with the
change they describe.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from flask import current_app, g, has_request_context, request
from sqlalchemy import insert

from mdk.audit.models import AuditEvent
from mdk.db import utcnow
from mdk.extensions import db

log = logging.getLogger(__name__)

SYSTEM_NAME = "system"
MAX_DETAIL_KEYS = 20
MAX_DETAIL_TEXT = 200
# Ten to twelve digits, once the spaces, dashes and plus signs between them are taken out,
# look like an identity number ("19121212-1212", "121212 1212"): such text is refused.
_BETWEEN_DIGITS = re.compile(r"(?<=[0-9])[\s+-]+(?=[0-9])")
_IDENTITY_LIKE = re.compile(r"[0-9]{10,12}")


def without_digit_separators(text: str) -> str:
    """The text with spaces, dashes and plus signs between digits taken out, so a number
    written "19121212-1212" or "121212 1212" is one run of digits."""
    return _BETWEEN_DIGITS.sub("", text)


def looks_like_identity_number(text: str) -> bool:
    return _IDENTITY_LIKE.search(without_digit_separators(text)) is not None


@dataclass(frozen=True)
class Actor:
    """Who acts, with the unit, care provider and role snapshot the log keeps."""

    person_id: int | None
    name: str
    unit_id: int | None = None
    unit_hsa_id: str | None = None
    unit_name: str | None = None
    care_provider_name: str | None = None
    care_provider_org_number: str | None = None
    role: str | None = None
    care_area: str | None = None
    client_address: str | None = None


def system_actor(client_address: str | None = None) -> Actor:
    """The CLI, the scheduler, and requests without a logged-in user."""
    return Actor(person_id=None, name=SYSTEM_NAME, client_address=client_address)


def actor_for(person, grant=None, client_address: str | None = None) -> Actor:
    """An actor from a Person and the role grant they act in (its unit wins over theirs)."""
    unit = getattr(grant, "unit", None) or person.unit
    provider = unit.provider if unit is not None else None
    return Actor(
        person_id=person.id, name=person.name,
        unit_id=unit.id if unit else None, unit_hsa_id=unit.hsa_id if unit else None,
        unit_name=unit.name if unit else None,
        care_provider_name=provider.name if provider else None,
        care_provider_org_number=provider.organisation_number if provider else None,
        role=getattr(grant, "role", None), care_area=getattr(grant, "care_area", None),
        client_address=client_address)


def actor_from_request() -> Actor:
    """The logged-in user of this request (flask_login), else the system actor."""
    if not has_request_context():
        return system_actor()
    address = request.remote_addr
    token = g.get("api_token")
    if token is not None:  # an API token's call (mdk.api_tokens) acts for the token's unit
        from mdk.api_tokens.service import actor_for_token

        return actor_for_token(token, address)
    user = _current_user()
    if user is None or not getattr(user, "is_authenticated", False):
        return system_actor(address)
    # The login feature names the grant the user acts in; until then, none.
    return actor_for(user, getattr(user, "active_grant", None), address)


def _current_user():
    if not hasattr(current_app, "login_manager"):  # login not installed yet
        return None
    from flask_login import current_user

    return current_user._get_current_object()


def _object_ref(obj: object) -> tuple[str | None, int | None]:
    if obj is None:
        return None, None
    if isinstance(obj, tuple):
        return obj[0], obj[1]
    return getattr(obj, "audit_type", obj.__tablename__), obj.id


def check_details(details: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A small flat dict of ids, counts, dates and codes; never an identity number."""
    if details is None:
        return None
    if len(details) > MAX_DETAIL_KEYS:
        raise ValueError("audit details: too many keys")
    clean: dict[str, Any] = {}
    for key, value in details.items():
        if not isinstance(key, str):
            raise ValueError("audit details: keys must be text")
        if value is not None and not isinstance(value, str | int | float | bool):
            raise ValueError(f"audit details: {key!r} must be a plain value")
        if isinstance(value, str) and (len(value) > MAX_DETAIL_TEXT
                                       or looks_like_identity_number(value)):
            raise ValueError(f"audit details: {key!r} looks like patient data")
        clean[key] = value
    return clean


def _row(actor: Actor, action: str, obj: object, patient_id: int | None,
         details: Mapping[str, Any] | None, occurred_at: datetime) -> dict[str, Any]:
    object_type, object_id = _object_ref(obj)
    if patient_id is None and object_type == "patient":
        patient_id = object_id
    elif patient_id is None:  # a case (or another object about one patient) names them
        patient_id = getattr(obj, "patient_id", None)
    row = {key: value for key, value in asdict(actor).items()
           if key not in ("person_id", "name")}
    row.update(actor_id=actor.person_id, actor_name=actor.name, action=action,
               object_type=object_type, object_id=object_id, patient_id=patient_id,
               details=check_details(details), occurred_at=occurred_at)
    return row


def record(actor: Actor, action: str, obj: object = None, patient_id: int | None = None,
           details: Mapping[str, Any] | None = None) -> AuditEvent:
    """Add one event to the session; it is committed with the change it describes.

    `obj` is a model instance (its `audit_type` or table name and id) or a (type, id) pair.
    A new object must be flushed first, so it has an id.
    """
    event = AuditEvent(**_row(actor, action, obj, patient_id, details, utcnow()))
    db.session.add(event)
    return event


def record_reads(actor: Actor, patients: Iterable, action: str = "patient.read",
                 details: Mapping[str, Any] | None = None) -> int:
    """One event per patient shown (or per case, which names its patient), in one
    executemany whatever the number of patients.

    executemany keeps one small cached statement (one row's parameters) and sends the rows
    in a batch; a multi-row VALUES of a page's ~850 parameters was compiled afresh each time.
    """
    now = utcnow()
    rows = [_row(actor, action, patient, None, details, now) for patient in patients]
    if rows:
        db.session.execute(insert(AuditEvent), rows)
    return len(rows)
