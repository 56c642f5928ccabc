"""An outbox row as the e-mail it is sent as (stdlib email.message.EmailMessage)."""

from __future__ import annotations

import base64
from email.message import EmailMessage
from email.utils import format_datetime

from mdk.outbox.models import OutboxMessage


def build_message(row: OutboxMessage, sender: str) -> EmailMessage:
    """From (and Sender, when the row names its own From), To, Reply-To, Message-ID, Date,
    Subject; text and HTML as alternatives, the
    calendar object as a third one (how calendar clients expect an iTIP invite), then the
    attachments. Everything comes from the row, so every delivery of it is the same mail."""
    message = EmailMessage()
    if row.from_address:  # an invite: From its ORGANIZER, sent by the service
        message["From"] = row.from_address
        message["Sender"] = sender
    else:
        message["From"] = sender
    message["To"] = row.recipient_email
    if row.reply_to:
        message["Reply-To"] = row.reply_to
    message["Message-ID"] = row.message_id
    message["Date"] = format_datetime(row.created_at)
    message["Subject"] = row.subject
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    message.set_content(row.body_text)
    message.add_alternative(row.body_html, subtype="html")
    if row.calendar:
        message.add_alternative(row.calendar, subtype="calendar",
                                params={"method": row.calendar_method or "REQUEST"})
    for attachment in row.attachments or ():
        maintype, _, subtype = attachment["content_type"].partition("/")
        message.add_attachment(base64.b64decode(attachment["data"]), maintype=maintype,
                               subtype=subtype or "octet-stream",
                               filename=attachment["filename"])
    return message
