"""REST API: /api/v1/cases (list, refer, read, complete, move through the states).

Thin: parse (types only, mdk.cases.schemas) → check access on the loaded case → one service
call → dump. The patient's field set is chosen per case by mdk.cases.schemas
.patient_schema_for. The list is paginated the flask-smorest way: `?page=&page_size=` and an
`X-Pagination` header ({"total", "total_pages", "page", "next_page", ...}).

ETags (mdk.extensions.Blueprint): a case's ETag is a hash of the case as the caller gets it
(CaseSchema, with its timeline and what is missing), so it changes whenever anything the
caller sees of the case changes, and every worker computes the same one. GET answers 304 to
a matching If-None-Match; PATCH and the moves refuse a stale If-Match with 412 before they
change anything, and go ahead without one.
"""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_babel import lazy_gettext as _l

from mdk.access import authorize, current_principal
from mdk.audit.service import actor_from_request
from mdk.cases import identity, service
from mdk.cases.schemas import (
    CaseCreateSchema,
    CaseMoveSchema,
    CasePatchSchema,
    CaseQueryArgsSchema,
    CaseSchema,
    CaseSummarySchema,
)
from mdk.cases.workflow import MOVES, chosen_states
from mdk.extensions import Blueprint, db
from mdk.units.api import abort_for_field
from mdk.validation import FieldError

blp = Blueprint("api_cases", __name__, url_prefix="/api/v1/cases",
                description="Cases (ärenden): referral, triage and state")


def _refuse(error: FieldError):
    """Nothing of a refused request is kept; then the 422/409 naming the field."""
    db.session.rollback()
    abort_for_field(error)


@blp.route("")
class Cases(MethodView):
    @blp.arguments(CaseQueryArgsSchema, location="query")
    @blp.response(200, CaseSummarySchema(many=True))
    @blp.paginate(page_size=service.PAGE_SIZE, max_page_size=100)
    def get(self, args, pagination_parameters):
        """The cases the caller may see, in the triage order: urgent first, then the longest
        waiting (`submitted_at` oldest first; drafts last), then the older case. By default
        the cases in progress only (`state=in_progress`); `state=all` lists closed, declined
        and withdrawn cases too. One `case.read` audit event per case shown. A page beyond
        the last answers the last page."""
        result = service.list_cases(
            actor_from_request(), current_principal(), area=args.get("area"),
            states=chosen_states(args["state"]), query=args.get("q"),
            conference_id=args.get("conference_id"), page=pagination_parameters.page,
            per_page=pagination_parameters.page_size)
        pagination_parameters.page = result.page
        pagination_parameters.item_count = result.total
        return result.cases

    @blp.arguments(CaseCreateSchema)
    @blp.response(201, CaseSchema)
    @blp.alt_response(422, description="A field is wrong; `errors.json` names it.")
    def post(self, data):
        """Refer a case: a draft, or submitted at once with `"submit": true`."""
        try:
            case = service.register_case(actor_from_request(), current_principal(), data)
        except FieldError as error:
            _refuse(error)
        # The new case's ETag, as its GET gives it: the first PATCH can send it at once.
        tag = blp._generate_etag(CaseSchema().dump(case))
        return case, 201, {"Location": url_for("api_cases.CaseById", case_id=case.id),
                           "ETag": f'"{tag}"'}


@blp.route("/<int:case_id>")
class CaseById(MethodView):
    @blp.etag
    @blp.response(200, CaseSchema)
    def get(self, case_id: int):
        """One case, with its timeline and what its meeting still lacks; writes one
        `case.read` audit event. A matching `If-None-Match` gets 304, which writes none."""
        case = authorize("case.view", service.get_case(case_id))
        # The tag before the read is logged: a 304 carries no patient data, so it is no read.
        blp.set_etag(case, CaseSchema)
        return service.read_case(actor_from_request(), case)

    @blp.etag
    @blp.arguments(CasePatchSchema)
    @blp.response(200, CaseSchema)
    @blp.alt_response(409, description="The case is no longer a draft or returned.")
    def patch(self, data, case_id: int):
        """Complete or correct the referral while it is a draft or returned. With
        `If-Match`, only if the case is still as the caller last read it (else 412)."""
        case = authorize("case.edit", service.get_case_for_change(case_id))
        blp.check_etag(case, CaseSchema)
        actor = actor_from_request()
        before = case.updated_at
        try:
            case = service.update_case(actor, case, data)
        except FieldError as error:
            _refuse(error)
        if case.updated_at == before:  # nothing changed, so nothing logged: the answer
            service.read_case(actor, case)  # still shows the case, which is a read
        return case


@blp.route("/<int:case_id>/moves")
class CaseMoves(MethodView):
    @blp.etag
    @blp.arguments(CaseMoveSchema)
    @blp.response(200, CaseSchema)
    @blp.alt_response(409, description="The move is not possible from the case's state.")
    def post(self, data, case_id: int):
        """Move the case: submit, accept, return, decline, defer or withdraw (the state table
        in mdk.cases.workflow). Triage moves need `case.triage`. With `If-Match`, only if
        the case is still as the caller last read it (else 412)."""
        case = authorize("case.edit", service.get_case_for_change(case_id))
        blp.check_etag(case, CaseSchema)
        data = dict(data)
        action = data.pop("action", None)
        move = MOVES.get(action) if action is not None else None
        # The scheduler's moves (the readiness gate's) and the agenda page's (which keep its
        # order and version) are not the API's: they are unknown here, as documented.
        if move is None or move.system_only or move.agenda_only or move.made_elsewhere:
            _refuse(FieldError("action", _l("Unknown action.")))
        authorize(move.permission, case)
        try:
            return service.move_case(actor_from_request(), current_principal(), case,
                                     action, data)
        except FieldError as error:
            _refuse(error)


@blp.route("/<int:case_id>/identity-confirmation")
class CaseIdentityConfirmation(MethodView):
    @blp.response(200, CaseSchema)
    @blp.alt_response(409, description="The identity has no open question.")
    def post(self, case_id: int):
        """The coordinator confirms the registered identity of a case whose referral gave
        another name (`identity_check`): the flag goes, and the case can be accepted."""
        case = authorize("case.triage", service.get_case(case_id))
        try:
            return identity.confirm_identity(actor_from_request(), current_principal(), case)
        except FieldError as error:
            _refuse(error)
