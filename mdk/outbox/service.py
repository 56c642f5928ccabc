"""Queue mail: render it now and add its outbox row to the caller's transaction.

Nothing here sends; mdk.outbox.delivery does, later, from another process. The caller's
commit decides whether the mail exists: a change that rolls back queues nothing.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mdk.config import LOCALES
from mdk.extensions import db
from mdk.outbox.models import KEY_LENGTH, OutboxMessage


@dataclass(frozen=True)
class Recipient:
    email: str
    person_id: int | None = None
    unit_id: int | None = None
    locale: str = "sv"  # "sv" or "en": the language the mail is rendered in


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "application/pdf"
    data: bytes


def queue_mail(recipient: Recipient, *, kind: str, template: str, context: dict,
               idempotency_key: str, case_id: int | None = None,
               reply_to: str | None = None, from_address: str | None = None,
               calendar: str | None = None,
               calendar_method: str | None = None,
               attachments: Sequence[Attachment] = ()) -> OutboxMessage | None:
    """Render templates/mail/<template>.subject.txt, .txt and .html in the recipient's
    language and add one outbox row to db.session, uncommitted. None when this key was
    already queued for this address (the same event told twice)."""
    if len(idempotency_key) > KEY_LENGTH:
        raise ValueError(f"idempotency key longer than {KEY_LENGTH} characters")
    if _already_queued(idempotency_key, recipient.email):
        return None
    subject, text, html = render_mail(template, context, recipient.locale)
    message = OutboxMessage(
        message_id=new_message_id(), idempotency_key=idempotency_key, kind=kind,
        recipient_email=recipient.email, recipient_person_id=recipient.person_id,
        recipient_unit_id=recipient.unit_id, case_id=case_id, locale=recipient.locale,
        subject=subject, body_text=text, body_html=html, reply_to=reply_to,
        from_address=from_address,
        calendar=calendar, calendar_method=calendar_method,
        attachments=[_stored(item) for item in attachments] or None,
    )
    if db.session.get_bind().dialect.name == "sqlite":
        # One writer at a time: the check above is enough. (No savepoint: pysqlite opens no
        # transaction before it, so its release would commit the caller's work.)
        db.session.add(message)
        return message
    try:
        # A savepoint: a concurrent transaction that queued the same key first makes only
        # this insert fail, not the caller's change.
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        return None
    return message


def absolute_url(endpoint: str, **values) -> str:
    """A page of the service as a link in mail (MDK_BASE_URL): mail is read outside it."""
    path = current_app.url_map.bind("").build(endpoint, values)
    return current_app.config["MDK"].base_url.rstrip("/") + path


def render_mail(template: str, context: dict, locale: str) -> tuple[str, str, str]:
    """(subject, text, html) of templates/mail/<template>.* in `locale`."""
    language = locale if locale in LOCALES else current_app.config["MDK"].default_locale
    values = {"base_url": current_app.config["MDK"].base_url.rstrip("/"), **context}
    env = current_app.jinja_env
    with force_locale(language):
        subject = env.get_template(f"mail/{template}.subject.txt").render(values)
        text = env.get_template(f"mail/{template}.txt").render(values)
        html = env.get_template(f"mail/{template}.html").render(values)
    return _one_line(subject), text, html


def new_message_id() -> str:
    """`<uuid@domain of MDK_SMTP_FROM>`: fixed when queued, the same on every delivery."""
    sender = current_app.config["MDK"].smtp_from
    domain = sender.rpartition("@")[2].strip(" >") or "localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def _already_queued(idempotency_key: str, email: str) -> bool:
    return db.session.execute(
        select(OutboxMessage.id).where(OutboxMessage.idempotency_key == idempotency_key,
                                       OutboxMessage.recipient_email == email)
    ).first() is not None


def _one_line(subject: str) -> str:
    # A header is one line: a newline from a template would end it (header injection).
    return " ".join(subject.split())


def _stored(attachment: Attachment) -> dict[str, str]:
    return {"filename": attachment.filename, "content_type": attachment.content_type,
            "data": base64.b64encode(attachment.data).decode("ascii")}
