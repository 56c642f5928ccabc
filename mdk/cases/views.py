"""HTML pages for cases."""

from __future__ import annotations

from flask import Blueprint

blp = Blueprint("cases", __name__)
