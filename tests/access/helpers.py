"""Demo logins per role, a CSRF token for a test client, and telling allow from deny."""

from __future__ import annotations

import hashlib
import os
import re
from urllib.parse import urlsplit

from itsdangerous import URLSafeTimedSerializer

from mdk.demo.service import load_demo
from mdk.extensions import db
from mdk.people import service as people
from tests.support import demo_output

DEMO_ROLES = ("admin", "coordinator", "member", "reviewer", "referrer", "registrar")


def load_demo_people(app) -> dict[str, int]:
    """Role -> id of its demo person: on the demo database (the `demo` fixture or the
    `demo_data` mark) as loaded for the session, else seeded now (rolled back with the test)."""
    with app.app_context():
        lines = demo_output(app)
        if lines is None:
            lines = load_demo()
            db.session.commit()
        found = {}
        for line in lines:
            match = re.match(r"(\w+): (\S+@\S+)\s+password:", line)
            if match:
                found[match[1]] = people.person_by_email(match[2]).id
    return found


def csrf_token(client) -> str:
    """A valid CSRF token for this client's session, made the way Flask-WTF makes one."""
    raw = hashlib.sha1(os.urandom(64)).hexdigest()
    with client.session_transaction() as session:
        session["csrf_token"] = raw
    secret = client.application.config.get("WTF_CSRF_SECRET_KEY") or \
        client.application.secret_key
    return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)


def redirects_to_login(response) -> bool:
    """The login check's answer: to /login with the page to come back to (logging out also
    ends on /login, but without `next`)."""
    target = urlsplit(response.location or "")
    return (response.status_code == 302 and target.path == "/login"
            and "next=" in target.query)


def denied(response) -> bool:
    """Refused: sent to the login page, 401 (API, no login), 403 or 404."""
    return redirects_to_login(response) or response.status_code in (401, 403, 404)
