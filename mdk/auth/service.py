"""Passwords, failed-login slowdown and lockout, and server-side sessions with timeouts."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from mdk.auth.models import LoginSession, PasswordCredential
from mdk.db import utcnow
from mdk.extensions import db
from mdk.people.models import Person

MIN_PASSWORD_LENGTH = 12
# Written at most this often per session: `last_seen_at` needs minutes, not every request.
LAST_SEEN_RESOLUTION = timedelta(seconds=30)
# Checked against when the e-mail is unknown, so both answers take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password-only-for-timing")


class PasswordPolicyError(ValueError):
    pass


@dataclass(frozen=True)
class LoginOutcome:
    person: Person | None
    error: str | None = None  # "invalid" | "slowdown" | "locked" | "inactive"
    wait_seconds: int = 0


def set_password(person: Person, password: str) -> None:
    set_shared_password([person], password)


def set_shared_password(people: list[Person], password: str) -> None:
    """One password for several people (the demo's), hashed once: hashing is slow on purpose."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(f"at least {MIN_PASSWORD_LENGTH} characters")
    hashed = generate_password_hash(password)  # scrypt, salted
    for person in people:
        _store_hash(person, hashed)


def _store_hash(person: Person, hashed: str) -> None:
    credential = db.session.get(PasswordCredential, person.id)
    if credential is None:
        db.session.add(PasswordCredential(person_id=person.id, password_hash=hashed,
                                          changed_at=utcnow()))
    else:
        credential.password_hash = hashed
        credential.changed_at = utcnow()
        credential.failed_count = 0
        credential.locked_until = None


def check_password(email: str, password: str, now: datetime | None = None) -> LoginOutcome:
    """Verify a password, counting failures: a delay after a few, a lockout after many."""
    now = now or utcnow()
    settings = current_app.config["MDK"]
    person = db.session.scalar(select(Person).where(Person.email == email.strip().lower()))
    credential = db.session.get(PasswordCredential, person.id) if person else None
    if credential is None:
        check_password_hash(_DUMMY_HASH, password)
        return LoginOutcome(None, "invalid")
    if credential.locked_until and credential.locked_until > now:
        return LoginOutcome(None, "locked", _seconds(credential.locked_until - now))
    wait = _slowdown(credential, now, settings.login_slowdown_after)
    if wait:
        return LoginOutcome(None, "slowdown", wait)
    if not check_password_hash(credential.password_hash, password):
        _count_failure(credential, now, settings)
        return LoginOutcome(None, "invalid")
    if not person.active:
        return LoginOutcome(None, "inactive")
    credential.failed_count = 0
    credential.locked_until = None
    return LoginOutcome(person)


def _slowdown(credential: PasswordCredential, now: datetime, after: int) -> int:
    """Seconds still to wait: 5 s after `after` failures, doubling with each further one."""
    if credential.failed_count < after or credential.last_failed_at is None:
        return 0
    delay = timedelta(seconds=5 * 2 ** (credential.failed_count - after))
    remaining = credential.last_failed_at + delay - now
    return _seconds(remaining) if remaining > timedelta(0) else 0


def _count_failure(credential: PasswordCredential, now: datetime, settings) -> None:
    credential.failed_count += 1
    credential.last_failed_at = now
    if credential.failed_count >= settings.login_lockout_after:
        credential.locked_until = now + timedelta(minutes=settings.login_lockout_minutes)
        credential.failed_count = 0


def _seconds(delta: timedelta) -> int:
    return max(1, int(delta.total_seconds() + 0.999))


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def start_session(person: Person, provider: str, client_address: str | None) -> str:
    """A new session with a new random token (the browser's session id changes at login)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(LoginSession(token_hash=_hash_token(token), person_id=person.id,
                                provider=provider, created_at=now, last_seen_at=now,
                                client_address=client_address))
    return token


def end_session(token: str | None, reason: str) -> None:
    if not token:
        return
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.token_hash == _hash_token(token), LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow(), ended_reason=reason)
    )


@dataclass(frozen=True)
class SessionCheck:
    person: Person | None
    expired: str | None = None  # "idle" | "absolute" when the session just ran out


def resume_session(token: str, now: datetime | None = None) -> SessionCheck:
    """The person of a live session, ending it if it was idle or open too long."""
    now = now or utcnow()
    settings = current_app.config["MDK"]
    login = db.session.scalar(
        select(LoginSession).where(LoginSession.token_hash == _hash_token(token)))
    if login is None or login.ended_at is not None:
        return SessionCheck(None)
    if now - login.created_at > timedelta(hours=settings.session_absolute_hours):
        return _expire(login, now, "absolute")
    if now - login.last_seen_at > timedelta(minutes=settings.session_idle_minutes):
        return _expire(login, now, "idle")
    if not login.person.active:
        return _expire(login, now, "inactive")
    if now - login.last_seen_at > LAST_SEEN_RESOLUTION:
        login.last_seen_at = now
        db.session.commit()
    return SessionCheck(login.person)


def _expire(login: LoginSession, now: datetime, reason: str) -> SessionCheck:
    login.ended_at = now
    login.ended_reason = reason
    db.session.commit()
    return SessionCheck(None, expired=reason)
