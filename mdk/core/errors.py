"""Error pages in the user's language; JSON problem bodies for the API."""

from __future__ import annotations

import json
from http import HTTPStatus

from flask import Flask, Request, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException

from mdk.schemas import PROBLEM_CONTENT_TYPE
from mdk.validation import FieldError, field_messages


class ProblemRequest(Request):
    """Any JSON body that cannot be read is the client's 400, whatever the parser's reason:
    bad syntax, bad UTF-8, or a number longer than Python converts (4,300 digits; its
    ValueError is not a JSONDecodeError)."""

    def on_json_loading_failed(self, e: ValueError | None):
        if e is None:
            return super().on_json_loading_failed(e)  # not JSON at all: 415
        if isinstance(e, json.JSONDecodeError):
            reason = f"{e.msg} at character {e.pos}"
        elif isinstance(e, UnicodeDecodeError):
            reason = "it is not UTF-8"
        else:
            reason = "a number in it has too many digits"
        raise BadRequest(f"The JSON body could not be read: {reason}.") from e


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _problem(status: int, title: str, detail: str | None = None, data: dict | None = None):
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    # flask-smorest puts abort(..., message=, errors=) and webargs' field messages in `data`:
    # keep them, so a 4xx names the field that was wrong.
    data = data or {}
    if data.get("message"):
        body["detail"] = str(data["message"])
    if data.get("errors") or data.get("messages"):
        body["errors"] = data.get("errors") or data.get("messages")
        if not data.get("message"):
            body["detail"] = _fields_detail(body["errors"])
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_CONTENT_TYPE
    return response


def _field_location(field: str) -> str:
    if field in request.args:
        return "query"
    return "json" if request.is_json else "form"


def _fields_detail(errors: dict) -> str:
    """'Invalid field(s): hsa_id, mailbox' from webargs' {location: {field: [messages]}}."""
    names = sorted({name for fields in errors.values() if isinstance(fields, dict)
                    for name in fields})
    return f"Invalid field(s): {', '.join(names)}" if names else "Invalid input"


def register(app: Flask) -> None:
    app.request_class = ProblemRequest

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        message = _("The form had expired or was sent from elsewhere. Please try again.")
        if _wants_json():
            return _problem(400, "CSRF token missing or invalid", error.description)
        return render_template("core/error.html", status=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        # The error's own headers stay (a 405's Allow, RFC 9110), not its content type.
        headers = [(name, value) for name, value in error.get_headers()
                   if name.lower() != "content-type"]
        if _wants_json():
            response = _problem(error.code or 500, error.name, error.description,
                                getattr(error, "data", None))
            response.headers.extend(headers)
            return response
        messages = {
            403: _("You do not have access to this. Ask your administrator if you need it."),
            404: _("The page does not exist, or you may not see it."),
            405: _("That action is not possible here."),
            413: _("What you sent is too large."),
        }
        message = messages.get(error.code, error.description)
        page = render_template("core/error.html", status=error.code, message=message)
        return page, error.code, headers

    @app.errorhandler(RecursionError)
    def too_deep(error: RecursionError):
        # Python's JSON parser recurses per bracket: a body nested many thousand levels
        # deep is bad input (400), not our failure.
        if request.is_json:
            return _problem(400, "Bad Request", "The JSON body is nested too deeply.")
        return unexpected_error(error)

    @app.errorhandler(FieldError)
    def field_error(error: FieldError):
        # A field rule broken where no form catches it (e.g. a search box's control
        # character): the client's mistake, named, never a 500.
        if _wants_json():
            return _problem(error.status, HTTPStatus(error.status).phrase, None,
                            {"message": str(error.message),
                             "errors": {_field_location(error.field): field_messages(error)}})
        return render_template("core/error.html", status=400, message=error.message), 400

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        # After a failed statement the session's transaction is dead: the error page (its
        # menu reads current_user) needs a live one, or gunicorn sends a bare 500.
        _roll_back_session()
        if _wants_json():
            return _problem(500, "Internal Server Error")
        message = _("Something went wrong on our side. Nothing you saved before was lost.")
        return render_template("core/error.html", status=500, message=message), 500


def _roll_back_session() -> None:
    from mdk.extensions import db

    try:
        db.session.rollback()
    except Exception:  # a broken connection: the page must still be shown
        current_app.logger.exception("rollback after an unhandled error failed")
