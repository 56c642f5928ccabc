"""The job `warn-quorum`: a coordinator hears, once, of a meeting whose quorum is not covered.

From the second working day before a meeting that takes place (mdk.invites.forecast:
weekends and Swedish public holidays are not working days), a quorum competence nobody
invited has accepted is a warning: one mail to each of the area's coordinators at the
meeting's host unit (all the area's coordinators when the host has none, or the meeting has
no host), naming the meeting and the uncovered competences, no patient data. Idempotent per
meeting, its version and the set of uncovered competences (the outbox's key): a second run
sends nothing; another competence falling uncovered, or the meeting moving, warns again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mdk.care_areas.service import care_area, competence_label
from mdk.conferences.models import Conference
from mdk.db import utcnow
from mdk.extensions import db
from mdk.i18n import format_datetime_local
from mdk.invites import service
from mdk.invites.forecast import TAKING_PLACE, QuorumForecast, quorum_forecasts
from mdk.outbox.models import OutboxMessage
from mdk.outbox.service import Recipient, queue_mail
from mdk.people.models import Person, RoleGrant
from mdk.people.service import mail_locale

log = logging.getLogger(__name__)

# Two working days before a meeting lie at most this far back (Easter, Christmas).
LOOK_AHEAD = timedelta(days=14)
TEMPLATE = "quorum_warning"


def warn_quorum(now: datetime | None = None) -> int:
    """Queue the warnings that are due; commit. Returns how many mails were queued."""
    now = now or utcnow()
    coming = list(db.session.scalars(
        select(Conference)
        .where(Conference.status.in_(TAKING_PLACE), Conference.starts_at > now,
               Conference.starts_at <= now + LOOK_AHEAD)
        .options(selectinload(Conference.host_unit))
        .order_by(Conference.starts_at, Conference.id)))
    queued = 0
    for forecast in quorum_forecasts(coming).values():
        if forecast.warning_due(now):
            queued += _warn(forecast)
    db.session.commit()
    return queued


def run_scheduled() -> None:
    """The scheduler's job (scheduler/registry.py: warn-quorum)."""
    queued = warn_quorum()
    if queued:
        log.info("warn-quorum queued %d warning(s)", queued)


def _warn(forecast: QuorumForecast) -> int:
    conference = forecast.conference
    uncovered = forecast.uncovered
    prefix = f"quorum:{conference.id}:{conference.ical_sequence}:"
    if set(uncovered) <= _warned(prefix):
        return 0  # nothing newly uncovered (one covered since is no news to warn of)
    key = prefix + ",".join(sorted(uncovered))
    queued = 0
    for person in coordinators_of(conference):
        locale = mail_locale(person)
        recipient = Recipient(email=person.email, person_id=person.id, locale=locale)
        if queue_mail(recipient, kind=TEMPLATE, template=TEMPLATE,
                      context=_context(forecast, locale), idempotency_key=key[:200]):
            queued += 1
    return queued


def _warned(prefix: str) -> set[str]:
    """The competences this version of the meeting was already warned of (the keys name
    them)."""
    keys = db.session.scalars(select(OutboxMessage.idempotency_key).where(
        OutboxMessage.kind == TEMPLATE, OutboxMessage.idempotency_key.startswith(prefix)))
    return {competence for key in keys for competence in key[len(prefix):].split(",")}


def coordinators_of(conference: Conference) -> list[Person]:
    """The coordinators of the meeting's area at its host unit, else all of the area's."""
    query = (select(Person).join(RoleGrant, RoleGrant.person_id == Person.id)
             .where(RoleGrant.role == "coordinator", RoleGrant.care_area == conference.care_area,
                    Person.active).distinct().order_by(Person.id))
    if conference.host_unit_id is not None:
        at_host = list(db.session.scalars(query.where(
            RoleGrant.unit_id == conference.host_unit_id)))
        if at_host:
            return at_host
    return list(db.session.scalars(query))


def _context(forecast: QuorumForecast, locale: str) -> dict:
    """Only what may leave the protected network: the area, the time, the host, competences."""
    conference = forecast.conference
    host = conference.host_unit
    return {
        "area_name": care_area(conference.care_area).name(locale),
        "meeting_time": format_datetime_local(conference.starts_at, locale),
        "host_unit": host.name if host is not None else None,
        "competences": [competence_label(key, locale) for key in forecast.uncovered],
        "agenda_url": service.absolute_url("agenda.show_agenda", conference_id=conference.id),
    }
