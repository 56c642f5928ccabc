"""Login and logout pages."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from mdk.audit import service as audit
from mdk.auth import service
from mdk.auth.forms import LoginForm
from mdk.auth.providers import PROVIDERS
from mdk.core.views import safe_next
from mdk.extensions import db

blp = Blueprint("auth", __name__)


def _error_message(outcome: service.LoginOutcome) -> str:
    if outcome.error == "slowdown":
        return _("Too many failed attempts. Wait %(seconds)s seconds and try again.",
                 seconds=outcome.wait_seconds)
    if outcome.error == "locked":
        minutes = max(1, (outcome.wait_seconds + 59) // 60)
        return _("The account is locked after repeated failed logins. Try again in "
                 "%(minutes)s minutes or ask your coordinator.", minutes=minutes)
    if outcome.error == "inactive":
        return _("The account is not active. Ask your coordinator.")
    return _("Wrong e-mail address or password.")


@blp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(form.next.data or "/"))
    if form.validate_on_submit():
        outcome = PROVIDERS["password"].authenticate(
            {"email": form.email.data, "password": form.password.data})
        if outcome.person is None:
            audit.record(audit.system_actor(request.remote_addr), "login.failure",
                         details={"reason": outcome.error})
            db.session.commit()  # keep the failure count and its audit event
            current_app.logger.info("login refused (%s)", outcome.error)
            form.form_errors.append(_error_message(outcome))
            return render_template("auth/login.html", form=form), 401
        _start(outcome.person, "password")
        return redirect(safe_next(form.next.data or "/"))
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


def _start(person, provider: str) -> None:
    """Rotate: end any earlier session, clear the cookie session, open a new one."""
    service.end_session(session.get("_user_id"), "login")
    session.clear()
    person.session_token = service.start_session(person, provider, request.remote_addr)
    login_user(person)
    audit.record(audit.actor_for(person, client_address=request.remote_addr), "login.success",
                 details={"provider": provider})
    db.session.commit()
    current_app.logger.info("login person_id=%s provider=%s", person.id, provider)


@blp.post("/logout")
def logout():
    service.end_session(session.get("_user_id"), "logout")
    if current_user.is_authenticated:
        audit.record(audit.actor_for(current_user, client_address=request.remote_addr), "logout")
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "success")
    return redirect(url_for("auth.login"))
