"""REST API: /api/v1/people (list, get, create, patch)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import abort

from mdk.access import authorize, may_place, visible
from mdk.extensions import Blueprint
from mdk.people import service
from mdk.people.forms import UNIT_NOT_YOURS
from mdk.people.schemas import PersonPatchSchema, PersonQueryArgsSchema, PersonSchema
from mdk.units.api import abort_for_field
from mdk.validation import FieldError

blp = Blueprint("api_people", __name__, url_prefix="/api/v1/people",
                description="People, their competences and role grants")


def _service_data(data: dict) -> dict:
    # The schema loads `competences` onto its attribute name; the service takes `competences`.
    data = dict(data)
    if "competence_keys" in data:
        data["competences"] = data.pop("competence_keys")
    return data


def _refuse_unit(action: str, data: dict) -> None:
    """403 naming unit_id when the caller may not put people at the unit asked for."""
    if "unit_id" in data and not may_place(action, data["unit_id"]):
        message = str(UNIT_NOT_YOURS)
        abort(403, message=message, errors={"json": {"unit_id": [message]}})


@blp.route("")
class People(MethodView):
    @blp.arguments(PersonQueryArgsSchema, location="query")
    @blp.response(200, PersonSchema(many=True))
    def get(self, args):
        people = service.list_people(query=args.get("q"), unit_id=args.get("unit_id"))
        return visible("person.view", people)

    @blp.arguments(PersonSchema)
    @blp.response(201, PersonSchema)
    def post(self, data):
        _refuse_unit("person.create", data)
        try:
            return service.create_person(_service_data(data))
        except FieldError as error:
            abort_for_field(error)


@blp.route("/<int:person_id>")
class PersonById(MethodView):
    @blp.response(200, PersonSchema)
    def get(self, person_id: int):
        return authorize("person.view", service.get_person(person_id))

    @blp.arguments(PersonPatchSchema(partial=True))
    @blp.response(200, PersonSchema)
    def patch(self, data, person_id: int):
        person = authorize("person.edit", service.get_person(person_id))
        if data.get("unit_id") != person.unit_id:
            _refuse_unit("person.edit", data)
        try:
            return service.update_person(person, _service_data(data))
        except FieldError as error:
            abort_for_field(error)
