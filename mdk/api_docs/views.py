"""The interactive API docs page and Swagger UI's own files.

Public, as /api/openapi.json is: it documents the API and holds nobody's data, and a
clinic's integration developer may have a token but no login. Its "Try it out" calls go to
our own API: with the browser's login session if there is one, or with the token given under
Authorize (kept in the page's memory only, not in the browser's storage).
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, send_from_directory
from swagger_ui_bundle import swagger_ui_path

blp = Blueprint("swagger_ui", __name__)

# The files of the package the page loads (not its demo index.html or source maps).
ASSETS = frozenset({"swagger-ui.css", "swagger-ui-bundle.js"})


@blp.get("/api/docs")
def docs():
    return render_template("api_docs/docs.html")


@blp.get("/api/docs/assets/<name>")
def asset(name: str):
    if name not in ASSETS:
        abort(404)
    return send_from_directory(str(swagger_ui_path), name)
