"""REST API: /api/v1/people (list, get, create, patch)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from mdk.people import service
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


@blp.route("")
class People(MethodView):
    @blp.arguments(PersonQueryArgsSchema, location="query")
    @blp.response(200, PersonSchema(many=True))
    def get(self, args):
        return service.list_people(query=args.get("q"), unit_id=args.get("unit_id"))

    @blp.arguments(PersonSchema)
    @blp.response(201, PersonSchema)
    def post(self, data):
        try:
            return service.create_person(_service_data(data))
        except FieldError as error:
            abort_for_field(error)


@blp.route("/<int:person_id>")
class PersonById(MethodView):
    @blp.response(200, PersonSchema)
    def get(self, person_id: int):
        return service.get_person(person_id) or abort(404)

    @blp.arguments(PersonPatchSchema(partial=True))
    @blp.response(200, PersonSchema)
    def patch(self, data, person_id: int):
        person = service.get_person(person_id) or abort(404)
        try:
            return service.update_person(person, _service_data(data))
        except FieldError as error:
            abort_for_field(error)
