"""Making, revoking and checking API tokens. A token reads `mdk_<prefix>_<secret>`."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from mdk.api_tokens.models import NAME_LENGTH, ApiToken
from mdk.audit import service as audit
from mdk.audit.service import Actor
from mdk.care_areas.service import care_areas
from mdk.db import utcnow
from mdk.extensions import db
from mdk.people.models import Person, RoleGrant
from mdk.units.models import Unit

TOKEN_START = "mdk_"
MAX_DAYS = 730
DEFAULT_DAYS = 365
# last_used_at is written at most this often per token: one UPDATE per call would make every
# API call a write.
LAST_USED_RESOLUTION = timedelta(minutes=5)


class TokenError(ValueError):
    """A token cannot be made or found as asked; the message says why."""


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the whole token: shown once, never stored


def hash_token(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def referring_areas(unit: Unit) -> list[str]:
    """The configured care areas in which an active person refers from the unit."""
    rows = db.session.scalars(
        select(RoleGrant.care_area).join(Person, RoleGrant.person_id == Person.id)
        .where(RoleGrant.unit_id == unit.id, RoleGrant.role == "referrer",
               Person.active.is_(True)).distinct())
    configured = care_areas()
    return [key for key in configured if key in set(rows)]


def create_token(actor: Actor, *, unit_hsa_id: str, areas: tuple[str, ...] = (),
                 name: str | None = None, days: int = DEFAULT_DAYS,
                 created_by: str = "CLI") -> NewToken:
    unit = db.session.scalar(select(Unit).where(Unit.hsa_id == unit_hsa_id.strip().upper()))
    if unit is None or not unit.active:
        raise TokenError(f"no active unit with HSA-id {unit_hsa_id!r}")
    if not 1 <= days <= MAX_DAYS:
        raise TokenError(f"--expires: give 1 to {MAX_DAYS} days")
    configured = care_areas()
    unknown = [key for key in areas if key not in configured]
    if unknown:
        raise TokenError(f"--area: no care area {unknown[0]!r} (known: {', '.join(configured)})")
    chosen = list(dict.fromkeys(areas)) or referring_areas(unit)
    if not chosen:
        raise TokenError(f"unit {unit.hsa_id} has no referrer in any care area: "
                         "name the areas with --area")
    name = (name or unit.short_name).strip()[:NAME_LENGTH] or unit.short_name
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(name=name, unit_id=unit.id, care_areas=chosen, prefix=prefix,
                     token_hash=hash_token(secret), created_by=created_by[:200],
                     expires_at=utcnow() + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "api_token.create", token, details={"token": prefix, "unit_id": unit.id,
                                                     "care_areas": ",".join(chosen)})
    db.session.commit()
    return NewToken(token, secret)


def find_token(id_or_prefix: str) -> ApiToken | None:
    text = id_or_prefix.strip()
    token = db.session.scalar(select(ApiToken).where(ApiToken.prefix == text.lower()))
    if token is None and text.isdigit() and len(text) < 10:
        token = db.session.get(ApiToken, int(text))
    return token


def revoke_token(actor: Actor, id_or_prefix: str) -> ApiToken:
    token = find_token(id_or_prefix)
    if token is None:
        raise TokenError(f"no API token {id_or_prefix!r}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(actor, "api_token.revoke", token, details={"token": token.prefix})
    db.session.commit()
    return token


def list_tokens() -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).options(selectinload(ApiToken.unit))
                                   .order_by(ApiToken.id)))


def is_usable(token: ApiToken, now: datetime) -> bool:
    return token.revoked_at is None and token.expires_at > now and token.unit.active


def token_state(token: ApiToken, now: datetime) -> str:
    """active, revoked, expired, or unit_inactive (refused while its unit is inactive)."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at <= now:
        return "expired"
    return "active" if token.unit.active else "unit_inactive"


def token_for(secret: str) -> ApiToken | None:
    """The usable token of a bearer value, None for unknown, expired or revoked; notes the
    use (at most every few minutes, committed at once so a refused call still counts)."""
    if not secret.startswith(TOKEN_START) or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    now = utcnow()
    if token is None or not is_usable(token, now):
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        db.session.execute(update(ApiToken).where(ApiToken.id == token.id)
                           .values(last_used_at=now))
        db.session.commit()
    return token


def actor_for_token(token: ApiToken, client_address: str | None = None) -> Actor:
    unit = token.unit
    provider = unit.provider
    return Actor(person_id=None, name=f"API-token {token.name} ({token.prefix})",
                 unit_id=unit.id, unit_hsa_id=unit.hsa_id, unit_name=unit.name,
                 care_provider_name=provider.name if provider else None,
                 care_provider_org_number=provider.organisation_number if provider else None,
                 role="referrer", care_area=None, client_address=client_address)
