"""Login, sessions and their timeouts, lockout, CSRF and the login requirement."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from mdk.auth import service
from mdk.auth.models import LoginSession, PasswordCredential
from mdk.db import utcnow
from mdk.extensions import db
from tests.support import ADMIN_EMAIL

PASSWORD = "rätt-lösenord-123"


@pytest.fixture()
def with_password(app, admin_user):
    with app.app_context():
        service.set_password(db.session.merge(admin_user), PASSWORD)
        db.session.commit()


@pytest.fixture()
def browser(app):
    """An anonymous client whose forms carry no CSRF token (CSRF is tested on its own)."""
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        yield app.test_client()
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def _login(browser, password=PASSWORD, email=ADMIN_EMAIL, **extra):
    return browser.post("/login", data={"email": email, "password": password, **extra})


def _session_cookie(browser) -> str | None:
    cookie = browser.get_cookie("session")
    return cookie.value if cookie else None


def test_every_page_needs_a_login_and_comes_back_after_it(browser, with_password):
    response = browser.get("/units?kind=nhv")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/units?kind%3Dnhv"
    response = _login(browser, next="/units?kind=nhv")
    assert response.headers["Location"] == "/units?kind=nhv"
    assert browser.get("/units?kind=nhv").status_code == 200


def test_public_endpoints_need_no_login(anonymous_client):
    assert anonymous_client.get("/healthz").status_code == 200
    assert anonymous_client.get("/login").status_code == 200
    stylesheet = anonymous_client.get("/static/css/mdk.css")
    assert stylesheet.status_code == 200
    stylesheet.close()


def test_api_without_login_is_a_401_problem(anonymous_client):
    response = anonymous_client.get("/api/v1/units")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_wrong_password_shows_a_clear_swedish_error(browser, with_password):
    response = _login(browser, password="fel-lösenord-999")
    assert response.status_code == 401
    assert "Fel e-postadress eller lösenord." in response.get_data(as_text=True)
    assert browser.get("/units").status_code == 302


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(browser, with_password):
    response = _login(browser, email="ingen@test.example")
    assert response.status_code == 401
    assert "Fel e-postadress eller lösenord." in response.get_data(as_text=True)


def test_empty_fields_are_named_next_to_the_field(browser):
    response = browser.post("/login", data={"email": "", "password": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert page.count("Fyll i fältet.") == 2


def test_session_id_changes_at_login(app, browser, with_password):
    browser.get("/login")
    with browser.session_transaction() as session:
        session["_user_id"] = "a-token-an-attacker-planted"
    before = _session_cookie(browser)
    _login(browser)
    after = _session_cookie(browser)
    assert after and after != before
    with browser.session_transaction() as session:
        token = session["_user_id"]
    assert token != "a-token-an-attacker-planted" and len(token) >= 40


def test_login_ends_the_earlier_session_of_the_browser(app, browser, with_password):
    _login(browser)
    with browser.session_transaction() as session:
        first = session["_user_id"]
    _login(browser)
    with app.app_context():
        ended = db.session.scalars(select(LoginSession.ended_reason)
                                   .where(LoginSession.ended_at.is_not(None))).all()
    assert ended == ["login"]
    with browser.session_transaction() as session:
        assert session["_user_id"] != first


def test_only_a_hash_of_the_session_token_is_stored(app, browser, with_password):
    _login(browser)
    with browser.session_transaction() as session:
        token = session["_user_id"]
    with app.app_context():
        stored = db.session.scalar(select(LoginSession.token_hash))
    assert token not in stored and len(stored) == 64


def _age_session(app, **delta) -> None:
    with app.app_context():
        login = db.session.scalar(select(LoginSession).where(LoginSession.ended_at.is_(None)))
        login.last_seen_at -= timedelta(**delta)
        db.session.commit()


def test_an_idle_session_expires(app, browser, with_password):
    _login(browser)
    assert browser.get("/units").status_code == 200
    _age_session(app, minutes=31)
    response = browser.get("/units")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Din session har upphört" in page
    with app.app_context():
        assert db.session.scalar(select(LoginSession.ended_reason)) == "idle"


def test_a_session_ends_after_the_absolute_limit_however_busy(app, browser, with_password):
    _login(browser)
    with app.app_context():
        login = db.session.scalar(select(LoginSession))
        login.created_at = utcnow() - timedelta(hours=10, minutes=1)
        login.last_seen_at = utcnow()
        db.session.commit()
    assert browser.get("/units").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(LoginSession.ended_reason)) == "absolute"


def test_logout_ends_the_session_on_the_server(app, browser, with_password):
    _login(browser)
    with browser.session_transaction() as session:
        token = session["_user_id"]
    response = browser.post("/logout")
    assert response.headers["Location"] == "/login"
    # The old cookie value replayed is dead too.
    with browser.session_transaction() as session:
        session["_user_id"] = token
    assert browser.get("/units").status_code == 302


def test_repeated_failures_slow_down_then_lock_the_account(app, browser, with_password):
    for _ in range(3):
        _login(browser, password="fel-lösenord-999")
    response = _login(browser)  # right password, but too soon after three failures
    assert response.status_code == 401
    assert "Vänta" in response.get_data(as_text=True)
    with app.app_context():
        credential = db.session.scalar(select(PasswordCredential))
        credential.last_failed_at -= timedelta(minutes=5)
        db.session.commit()
    assert _login(browser).status_code == 302  # after the wait, the right password works


def test_ten_failures_lock_the_account_even_for_the_right_password(app, browser,
                                                                    with_password):
    with app.app_context():
        credential = db.session.scalar(select(PasswordCredential))
        credential.failed_count = 9
        db.session.commit()
    _login(browser, password="fel-lösenord-999")
    response = _login(browser)
    assert response.status_code == 401
    assert "Kontot är låst" in response.get_data(as_text=True)


def test_login_form_without_csrf_token_is_refused(app, with_password):
    response = app.test_client().post("/login", data={"email": ADMIN_EMAIL,
                                                      "password": PASSWORD})
    assert response.status_code == 400
    assert "_user_id" not in (app.test_client().get_cookie("session") or "")


def test_inactive_person_cannot_log_in(app, browser, with_password, admin_user):
    with app.app_context():
        db.session.merge(admin_user).active = False
        db.session.commit()
    response = _login(browser)
    assert response.status_code == 401
    assert "Kontot är inte aktivt" in response.get_data(as_text=True)


def test_short_password_is_refused(app, admin_user):
    with app.app_context(), pytest.raises(service.PasswordPolicyError):
        service.set_password(db.session.merge(admin_user), "kort")


def test_set_password_command_sets_a_working_password(app, runner, admin_user, browser):
    result = runner.invoke(args=["users", "set-password", ADMIN_EMAIL],
                           input="ett-nytt-lösenord\nett-nytt-lösenord\n")
    assert result.exit_code == 0, result.output
    assert _login(browser, password="ett-nytt-lösenord").status_code == 302


def test_set_password_for_unknown_person_exits_2(runner):
    result = runner.invoke(args=["users", "set-password", "ingen@test.example",
                                 "--password", "ett-nytt-lösenord"])
    assert result.exit_code == 2
    assert "no person" in result.output


def test_session_cookie_is_httponly_and_lax(browser, with_password):
    response = _login(browser)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logins_and_failures_are_in_the_audit_log(app, browser, with_password):
    from mdk.audit.models import AuditEvent

    _login(browser, password="fel-lösenord-999")
    _login(browser)
    browser.post("/logout")
    with app.app_context():
        events = db.session.execute(
            select(AuditEvent.action, AuditEvent.actor_name).order_by(AuditEvent.id)).all()
    assert [tuple(event) for event in events] == [
        ("login.failure", "system"), ("login.success", "Test Administratör"),
        ("logout", "Test Administratör")]
