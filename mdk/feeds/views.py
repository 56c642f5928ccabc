"""The feed URLs calendar clients poll (no login: the token in the path is the key) and the
page where a person makes their feed URL.

A feed URL answers 404 for anything but a current token of an active person, and for an area
that person does not coordinate: the same answer as for a URL that never existed, so a URL
reveals nothing (not 401 or 403). The token never reaches a log line (mdk.feeds.logs).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from mdk.audit.service import actor_from_request
from mdk.care_areas.service import care_areas
from mdk.feeds import service
from mdk.i18n import current_language
from mdk.people.service import get_person

blp = Blueprint("feeds", __name__)

CONTENT_TYPE = "text/calendar; charset=utf-8"


def _answer(feed: service.Feed) -> Response:
    response = Response(feed.body, content_type=CONTENT_TYPE)
    response.set_etag(feed.etag)
    response.last_modified = feed.last_modified
    # Private to its subscriber; clients and proxies ask again (If-None-Match) every time.
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Content-Disposition"] = 'inline; filename="nmdk.ics"'
    return response.make_conditional(request)


def _owner(token: str):
    if not service.feeds_enabled():
        abort(404)
    found = service.token_owner(token)
    if found is None:
        abort(404)
    return found


@blp.get("/calendar/<token>.ics")
def personal_feed(token: str):
    person, row = _owner(token)
    return _answer(service.personal_feed(person, row))


@blp.get("/calendar/<token>/<area_key>.ics")
def area_feed(token: str, area_key: str):
    person, row = _owner(token)
    if area_key not in service.coordinated_areas(person):
        abort(404)
    return _answer(service.area_feed(area_key, row))


def feed_urls(secret: str, areas: list[str]) -> tuple[str, list[tuple[str, str]]]:
    personal = url_for(".personal_feed", token=secret, _external=True)
    return personal, [(key, url_for(".area_feed", token=secret, area_key=key, _external=True))
                      for key in areas]


@blp.route("/me/calendar-feed", methods=["GET", "POST"])
def feed_page():
    """The person's feed URL: made (or made anew, which ends the old one) with a POST and
    shown once, since only its hash is kept."""
    person = get_person(current_user.id)
    form = FlaskForm()
    areas = service.coordinated_areas(person)
    enabled = service.feeds_enabled()
    personal = area_urls = None
    if enabled and form.validate_on_submit():
        secret = service.regenerate_token(actor_from_request(), person)
        personal, area_urls = feed_urls(secret, areas)
    elif request.method == "POST" and enabled:
        abort(400)
    return render_template(
        "feeds/page.html", form=form, enabled=enabled, has_token=service.has_token(person),
        personal=personal, area_urls=area_urls, areas=care_areas(), coordinated=areas,
        language=current_language(), title=_("Calendar subscription"))
