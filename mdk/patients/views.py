"""HTML pages for patients."""

from __future__ import annotations

from flask import Blueprint

blp = Blueprint("patients", __name__)
