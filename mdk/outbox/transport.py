"""Where delivered mail goes: an SMTP server (smtplib), or .eml files for development.

A transport is opened once per batch (one SMTP connection) and sends message after message.
Failures become DeliveryError with the SMTP code and a short reason of our own wording: the
server's text may quote the message, so it is never stored.
"""

from __future__ import annotations

import functools
import os
import re
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

from mdk.config import Settings

ENHANCED_STATUS = re.compile(rb"^\s*([245]\.\d{1,3}\.\d{1,3})\b")


class DeliveryError(Exception):
    """One message was not delivered. `permanent`: retrying cannot help (a 5xx answer).
    `connection_lost`: the connection is gone, so the rest of the batch fails too."""

    def __init__(self, reason: str, *, permanent: bool = False,
                 connection_lost: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason[:200]
        self.permanent = permanent
        self.connection_lost = connection_lost


def open_transport(settings: Settings):
    if settings.mail_backend == "file":
        return FileTransport(settings.instance_path / "mail")
    return SmtpTransport(settings)


class SmtpTransport:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.connection: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpTransport:
        try:
            self.connection = self._connect()
        except (smtplib.SMTPException, OSError) as exc:
            # Whatever stops the connection (refused, timeout, TLS, login) is retried later.
            raise DeliveryError(_describe(exc, "connect"), connection_lost=True) from exc
        return self

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.smtp_security == "tls":
            connection = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port,
                                          timeout=s.smtp_timeout_seconds,
                                          context=_tls_context())
        else:
            connection = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
        try:
            if s.smtp_security == "starttls":
                connection.starttls(context=_tls_context())
            if s.smtp_username:
                connection.login(s.smtp_username, s.smtp_password)
        except BaseException:
            connection.close()
            raise
        return connection

    def send(self, message: EmailMessage, recipient: str) -> None:
        assert self.connection is not None
        try:
            refused = self.connection.send_message(message, from_addr=self.settings.smtp_from,
                                                   to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise DeliveryError(_answer(code, text, "recipient refused"),
                                permanent=_is_permanent(code)) from exc
        except smtplib.SMTPServerDisconnected as exc:
            raise DeliveryError("connection lost", connection_lost=True) from exc
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == 421:  # the server is closing the connection
                raise DeliveryError(_answer(exc.smtp_code, exc.smtp_error, "closing"),
                                    connection_lost=True) from exc
            raise DeliveryError(_answer(exc.smtp_code, exc.smtp_error, _stage(exc)),
                                permanent=_is_permanent(exc.smtp_code)) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(_describe(exc, "send"), connection_lost=True) from exc
        if refused:  # only partly accepted: we send to one address, so this is a refusal
            code, text = next(iter(refused.values()))
            raise DeliveryError(_answer(code, text, "recipient refused"),
                                permanent=_is_permanent(code))

    def __exit__(self, *exc_info) -> None:
        if self.connection is None:
            return
        try:
            self.connection.quit()
        except (smtplib.SMTPException, OSError):
            self.connection.close()


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Verifies the server's certificate and name. Made once: loading the system's CA
    # certificates costs tens of milliseconds, more than sending a mail.
    return ssl.create_default_context()


class FileTransport:
    """Writes each mail to <folder>/<message id>.eml (a repeated delivery replaces it)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __enter__(self) -> FileTransport:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def send(self, message: EmailMessage, recipient: str) -> None:
        name = re.sub(r"[^A-Za-z0-9.-]", "", message["Message-ID"].split("@")[0])
        target = self.folder / f"{name}.eml"
        partial = target.with_suffix(".eml.part")
        try:
            partial.write_bytes(message.as_bytes())
            os.replace(partial, target)  # a reader never sees half a mail
        except OSError as exc:
            raise DeliveryError(_describe(exc, "write"), connection_lost=True) from exc

    def __exit__(self, *exc_info) -> None:
        return None


def _is_permanent(code: int) -> bool:
    return 500 <= code <= 599


def _answer(code: int, text: bytes | str, what: str) -> str:
    """'550 5.1.1 recipient refused': the code, the enhanced status code if the server gave
    one, and our own words."""
    raw = text.encode("utf-8", "replace") if isinstance(text, str) else (text or b"")
    match = ENHANCED_STATUS.match(raw)
    status = f" {match.group(1).decode()}" if match else ""
    return f"{code}{status} {what}"


def _stage(exc: smtplib.SMTPResponseException) -> str:
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return "sender refused"
    if isinstance(exc, smtplib.SMTPDataError):
        return "data refused"
    return "refused"


def _describe(exc: BaseException, stage: str) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return _answer(exc.smtp_code, exc.smtp_error, f"{stage} refused")
    if isinstance(exc, TimeoutError):
        return f"{stage}: timeout"
    return f"{stage}: {type(exc).__name__}"
