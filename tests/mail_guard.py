"""The patient-data guard: no mail may carry an identity number or a patient's name.

DESIGN.md §5: mail leaves the protected network. The fixture in tests/conftest.py runs
`patient_data_in_mail` after every test: one query for the outbox rows (nothing more when
there are none), then, only if there are rows, one for the patients' names and numbers;
plus the .eml files the file backend wrote under the instance's mail/ folder since the
last check. A finding fails the test.

Identity numbers are looked for in every form the validator accepts (mdk.patients.identity:
12 or 10 digits, with or without `-` or `+` before the last four) and also written with
spaces or dashes between any digits ("19121212 1212", "121212-12 12"): a run of 10 or 12
digits, once those are taken out, that the validator accepts (a real date, the Luhn digit)
is a finding, whoever's number it is. So is the number of any patient in the database, in
any of its written forms, and any text matching a region's reservnummer format.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from functools import cache
from pathlib import Path

from sqlalchemy import select

from mdk.audit.service import without_digit_separators
from mdk.cases.models import Case
from mdk.outbox.models import OutboxMessage
from mdk.patients.identity import IdentityNumberError, parse_identity_number
from mdk.patients.models import NATIONAL_KINDS, Patient
from mdk.patients.reservnummer import load_formats

_DIGIT_RUN = re.compile(r"(?<![0-9])[0-9]{10,12}(?![0-9])")
_SEPARATORS = re.compile(r"[\s+-]+")


@dataclass(frozen=True)
class KnownPatients:
    names: tuple[str, ...]  # given and family names, full names, and those referrals gave
    numbers: tuple[str, ...]  # identity values without separators (12 and 10 digits)


def identity_numbers_in(text: str) -> list[str]:
    """The identity numbers the validator would accept that `text` holds, in any spacing."""
    joined = without_digit_separators(text)
    found = []
    for match in _DIGIT_RUN.finditer(joined):
        if len(match[0]) == 11:
            continue
        try:
            parse_identity_number(match[0])
        except IdentityNumberError:
            continue
        found.append(match[0])
    found += [match[0] for pattern in _reservnummer_patterns()
              for match in pattern.finditer(text)]
    return found


@cache
def _reservnummer_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(entry.pattern for entry in load_formats().values())


def findings_in(text: str, known: KnownPatients) -> list[str]:
    """What in `text` is patient data: identity numbers, and known patients' names."""
    plain = html.unescape(text)
    found = [f"identity number {number}" for number in identity_numbers_in(plain)]
    squeezed = _SEPARATORS.sub("", plain)
    found += [f"the identity number {number} of a patient" for number in known.numbers
              if number in squeezed]
    found += [f"the patient name {name!r}" for name in known.names
              if re.search(_name_pattern(name), plain, re.IGNORECASE)]
    return found


def _name_pattern(name: str) -> str:
    """The name as a whole word (or words, with any spacing between them)."""
    return r"(?<!\w)" + r"\s+".join(re.escape(word) for word in name.split()) + r"(?!\w)"


@cache
def service_words() -> frozenset[str]:
    """Every word of the service's own text, in both languages (the message catalogue)."""
    from babel.messages.pofile import read_po

    from mdk.config import PROJECT_ROOT

    path = PROJECT_ROOT / "mdk" / "translations" / "sv" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh)
    texts = [part for message in catalog if message.id
             for part in (message.id, message.string) if isinstance(part, str)]
    return frozenset(word.lower() for text in texts for word in re.findall(r"\w+", text))


def _sought_names(given: str | None, family: str | None) -> set[str]:
    """The name parts to look for, and the full name. A part that is a number, or a word
    the service itself writes (the demo's "Testpatient Ett", "Testpatient Sex"), would be
    found in every mail ("ett möte"): only the full name is sought for those."""
    parts = [name.strip() for name in (given, family) if name and name.strip()]
    sought = {" ".join(parts)} if parts else set()
    sought.update(part for part in parts
                  if not part.isdigit() and part.lower() not in service_words())
    return sought


