"""Error pages in the user's language; JSON problem bodies for the API."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


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
    response.mimetype = "application/problem+json"
    return response


def _fields_detail(errors: dict) -> str:
    """'Invalid field(s): hsa_id, mailbox' from webargs' {location: {field: [messages]}}."""
    names = sorted({name for fields in errors.values() if isinstance(fields, dict)
                    for name in fields})
    return f"Invalid field(s): {', '.join(names)}" if names else "Invalid input"


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        message = _("The form had expired or was sent from elsewhere. Please try again.")
        if _wants_json():
            return _problem(400, "CSRF token missing or invalid", error.description)
        return render_template("core/error.html", status=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if _wants_json():
            return _problem(error.code or 500, error.name, error.description,
                            getattr(error, "data", None))
        messages = {
            403: _("You do not have access to this. Ask your administrator if you need it."),
            404: _("The page does not exist, or you may not see it."),
            405: _("That action is not possible here."),
        }
        message = messages.get(error.code, error.description)
        return render_template("core/error.html", status=error.code, message=message), error.code

    @app.errorhandler(RecursionError)
    def too_deep(error: RecursionError):
        # Python's JSON parser recurses per bracket: a body nested many thousand levels
        # deep is bad input (400), not our failure.
        if request.is_json:
            return _problem(400, "Bad Request", "The JSON body is nested too deeply.")
        return unexpected_error(error)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if _wants_json():
            return _problem(500, "Internal Server Error")
        message = _("Something went wrong on our side. Nothing you saved before was lost.")
        return render_template("core/error.html", status=500, message=message), 500
