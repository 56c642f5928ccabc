"""REST API: /api/v1/cases."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("api_cases", __name__, url_prefix="/api/v1/cases",
                description="Cases (ärenden): referral, triage and state")
