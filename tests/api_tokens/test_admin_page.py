"""The admins' page of API tokens: every token with its unit, areas, creation, expiry, last
use and state, never its secret or hash; revocation after a confirmation page, audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from mdk.api_tokens.models import ApiToken
from mdk.audit.models import AuditEvent
from mdk.db import utcnow
from mdk.extensions import db
from mdk.i18n import LANG_COOKIE
from tests.access.helpers import csrf_token
from tests.api_tokens.test_tokens import assert_refused, bearer, make_token
from tests.cases.factories import make_world
from tests.support import log_in

PAGE = "/admin/api-tokens"


@dataclass
class World:
    unit: str  # HSA-ids of two referring units
    other_unit: str
    people: dict  # role -> Person (tests/cases/factories.make_world)


@pytest.fixture()
def world(app) -> World:
    with app.app_context():
        built = make_world()
        return World(built.referring.hsa_id, built.other_referring.hsa_id, built.people)


def _row(app, token: str) -> ApiToken:
    with app.app_context():
        row = db.session.scalar(select(ApiToken).where(ApiToken.prefix == token.split("_")[1]))
        row.unit  # noqa: B018 - loaded while the session is open
        return row


def test_the_page_lists_every_token_with_its_last_use_and_state(app, client, world):
    used = make_token(app, world.unit, "--name", "Journalsystemet")
    unused = make_token(app, world.other_unit, "--name", "Plattformen")
    expired = make_token(app, world.unit, "--name", "Gamla")
    app.test_client().get("/api/v1/cases", headers=bearer(used))
    with app.app_context():
        row = db.session.scalar(select(ApiToken).where(ApiToken.name == "Gamla"))
        row.expires_at = utcnow() - timedelta(days=1)
        db.session.commit()
    response = client.get(PAGE)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for token, name in ((used, "Journalsystemet"), (unused, "Plattformen"), (expired, "Gamla")):
        row = _row(app, token)
        assert name in page and row.prefix in page and row.unit.hsa_id in page
    used_row = page.split(f'id="token-{_row(app, used).id}"')[1].split("</tr>")[0]
    assert "Aktiv" in used_row and "Analcancer" in used_row and "CLI (" in used_row
    assert "Aldrig" not in used_row  # its last use is shown as a time
    unused_row = page.split(f'id="token-{_row(app, unused).id}"')[1].split("</tr>")[0]
    assert "Aldrig" in unused_row and "Återkalla" in unused_row
    expired_row = page.split(f'id="token-{_row(app, expired).id}"')[1].split("</tr>")[0]
    assert "Utgången" in expired_row and "Återkalla" not in expired_row


def test_the_page_never_shows_a_secret_or_a_hash(app, client, world):
    token = make_token(app, world.unit)
    page = client.get(PAGE).get_data(as_text=True)
    confirm = client.get(f"{PAGE}/{_row(app, token).id}/revoke").get_data(as_text=True)
    for text in (page, confirm):
        assert token not in text and token.split("_", 2)[2] not in text
        assert _row(app, token).token_hash not in text


def test_revoking_asks_first_then_revokes_and_audits(app, client, world):
    token = make_token(app, world.unit, "--name", "Journalsystemet")
    token_id = _row(app, token).id
    confirm = client.get(f"{PAGE}/{token_id}/revoke")
    assert confirm.status_code == 200
    assert "Journalsystemet" in confirm.get_data(as_text=True)
    assert _row(app, token).revoked_at is None  # asking changes nothing
    response = client.post(f"{PAGE}/{token_id}/revoke", data={"csrf_token": csrf_token(client)},
                           follow_redirects=True)
    assert response.request.path == PAGE
    page = response.get_data(as_text=True)
    assert "är återkallad" in page and "Återkallad" in page
    assert _row(app, token).revoked_at is not None
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "api_token.revoke")).one()
        assert (event.object_type, event.object_id) == ("api_token", token_id)
        assert event.actor_name == "Test Administratör"
    assert_refused(app.test_client().get("/api/v1/cases", headers=bearer(token)))


def test_revoking_without_a_csrf_token_is_refused(app, client, world):
    token = make_token(app, world.unit)
    assert client.post(f"{PAGE}/{_row(app, token).id}/revoke").status_code == 400
    assert _row(app, token).revoked_at is None


def test_a_revoked_token_cannot_be_revoked_again(app, client, world):
    token = make_token(app, world.unit)
    token_id = _row(app, token).id
    data = {"csrf_token": csrf_token(client)}
    client.post(f"{PAGE}/{token_id}/revoke", data=data)
    again = client.post(f"{PAGE}/{token_id}/revoke", data=data, follow_redirects=True)
    assert "inget att återkalla" in again.get_data(as_text=True)
    with app.app_context():
        assert len(db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "api_token.revoke")).all()) == 1


def test_an_unknown_token_is_a_404(client, world):
    assert client.get(f"{PAGE}/999999/revoke").status_code == 404
    assert client.get(f"{PAGE}/99999999999/revoke").status_code == 404


@pytest.mark.parametrize("role", ["coordinator", "referrer", "member", "reviewer"])
def test_only_admins_may_open_or_use_the_page(app, world, role):
    token = make_token(app, world.unit)
    browser = app.test_client()
    log_in(browser, world.people[role])
    assert browser.get(PAGE).status_code == 403
    assert browser.get(f"{PAGE}/{_row(app, token).id}/revoke").status_code == 403
    refused = browser.post(f"{PAGE}/{_row(app, token).id}/revoke",
                           data={"csrf_token": csrf_token(browser)})
    assert refused.status_code == 403
    assert _row(app, token).revoked_at is None
    assert "/admin/api-tokens" not in browser.get("/").get_data(as_text=True)


def test_the_page_is_in_the_admins_navigation_and_in_english_too(app, client, world):
    assert 'href="/admin/api-tokens"' in client.get("/").get_data(as_text=True)
    client.set_cookie(LANG_COOKIE, "en")
    page = client.get(PAGE).get_data(as_text=True)
    assert "API tokens" in page and "Last used" in page


def test_anonymous_visitors_are_sent_to_the_login(anonymous_client):
    response = anonymous_client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
