"""The admins' page of API tokens: every token with its unit, areas, expiry and last use, and
revocation after a confirmation page. Admins only (mdk.access.matrix). A token's secret
exists only when it is made (`mdk api-tokens create`): nothing here can show it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from mdk.api_tokens import service
from mdk.api_tokens.models import ApiToken
from mdk.audit.service import actor_from_request
from mdk.care_areas.service import care_areas
from mdk.db import utcnow
from mdk.extensions import db

blp = Blueprint("api_tokens", __name__)

STATE_LABELS = {"active": _l("Active"), "expired": _l("Expired"), "revoked": _l("Revoked"),
                "unit_inactive": _l("Unit inactive")}
# A token in these states still works, or would again (its unit made active): revocable.
REVOCABLE = frozenset({"active", "unit_inactive"})


@blp.get("/admin/api-tokens")
def list_tokens():
    now = utcnow()
    rows = [(token, service.token_state(token, now)) for token in service.list_tokens()]
    rows.sort(key=lambda row: (row[1] not in REVOCABLE, -row[0].id))  # usable ones first
    return render_template("api_tokens/list.html", rows=rows, areas=care_areas(),
                           state_labels=STATE_LABELS, revocable=REVOCABLE)


@blp.route("/admin/api-tokens/<int:token_id>/revoke", methods=["GET", "POST"])
def revoke(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None:
        abort(404)
    if service.token_state(token, utcnow()) not in REVOCABLE:
        flash(_("The token %(prefix)s no longer works; nothing to revoke.",
                prefix=token.prefix), "info")
        return redirect(url_for(".list_tokens"))
    if request.method == "GET":
        return render_template("api_tokens/revoke.html", token=token, areas=care_areas())
    service.revoke_token(actor_from_request(), token.prefix)
    flash(_("The token %(name)s (%(prefix)s) is revoked: calls with it get 401 from now on.",
            name=token.name, prefix=token.prefix), "success")
    return redirect(url_for(".list_tokens"))
