"""REST API: /api/v1/cases/<id>/material (the list with its readiness, fill in or add an
item, change it, its availability per unit, upload a file) and /api/v1/cases/<id>/files/<id>
(the download).

Thin, like mdk.cases.api: parse (types only) → check access on the loaded case → one service
call → dump. Reading the list is a read of the case (`case.read`); a download writes
`material.download`.

ETags (mdk.extensions.Blueprint): the material's ETag is a hash of the list as the caller
gets it (MaterialSchema: every item with its availability and files, and the readiness), so
any change to an item, a file or an availability changes it, and every worker computes the
same one. GET answers 304 to a matching If-None-Match. Every change (add or fill in an item,
PATCH an item, its availability, a file) refuses a stale If-Match with 412 before it changes
anything, goes ahead without one, and answers with the material's new ETag, so the next
change can send it without reading the list again.
"""

from __future__ import annotations

from flask import jsonify, request, url_for
from flask.views import MethodView
from werkzeug.exceptions import NotFound, RequestEntityTooLarge

from mdk.access import authorize
from mdk.audit import service as audit
from mdk.audit.service import actor_from_request
from mdk.cases import service as cases
from mdk.cases.models import Case
from mdk.db import commit_keeping_loaded
from mdk.extensions import Blueprint, db
from mdk.i18n import current_language
from mdk.material import service, uploads
from mdk.material.schemas import (
    AvailabilityInputSchema,
    AvailabilitySchema,
    FileSchema,
    ItemCreateSchema,
    ItemPatchSchema,
    ItemSchema,
    MaterialSchema,
    UploadSchema,
)
from mdk.material.views import file_response
from mdk.schemas import PROBLEM_CONTENT_TYPE
from mdk.units.api import abort_for_field
from mdk.validation import FieldError, field_messages

blp = Blueprint("api_material", __name__, url_prefix="/api/v1/cases",
                description="A case's diagnostic material, its readiness and its files")


def _refuse(error: FieldError, location: str = "json"):
    """Nothing of a refused request is kept; then the 422/409 naming the field."""
    service.discard_refused()
    if location == "json":
        abort_for_field(error)
    from flask_smorest import abort

    abort(error.status, message=str(error.message), errors={location: field_messages(error)})


def _viewed(case_id: int) -> Case:
    return authorize("case.view", cases.get_case(case_id))


def _editable(case_id: int) -> Case:
    """The case for a change: held against other writers (mdk.cases.service
    .get_case_for_change), so its If-Match check stays true until the change is saved."""
    return authorize("material.edit",
                     authorize("case.view", cases.get_case_for_change(case_id)))


def _item(case: Case, item_id: int):
    item = service.get_item(case, item_id)
    if item is None:
        raise NotFound()
    return item


def _unchanged_since_read(case: Case) -> None:
    """412 when If-Match names another state of the material than its current one (none
    sent: no check, and the list is not worked out for it)."""
    blp.check_etag(material_body(case) if request.if_match else None, MaterialSchema)


def _tag_changed(case: Case) -> None:
    """The material's ETag after a change, on the answer: as the list's GET would give."""
    blp.set_etag(material_body(case), MaterialSchema)


def material_body(case: Case) -> dict:
    readiness = service.readiness_of(case)
    language = current_language()
    messages = dict(zip(sorted(readiness.problems, key=lambda problem: not problem.blocking),
                        readiness.describe(language), strict=True))
    return {
        "case_id": case.id, "ready": readiness.ready, "meeting_day": readiness.day,
        "conference_id": readiness.conference.id if readiness.conference else None,
        "host_unit_id": readiness.host_unit_id, "open": service.is_open(case),
        "entries": [{"key": entry.key, "title": entry.title(language), "kind": entry.kind,
                     "required": entry.required, "max_age_days": entry.max_age_days,
                     "review_by": entry.review_by, "item": entry.item}
                    for entry in readiness.entries],
        "problems": [{**problem.as_dict(), "too_old_on": problem.too_old_on,
                      "message": messages[problem]} for problem in readiness.problems],
    }


