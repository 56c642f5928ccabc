"""A real SMTP server on localhost (aiosmtpd) that collects what it is sent, answers with an
error on demand, and can be stopped and started again; and apps that deliver to it."""

from __future__ import annotations

import asyncio
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from mdk.config import with_overrides
from tests.support import free_port


class MailServer:
    def __init__(self, **smtp_options) -> None:
        self.smtp_options = smtp_options  # aiosmtpd.smtp.SMTP's: tls_context, require_starttls
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.rcpt_answer: str | None = None  # e.g. "550 5.1.1 no such mailbox"
        self.data_delay = 0.0  # seconds each DATA takes (a slow server)
        self.on_message = None  # called with the count after each message
        self._lock = threading.Lock()
        self.controller: Controller | None = None

    @property
    def message_ids(self) -> list[str]:
        with self._lock:
            return [message["Message-ID"] for message in self.messages]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_answer:
            return self.rcpt_answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        with self._lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            count = len(self.messages)
        if self.on_message is not None:
            self.on_message(count)
        return "250 OK"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port,
                                     **self.smtp_options)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def smtp_settings(self) -> dict[str, object]:
        return {"smtp_host": "127.0.0.1", "smtp_port": self.port, "smtp_security": "none",
                "smtp_timeout_seconds": 5, "mail_backend": "smtp"}


@pytest.fixture()
def mail_server():
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture()
def delivering(app, mail_server, monkeypatch):
    """The session app, delivering to `mail_server` and retrying failures at once."""
    settings = with_overrides(app.config["MDK"], **mail_server.smtp_settings(),
                              outbox_retry_base_seconds=0)
    monkeypatch.setitem(app.config, "MDK", settings)
    return app