def known_patients(session) -> KnownPatients:
    names: set[str] = set()
    numbers: set[str] = set()
    for given, family, kind, value in session.execute(select(
            Patient.given_name, Patient.family_name, Patient.identity_kind,
            Patient.identity_value)):
        names.update(_sought_names(given, family))
        digits = _SEPARATORS.sub("", value)
        numbers.add(digits)
        if kind in NATIONAL_KINDS:
            numbers.add(digits[2:])
    for given, family in session.execute(select(Case.referred_given_name,
                                                Case.referred_family_name)):
        names.update(_sought_names(given, family))
    return KnownPatients(tuple(sorted(names)), tuple(sorted(numbers)))


def _row_texts(row) -> Iterator[tuple[str, str]]:
    yield from (("subject", row.subject), ("body_text", row.body_text),
                ("body_html", row.body_html), ("calendar", row.calendar))
    for index, attachment in enumerate(row.attachments or ()):
        yield f"attachment {index} name", str(attachment.get("filename", ""))
        try:
            data = base64.b64decode(attachment.get("data", ""), validate=False)
        except (binascii.Error, ValueError):
            data = b""
        yield f"attachment {index}", data.decode("utf-8", errors="replace")


def outbox_findings(session, known: KnownPatients | None = None) -> list[str]:
    """Patient data in the outbox's rows, as 'row N field: what'. One query when empty."""
    rows = session.execute(select(
        OutboxMessage.id, OutboxMessage.subject, OutboxMessage.body_text,
        OutboxMessage.body_html, OutboxMessage.calendar, OutboxMessage.attachments)).all()
    if not rows:
        return []
    known = known or known_patients(session)
    return [f"outbox row {row.id} {field}: {finding}"
            for row in rows for field, text in _row_texts(row) if text
            for finding in findings_in(text, known)]


def message_texts(message: EmailMessage) -> Iterator[tuple[str, str]]:
    """Subject and every part (decoded) of a delivered message."""
    yield "subject", str(message.get("Subject", ""))
    for part in message.walk():
        if part.is_multipart():
            continue
        try:
            content = part.get_content()
        except (LookupError, ValueError, KeyError):
            content = part.get_payload(decode=True) or b""
        if isinstance(content, bytes):
            content = content.decode("utf-8", errors="replace")
        yield part.get_content_type(), content


def eml_texts(path: Path) -> Iterator[tuple[str, str]]:
    yield from message_texts(BytesParser(policy=policy.default).parsebytes(path.read_bytes()))


def delivered_findings(session, messages: Iterable[tuple[str, Iterable[tuple[str, str]]]],
                       known: KnownPatients | None = None) -> list[str]:
    """Patient data in delivered messages: (name, its (part, text) pairs) each."""
    messages = list(messages)
    if not messages:
        return []
    known = known or known_patients(session)
    return [f"{name} {part}: {finding}" for name, texts in messages
            for part, text in texts for finding in findings_in(text, known)]


class MailGuard:
    """Remembers which delivered files were already checked (they outlive a test's
    rollback), so each is read once per session."""

    def __init__(self) -> None:
        self.seen: set[Path] = set()

    def new_files(self, folder: Path) -> list[Path]:
        if not folder.is_dir():
            return []
        fresh = sorted(path for path in folder.rglob("*.eml") if path not in self.seen)
        self.seen.update(fresh)
        return fresh

    def findings(self, session, mail_folder: Path,
                 smtp_messages: Iterable[EmailMessage] = ()) -> list[str]:
        """The outbox's rows, the files delivered since the last check, and the messages
        a test SMTP server received (tests/outbox/conftest.py MailServer.messages)."""
        delivered = [(path.name, eml_texts(path)) for path in self.new_files(mail_folder)]
        delivered += [(f"SMTP message {message.get('Message-ID', index)}",
                       message_texts(message)) for index, message in enumerate(smtp_messages)]
        return outbox_findings(session) + delivered_findings(session, delivered)
