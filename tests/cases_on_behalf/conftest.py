"""The case tests' world and browsers, and the outbox tests' real SMTP server."""

from tests.cases.conftest import browser, world  # noqa: F401
from tests.outbox.conftest import delivering, mail_server  # noqa: F401
