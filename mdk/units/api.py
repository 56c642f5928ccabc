"""REST API: /api/v1/providers and /api/v1/units (list, get, create, patch)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import abort

from mdk.access import authorize, visible
from mdk.extensions import Blueprint
from mdk.units import service
from mdk.units.schemas import (
    ProviderPatchSchema,
    ProviderSchema,
    UnitPatchSchema,
    UnitQueryArgsSchema,
    UnitSchema,
)
from mdk.validation import FieldError, field_messages

providers_blp = Blueprint("api_providers", __name__, url_prefix="/api/v1/providers",
                          description="Care providers (vårdgivare)")
units_blp = Blueprint("api_units", __name__, url_prefix="/api/v1/units",
                      description="Units (vårdenheter); NHV status comes from the area files")


def abort_for_field(error: FieldError):
    """A service's field error as a 422 (invalid) or 409 (conflict) naming the field."""
    abort(error.status, message=str(error.message), errors={"json": field_messages(error)})


@providers_blp.route("")
class Providers(MethodView):
    @providers_blp.response(200, ProviderSchema(many=True))
    def get(self):
        return service.list_providers()

    @providers_blp.arguments(ProviderSchema)
    @providers_blp.response(201, ProviderSchema)
    def post(self, data):
        try:
            return service.create_provider(data)
        except FieldError as error:
            abort_for_field(error)


@providers_blp.route("/<int:provider_id>")
class ProviderById(MethodView):
    @providers_blp.response(200, ProviderSchema)
    def get(self, provider_id: int):
        return authorize("provider.view", service.get_provider(provider_id))

    @providers_blp.arguments(ProviderPatchSchema(partial=True))
    @providers_blp.response(200, ProviderSchema)
    def patch(self, data, provider_id: int):
        provider = authorize("provider.edit", service.get_provider(provider_id))
        try:
            return service.update_provider(provider, data)
        except FieldError as error:
            abort_for_field(error)


@units_blp.route("")
class Units(MethodView):
    @units_blp.arguments(UnitQueryArgsSchema, location="query")
    @units_blp.response(200, UnitSchema(many=True))
    def get(self, args):
        return visible("unit.view", service.list_units(kind=args.get("kind"), query=args.get("q")))

    @units_blp.arguments(UnitSchema)
    @units_blp.response(201, UnitSchema)
    def post(self, data):
        try:
            return service.create_unit(data)
        except FieldError as error:
            abort_for_field(error)


@units_blp.route("/<int:unit_id>")
class UnitById(MethodView):
    @units_blp.response(200, UnitSchema)
    def get(self, unit_id: int):
        return authorize("unit.view", service.get_unit(unit_id))

    @units_blp.arguments(UnitPatchSchema(partial=True))
    @units_blp.response(200, UnitSchema)
    def patch(self, data, unit_id: int):
        unit = authorize("unit.edit", service.get_unit(unit_id))
        try:
            return service.update_unit(unit, data)
        except FieldError as error:
            abort_for_field(error)
