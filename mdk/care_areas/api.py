"""REST: GET /api/v1/care-areas and GET /api/v1/care-areas/<key> (read-only)."""

from __future__ import annotations

from flask.views import MethodView
from werkzeug.exceptions import NotFound

from mdk.access import authorize
from mdk.care_areas import service
from mdk.care_areas.schemas import CareAreaSchema, CareAreaSummarySchema
from mdk.extensions import Blueprint

blp = Blueprint("care_areas_api", __name__, url_prefix="/api/v1/care-areas",
                description="Care areas as configured (one file per NHV care area).")


@blp.route("")
class CareAreas(MethodView):
    @blp.response(200, CareAreaSummarySchema(many=True))
    def get(self):
        """Every care area, sorted by key."""
        return list(service.care_areas().values())


@blp.route("/<key>")
class CareAreaByKey(MethodView):
    @blp.response(200, CareAreaSchema)
    @blp.alt_response(404, description="No care area has this key.")
    def get(self, key: str):
        """One care area with everything its file holds."""
        try:
            area = service.care_area(key)
        except service.CareAreaNotFound as exc:
            raise NotFound(description=str(exc)) from None
        return authorize("care_area.view", area)
