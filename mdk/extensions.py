"""Extension instances, created once here and bound to the app in create_app()."""

from http import HTTPStatus

import flask_smorest
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest.utils import prepare_response
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from webargs.flaskparser import FlaskParser

from mdk.db import Base
from mdk.schemas import PROBLEM_CONTENT_TYPE, Key, ProblemSchema


class BodyParser(FlaskParser):
    """webargs reads JSON bodies with Flask's own request.get_json, so every unreadable body
    (none, bad syntax, bad UTF-8, a number of more than 4,300 digits) fails in one place:
    the request's on_json_loading_failed (mdk.core.errors), a 400 problem (415 when the
    body is not JSON at all)."""

    def _raw_load_json(self, req):
        # The documented body is required: none (or not JSON) is a 400 (or 415) too.
        return req.get_json()


class Blueprint(flask_smorest.Blueprint):
    """Every REST blueprint: parses bodies with BodyParser."""

    ARGUMENTS_PARSER = BodyParser()


class ProblemApi(flask_smorest.Api):
    """The OpenAPI document tells what the API sends: errors as application/problem+json
    with the Problem schema, and X-Pagination as the JSON text it is."""

    ERROR_SCHEMA = ProblemSchema

    def init_app(self, app, *, spec_kwargs=None):
        super().init_app(app, spec_kwargs=spec_kwargs)
        api = self

        def known_keys(converter, field, **kwargs):
            if not isinstance(field, Key):
                return {}
            with api._app.app_context():  # the configured keys live in the app
                return {"enum": sorted(field.known())}

        self.ma_plugin.converter.add_attribute_function(known_keys)

    def _register_responses(self):
        """flask-smorest's error response components (one per status, and the default),
        with the problem content type: success responses stay application/json."""
        for status in HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def _register_pagination_header(self):
        self.spec.components.header("PAGINATION", {
            "description": "Pagination metadata as a JSON object in text: total, "
                           "total_pages, first_page, last_page, page, previous_page, "
                           "next_page",
            "schema": {"type": "string",
                       "example": '{"total": 42, "total_pages": 2, "first_page": 1, '
                                  '"last_page": 2, "page": 1, "next_page": 2}'},
        }, lazy=True)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
api = ProblemApi()
login_manager = LoginManager()
