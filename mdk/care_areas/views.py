"""The care-area pages: what each area's file says, in the user's language."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from mdk.access import authorize
from mdk.care_areas import service, wording

blp = Blueprint("care_areas", __name__, url_prefix="/care-areas")


@blp.app_context_processor
def care_area_wording() -> dict:
    return {"care_area_wording": wording, "competence_label": service.competence_label}


@blp.get("")
def list_areas():
    return render_template("care_areas/list.html", areas=list(service.care_areas().values()))


@blp.get("/<key>")
def show_area(key: str):
    try:
        area = service.care_area(key)
    except service.CareAreaNotFound:
        abort(404)
    return render_template("care_areas/detail.html", area=authorize("care_area.view", area))
