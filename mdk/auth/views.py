"""Login and logout pages."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
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
from mdk.auth import oidc, service
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


def _login_page(form: LoginForm, status: int = 200):
    settings = current_app.config["MDK"]
    return render_template("auth/login.html", form=form, password_login=settings.password_login,
                           oidc_login=settings.oidc_login), status


@blp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(form.next.data or "/"))
    if request.method == "POST" and not current_app.config["MDK"].password_login:
        abort(404)  # MDK_LOGIN=oidc: no password is accepted, whatever the form says
    if form.validate_on_submit():
        outcome = PROVIDERS["password"].authenticate(
            {"email": form.email.data, "password": form.password.data})
        if outcome.person is None:
            audit.record(audit.system_actor(request.remote_addr), "login.failure",
                         details={"reason": outcome.error})
            db.session.commit()  # keep the failure count and its audit event
            current_app.logger.info("login refused (%s)", outcome.error)
            form.form_errors.append(_error_message(outcome))
            return _login_page(form, 401)
        _start(outcome.person, "password")
        return redirect(safe_next(form.next.data or "/"))
    return _login_page(form, 422 if form.errors else 200)


def _callback_url() -> str:
    """Built from MDK_BASE_URL: the redirect URI registered at the IdP, behind any proxy."""
    return current_app.config["MDK"].base_url.rstrip("/") + url_for("auth.oidc_callback")


@blp.get("/login/oidc")
def oidc_start():
    """To the IdP: Authlib keeps state, nonce and the PKCE verifier in the session."""
    if not current_app.config["MDK"].oidc_login:
        return redirect(url_for("auth.login"))  # MDK_LOGIN=password: the password form
    session["oidc_next"] = safe_next(request.args.get("next") or "/")
    # After a refused commission: the IdP asks again instead of reusing its session.
    again = {"prompt": "login"} if request.args.get("again") == "1" else {}
    try:
        return oidc.client().authorize_redirect(_callback_url(), **again)
    except oidc.PROTOCOL_ERRORS as exc:
        return _oidc_refused("idp_unreachable", exc)


@blp.get("/login/oidc/callback")
def oidc_callback():
    if not current_app.config["MDK"].oidc_login:
        return redirect(url_for("auth.login"))
    try:
        token, claims = oidc.finish_login()
    except oidc.PROTOCOL_ERRORS as exc:
        return _oidc_refused("token", exc)
    commission = oidc.Commission.from_claims(claims)
    outcome = oidc.match_person(commission, claims)
    if outcome.error == "registered":
        audit.record(audit.system_actor(request.remote_addr), "person.registered_at_login",
                     outcome.person, details={"provider": "oidc"})
    if outcome.error:
        return _oidc_refused(outcome.error, person=outcome.person, commission=commission)
    target = session.get("oidc_next") or "/"
    _start(outcome.person, "oidc")
    # Kept for RP-initiated logout (id_token_hint); the cookie is signed, the token holds
    # no patient data and no secret of the service.
    session["oidc_id_token"] = token.get("id_token")
    return redirect(safe_next(target))


# Why an OIDC login is refused, as the person reads it.
def _refusal_message(reason: str) -> str:
    settings = current_app.config["MDK"]
    messages = {
        "unknown_person": _("You are not registered in the service. Ask a coordinator of "
                            "your care area to add you with your HSA-id."),
        "unit_mismatch": _("You logged in with a commission for another care unit than the "
                           "one you are registered at in the service. Log in again and choose "
                           "the commission of your unit, or ask your coordinator to correct "
                           "your unit."),
        "purpose": _("The commission you logged in with does not have a purpose the service "
                     "accepts (%(purposes)s).", purposes=", ".join(settings.oidc_purpose_list)),
        "missing_claims": _("The identity provider did not send your HSA-id and your "
                            "commission's care unit. Ask your IT support."),
        "inactive": _("The account is not active. Ask your coordinator."),
        "registered": _("You are now registered in the service, without roles. An "
                        "administrator of your care area grants you the roles you need; then "
                        "log in again."),
        "no_roles": _("You have no roles in the service yet. An administrator of your care "
                      "area grants them; then log in again."),
        "idp_unreachable": _("The identity provider cannot be reached just now. "
                             "Try again in a while."),
    }
    return messages.get(reason, _("The login through the identity provider could not be "
                                  "completed. Please try again."))


def _oidc_refused(reason: str, exc: Exception | None = None, person=None,
                  commission: oidc.Commission | None = None):
    """Refuse, audit-log and log it: ids and a reason code, never a token or a secret."""
    details = {"provider": "oidc", "reason": reason,
               "person_id": person.id if person is not None else None}
    if commission is not None:
        details["claimed_unit_id"] = oidc.unit_id_for(commission.unit_hsa_id)
    audit.record(audit.system_actor(request.remote_addr), "login.failure", details=details)
    db.session.commit()
    current_app.logger.warning(
        "OIDC login refused (%s) person_id=%s claimed_unit_id=%s%s", reason,
        details["person_id"], details.get("claimed_unit_id"),
        f" error={type(exc).__name__}" if exc is not None else "")
    return render_template("auth/oidc_refused.html", message=_refusal_message(reason),
                           choose_again=reason in ("unit_mismatch", "purpose")), 403


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
    id_token = session.get("oidc_id_token")
    logout_user()
    session.clear()
    flash(_("You are logged out."), "success")
    back = current_app.config["MDK"].base_url.rstrip("/") + url_for("auth.login")
    if id_token and current_app.config["MDK"].oidc_login:
        # RP-initiated logout: the IdP ends its session too, then sends the browser back.
        at_idp = oidc.logout_url(id_token, back)
        if at_idp:
            return redirect(at_idp)
    return redirect(url_for("auth.login"))
