"""The outbox tests' real SMTP server, for the invites mailed through it (test_imip), and a
real IMAP server (Dovecot) for the replies mailbox (test_mailbox)."""

from collections.abc import Iterator

import pytest

from tests.invites.dovecot import DOVECOT, Dovecot
from tests.outbox.conftest import delivering, mail_server  # noqa: F401 - fixtures


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    # A missing Dovecot must fail the run (CI included), never skip the mailbox tests.
    if not DOVECOT.exists():
        pytest.fail(f"mailbox tests need Debian's Dovecot at {DOVECOT}: apt-get install "
                    "dovecot-imapd (or run `make imap`)", pytrace=False)
    server = Dovecot()
    yield server
    server.stop()
