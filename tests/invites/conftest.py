"""The outbox tests' real SMTP server, for the invites mailed through it (test_imip)."""

from tests.outbox.conftest import delivering, mail_server  # noqa: F401 - fixtures
