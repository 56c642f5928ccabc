"""HTML pages for audit."""

from __future__ import annotations

from flask import Blueprint

blp = Blueprint("audit", __name__)