@blp.route("/<int:case_id>/material")
class CaseMaterial(MethodView):
    @blp.etag
    @blp.response(200, MaterialSchema)
    def get(self, case_id: int):
        """The case's checklist entries (filled in or not) and extra items, with what keeps
        the case from being ready for its meeting (or the area's next one). Writes one
        `case.read` audit event. A matching `If-None-Match` gets 304, which writes none."""
        case = _viewed(case_id)
        body = material_body(case)
        # The tag before the read is logged: a 304 carries no patient data, so it is no read.
        blp.set_etag(body, MaterialSchema)
        audit.record(actor_from_request(), "case.read", case)
        commit_keeping_loaded(db.session)  # the items stay loaded for the answer
        return body

    @blp.etag
    @blp.arguments(ItemCreateSchema)
    @blp.response(201, ItemSchema)
    @blp.alt_response(409, description="The case is no longer open, or the entry is "
                                       "already filled in.")
    def post(self, data, case_id: int):
        """Fill in a checklist entry (`checklist_key`) or add an extra item (`kind`,
        `label`). Only while the case is open (not discussed, reported or ended)."""
        case = _editable(case_id)
        _unchanged_since_read(case)
        data = dict(data)
        try:
            if data.get("checklist_key") is not None:
                item = service.fill_entry(actor_from_request(), case,
                                          data.pop("checklist_key"), data)
            else:
                data.pop("checklist_key", None)
                item = service.add_item(actor_from_request(), case, data)
        except FieldError as error:
            _refuse(error)
        _tag_changed(case)
        return item, 201, {"Location": url_for("api_material.CaseMaterialItem",
                                               case_id=case.id, item_id=item.id)}


@blp.route("/<int:case_id>/material/<int:item_id>")
class CaseMaterialItem(MethodView):
    @blp.etag
    @blp.arguments(ItemPatchSchema)
    @blp.response(200, ItemSchema)
    @blp.alt_response(409, description="The case is no longer open.")
    def patch(self, data, case_id: int, item_id: int):
        """Change an item's fields (an extra item's kind, label, required and review_by
        too). Writes `material.update` naming the fields changed."""
        case = _editable(case_id)
        item = _item(case, item_id)
        _unchanged_since_read(case)
        try:
            item = service.update_item(actor_from_request(), case, item, data)
        except FieldError as error:
            _refuse(error)
        _tag_changed(case)
        return item


@blp.route("/<int:case_id>/material/<int:item_id>/availability")
class CaseMaterialAvailability(MethodView):
    @blp.etag
    @blp.arguments(AvailabilityInputSchema)
    @blp.response(200, AvailabilitySchema)
    @blp.alt_response(409, description="The case is no longer open.")
    def post(self, data, case_id: int, item_id: int):
        """Requested, available or transferred at one of the area's NHV units (one row per
        unit: this replaces the unit's previous status)."""
        case = _editable(case_id)
        item = _item(case, item_id)
        _unchanged_since_read(case)
        try:
            found = service.set_availability(actor_from_request(), case, item, data)
        except FieldError as error:
            _refuse(error)
        _tag_changed(case)
        return found


@blp.route("/<int:case_id>/material/<int:item_id>/files")
class CaseMaterialFiles(MethodView):
    @blp.etag
    @blp.arguments(UploadSchema, location="files")
    @blp.response(201, FileSchema)
    @blp.alt_response(409, description="The case is no longer open.")
    @blp.alt_response(413, description="The request is over MDK_MAX_REQUEST_MB; `errors` "
                                       "names the file.")
    def post(self, data, case_id: int, item_id: int):
        """Upload a file (multipart/form-data, field `file`) to the item: a PDF or a PNG,
        JPEG or TIFF image, decided from its content; at most MDK_UPLOAD_MAX_MB."""
        case = _editable(case_id)
        item = _item(case, item_id)
        _unchanged_since_read(case)
        chosen = data.get("file")
        try:
            found = service.attach_file(actor_from_request(), case, service.entry_key(item),
                                        chosen.stream if chosen else None,
                                        chosen.filename if chosen else None)
        except FieldError as error:
            _refuse(error, "files")
        _tag_changed(case)
        return found, 201


@blp.route("/<int:case_id>/files/<int:file_id>")
class FileDownload(MethodView):
    # One content type per kind of file: the one sniffed at upload, not octet-stream.
    @blp.doc(responses={"200": {
        "description": "The file as an attachment, with its content type sniffed at upload",
        "content": {content_type: {"schema": {"type": "string", "format": "binary"}}
                    for content_type in uploads.CONTENT_TYPES.values()}}})
    def get(self, case_id: int, file_id: int):
        """Download a file of the case's material; writes `material.download`."""
        case = _viewed(case_id)
        found = service.get_file(case, file_id)
        path = service.download(actor_from_request(), case, found) if found else None
        if path is None:
            raise NotFound()
        return file_response(case, found, path)


@blp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge):
    """A body over MDK_MAX_REQUEST_MB, cut before it is read: the file is what is too
    large, so the problem names it (and nothing about the case, which was not checked)."""
    body = {"type": "about:blank", "title": "Content Too Large", "status": 413,
            "detail": error.description}
    if request.endpoint == "api_material.CaseMaterialFiles":
        message = str(uploads.too_large_message())
        body.update(detail=message, errors={"files": {"file": [message]}})
    response = jsonify(body)
    response.status_code = 413
    response.mimetype = PROBLEM_CONTENT_TYPE
    return response
