"""REST API: /api/v1/reviews (my worklist), /api/v1/reviews/<id> (read, write the statement).

Thin: parse (types only, mdk.reviews.schemas) → check access on the loaded task → one service
call → dump. Only the host unit's reviewers and the area's coordinators see a task (404 for
the rest); who may write it is the service's decision (403).
"""

from __future__ import annotations

from flask.views import MethodView

from mdk.access import authorize, current_principal
from mdk.audit.service import actor_from_request
from mdk.extensions import Blueprint, db
from mdk.reviews import service
from mdk.reviews.schemas import ReviewTaskSchema, ReviewWriteSchema
from mdk.units.api import abort_for_field
from mdk.validation import FieldError

blp = Blueprint("api_reviews", __name__, url_prefix="/api/v1/reviews",
                description="Secondary review tasks at the host unit")


def _task(task_id: int):
    task = service.get_task(task_id)
    authorize("review.write", task.case if task is not None else None)
    return service.require_view(current_principal(), task)


@blp.route("")
class Reviews(MethodView):
    @blp.response(200, ReviewTaskSchema(many=True))
    def get(self):
        """The caller's reviews: open ones, the earliest due first, then those done for
        meetings still ahead. One `case.read` audit event per case shown."""
        return service.worklist(actor_from_request(), current_principal())


@blp.route("/<int:task_id>")
class ReviewById(MethodView):
    @blp.response(200, ReviewTaskSchema)
    def get(self, task_id: int):
        """One review task with its material; writes a `case.read` audit event."""
        return service.read_task(actor_from_request(), _task(task_id))

    @blp.arguments(ReviewWriteSchema)
    @blp.response(200, ReviewTaskSchema)
    @blp.alt_response(403, description="Not the reviewer (nor one of the host unit's "
                      "reviewers with the competence, nor a coordinator for a done one).")
    @blp.alt_response(409, description="Cancelled, or the meeting has started.")
    @blp.alt_response(422, description="A field is wrong; `errors.json` names it.")
    def put(self, data, task_id: int):
        """Write the statement: completes an open task (`review.complete`), corrects a done
        one (`review.update`) while the case is before its meeting."""
        task = _task(task_id)
        try:
            return service.write_review(actor_from_request(), current_principal(), task, data)
        except FieldError as error:
            db.session.rollback()
            abort_for_field(error)
